/**
 * Stop during a run leaves nothing of it alive: the script and every process it started (here two
 * DataLoader workers) are gone, checked in /proc by pid and start time.
 */
import assert from 'node:assert/strict';
import { e2e, setWorkspaceSettings, sharedEditor, workspaceFile } from './environment';
import { describe as describeProcesses, processTreeOf, survivors, type ProcessInfo } from '../processes';
import { PARALLEL_LOADER } from './examples';
import { TITLES, TrainLensUi, isLive } from './trainlens-ui';
import { waitFor } from './workbench';

/** Long enough (~60 s) that only Stop can end it within the test. */
const LONG_RUN_ARGS = ['--steps', '3000', '--workers', '2'];

describe('Stop', function () {
  it('stops a running profile and leaves no process of the run alive', async function () {
    this.timeout(120_000);
    const session = await sharedEditor();
    const ui = new TrainLensUi(session.workbench, e2e().extensionId);
    await setWorkspaceSettings(session, { 'trainlens.args': LONG_RUN_ARGS });
    const script = workspaceFile(PARALLEL_LOADER);
    assert.deepEqual(processTreeOf(script), [], 'no run of the script before the test');

    await session.workbench.openFile(PARALLEL_LOADER);
    await ui.profileActiveFile();
    // Live figures: a reloaded window may show the script's last run, finished, until this one starts.
    await ui.watchStatus('batches/s > 0', (r) => isLive(r) && (r.batchesPerSec ?? 0) > 0, 40_000);
    // The run as it is now: the script and its workers (forked, so they carry the script's path too).
    const tree: ProcessInfo[] = processTreeOf(script);
    const workers = tree.filter((p) => tree.some((parent) => parent.pid === p.ppid));
    assert.ok(tree.some((p) => p.cmdline.includes('--workers 2')), `the run uses the configured arguments:\n${describeProcesses(tree)}`);
    assert.ok(workers.length >= 2, `the run has its DataLoader workers:\n${describeProcesses(tree)}`);
    await session.workbench.screenshot('before-stop');

    const stopAt = Date.now();
    await session.workbench.runCommand(TITLES.stop);
    await waitFor(
      'every process of the run to exit',
      async () => (survivors(tree).length === 0 && processTreeOf(script).length === 0 ? true : undefined),
      { timeoutMs: 15_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nstill alive:\n${describeProcesses([...survivors(tree), ...processTreeOf(script)])}`);
    });
    e2e().timings.add('Stop → no process of the run left', Date.now() - stopAt);
    const stopped = await ui.watchStatus('the status bar to say the run stopped', (r) => r.icon === 'debug-stop', 10_000);
    await session.workbench.screenshot('stopped');
    assert.ok(stopped.last.text.length > 0);
  });
});
