/** The editor itself: code-server serves the workspace, the VSIX is installed, its commands are there. */
import assert from 'node:assert/strict';
import { sharedEditor } from './environment';
import { TITLES, contributedCommandTitles } from './trainlens-ui';
import { waitFor } from './workbench';

describe('TrainLens in a real VS Code (code-server)', function () {
  it('loads the examples workspace in the browser', async function () {
    const session = await sharedEditor();
    const rows = await session.workbench.page.locator('.explorer-folders-view .monaco-list-row').allInnerTexts();
    assert.ok(rows.some((r) => r.trim() === 'pytorch'), `explorer shows pytorch/: ${JSON.stringify(rows)}`);
    await session.workbench.screenshot('workbench');
  });

  it('offers the TrainLens commands in the command palette', async function () {
    const session = await sharedEditor();
    // The workbench lists an extension's commands once it has scanned it, which on a loaded machine
    // can come seconds after the window shows: ask again until they are there, or time out.
    const offered = await waitFor('the TrainLens commands in the palette', async () => {
      const titles = await session.workbench.paletteTitles('TrainLens:');
      return titles.includes(TITLES.profile) ? titles : undefined;
    }, { timeoutMs: 30_000, intervalMs: 1000 }).catch(async () => session.workbench.paletteTitles('TrainLens:'));
    const contributed = contributedCommandTitles();
    for (const title of [TITLES.profile, TITLES.stop, TITLES.showPanel]) {
      assert.ok(contributed.includes(title), `package.json contributes "${title}" (it has ${JSON.stringify(contributed)})`);
    }
    for (const title of [TITLES.profile, TITLES.showPanel]) {
      assert.ok(offered.includes(title), `the palette offers "${title}" (it shows ${JSON.stringify(offered)})`);
    }
    // Stop is offered only while a run is going (`when: trainlens.running`); stop.e2e.ts runs it then.
    assert.ok(!offered.includes(TITLES.stop), `no Stop in the palette while nothing runs (it shows ${JSON.stringify(offered)})`);
  });

  it('opens a training script from quick open', async function () {
    const session = await sharedEditor();
    await session.workbench.openFile('pytorch/input_bound.py');
    await session.workbench.screenshot('script-open');
  });
});
