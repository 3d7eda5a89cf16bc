/**
 * Issue 18: a script written to run from its own folder (it opens `steps.txt` relative to itself,
 * as nanoGPT's train.py opens configurator.py). From the workspace root it fails, and TrainLens says
 * which folder it used and how to change it; with `trainlens.cwd: fileDirectory` it runs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { e2e, setWorkspaceSettings, sharedEditor, workspaceFile, type EditorSession } from './environment';
import { processTreeOf } from '../processes';
import { TrainLensUi } from './trainlens-ui';

const SCRIPT = 'pytorch/own_folder/train_here.py';
/** The status item's icon once a run ended: done, stopped, failed, cut off. */
const ENDED_ICONS = ['check', 'debug-stop', 'error', 'warning'];
const SCRIPT_TEXT = `"""Reads its step count from a file next to it, by a relative path."""
import time

import torch

with open("steps.txt") as f:  # relative: the script expects to run from its own folder
    steps = int(f.read())
model = torch.nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for _ in range(steps):
    loss = model(torch.randn(8, 4)).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    time.sleep(0.01)
print("trained", steps, "steps")
`;

describe('the folder a run starts in (trainlens.cwd, issue 18)', function () {
  let session: EditorSession;
  let ui: TrainLensUi;
  let script: string;

  before(async function () {
    this.timeout(60_000);
    script = workspaceFile(SCRIPT);
    fs.mkdirSync(path.dirname(script), { recursive: true });
    fs.writeFileSync(script, SCRIPT_TEXT);
    fs.writeFileSync(path.join(path.dirname(script), 'steps.txt'), '60\n');
    session = await sharedEditor();
    ui = new TrainLensUi(session.workbench, e2e().extensionId);
  });

  async function profileToTheEnd(): Promise<void> {
    await session.workbench.openFile(SCRIPT);
    const before = (await ui.readStatus())?.text;
    await ui.profileActiveFile();
    // The earlier test's run may have left its own ended item: this run's differs from it.
    await ui.watchStatus('the run to end', (r) => r.text !== before && ENDED_ICONS.includes(r.icon ?? '') && processTreeOf(script).length === 0, 90_000);
  }

  it('from the workspace folder, the failure names that folder and the setting', async function () {
    this.timeout(150_000);
    await setWorkspaceSettings(session, {});
    await profileToTheEnd();
    const toast = session.workbench.notificationToasts().filter({ hasText: 'relative path' }).first();
    await toast.waitFor({ state: 'visible', timeout: 20_000 });
    const text = (await toast.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /'steps\.txt' is a relative path and the run started in /, text);
    assert.ok(text.includes(e2e().workspace), `names the workspace folder ${e2e().workspace}: ${text}`);
    assert.match(text, /"trainlens\.cwd" to "fileDirectory"/, text);
  });

  it("with trainlens.cwd set to fileDirectory, runs in the script's folder and completes", async function () {
    this.timeout(150_000);
    await setWorkspaceSettings(session, { 'trainlens.cwd': 'fileDirectory' });
    await profileToTheEnd();
    const done = await ui.watchStatus('the finished look', (r) => r.icon === 'check', 20_000);
    assert.match(done.last.text, /^done [\d,.]+ batch\/s/, done.last.text);
  });
});
