/** A TensorFlow.js example, run through Node with the preload runner, shows batches/s too. */
import assert from 'node:assert/strict';
import { e2e, setWorkspaceSettings, sharedEditor, workspaceFile } from './environment';
import { tfjsExample } from './examples';
import { processTreeOf } from '../processes';
import { TrainLensUi, isLive } from './trainlens-ui';
import { waitFor } from './workbench';

describe('Profile Training: a TensorFlow.js example', function () {
  it('shows batches/s > 0 in the status bar', async function () {
    this.timeout(120_000);
    const example = tfjsExample();
    assert.ok(example, 'examples/tfjs has a script');
    const session = await sharedEditor();
    const ui = new TrainLensUi(session.workbench, e2e().extensionId);
    await setWorkspaceSettings(session, {}); // the example's own defaults
    await session.workbench.openFile(example);
    const commandAt = await ui.profileActiveFile();
    const rate = await ui.watchStatus('batches/s > 0', (r) => isLive(r) && (r.batchesPerSec ?? 0) > 0, 60_000);
    e2e().timings.add(`Profile Training ${example} → batches/s in status bar`, rate.last.atMs - commandAt);
    await session.workbench.screenshot('tfjs-status');
    // Let it finish so the next test starts from an idle editor.
    await waitFor(`${example} to end`, async () => (processTreeOf(workspaceFile(example)).length === 0 ? true : undefined), {
      timeoutMs: 90_000,
    });
    const done = await ui.watchStatus('final figures', (r) => r.icon !== 'loading', 10_000);
    assert.notEqual(done.last.icon, 'error', `the tfjs run did not fail: ${done.last.text}`);
  });
});
