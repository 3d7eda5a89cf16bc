/**
 * Issue 8's loop: apply the DataLoader workers quick fix on the input-bound diagnostic, re-run and
 * compare; the comparison is shown. Pending until the extension contributes the command and the
 * code action: the test checks the manifest and skips with the reason, so it turns itself on.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { scriptResultOf, type ScriptResult } from '../script-result';
import { PYTHON, RESULTS_DIR, e2e, forDocs, setWorkspaceSettings, sharedEditor, workspaceFile } from './environment';
import { INPUT_BOUND, INPUT_BOUND_ARGS, lineOf } from './examples';
import { processTreeOf } from '../processes';
import { TITLES, TrainLensUi, WORKERS_FIX_TITLE, contributedCommandTitles } from './trainlens-ui';
import { waitFor } from './workbench';

/** The script's own batches/s, run plainly (no TrainLens) from its folder: the independent measure. */
function plainBatchesPerSec(script: string): number {
  const run = spawnSync(PYTHON, [script, ...INPUT_BOUND_ARGS], { cwd: path.dirname(script), encoding: 'utf8', timeout: 120_000 });
  const rate = scriptResultOf(`${run.stdout}${run.stderr}`)?.batchesPerSec;
  assert.ok(run.status === 0 && typeof rate === 'number', `plain run of ${script}: exit ${run.status}\n${run.stderr.slice(-2000)}`);
  return rate;
}

/**
 * The script's own figures of each run started in the editor, in order: _measure.py appends them to
 * SCRIPT_RESULT_FILE (the editor sends the script's output to a terminal).
 */
function editorRunResults(file: string): ScriptResult[] {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return text.split('\n').filter((line) => line.length > 0).map((line) => scriptResultOf(line) as ScriptResult);
}

describe('Quick fix, re-run and compare (issue 8)', function () {
  it(`applies "${WORKERS_FIX_TITLE}…", runs "${TITLES.rerunAndCompare}" and shows the comparison`, async function () {
    if (!contributedCommandTitles().includes(TITLES.rerunAndCompare)) {
      // Pending, not passing: issue 8 (code actions and compare) is not built yet.
      if (this.test) this.test.title += ` — pending: package.json does not contribute "${TITLES.rerunAndCompare}" yet (issue 8)`;
      this.skip();
    }
    this.timeout(180_000);
    const session = await sharedEditor();
    const { workbench } = session;
    const ui = new TrainLensUi(workbench, e2e().extensionId);
    const resultFile = path.join(RESULTS_DIR, 'quick-fix-script-results.jsonl');
    fs.rmSync(resultFile, { force: true });
    await setWorkspaceSettings(session, { 'trainlens.args': INPUT_BOUND_ARGS, 'trainlens.env': { SCRIPT_RESULT_FILE: resultFile } });
    const script = workspaceFile(INPUT_BOUND);
    const before = fs.readFileSync(script, 'utf8');
    const plainBefore = plainBatchesPerSec(script);

    // A fresh baseline run (the previous tests may have left a stopped or tfjs run as the latest).
    await workbench.openFile(INPUT_BOUND);
    await ui.profileActiveFile();
    // Started first: until its process is up, the status bar still shows the last run as done (a
    // clean-clone run went on from there, with the baseline still running, and found no Re-run).
    await waitFor('the baseline run to start', async () => (processTreeOf(script).length > 0 ? true : undefined), { timeoutMs: 30_000 });
    // Ended as the user sees it: the finished look, which comes with the final findings. Its process
    // gone was not enough: on a busy machine the final diagnostics replaced the live ones while the
    // Ctrl+. request was in flight, and the menu said "No code actions available".
    await waitFor('the baseline run to end', async () => {
      const reading = await ui.readStatus();
      return processTreeOf(script).length === 0 && reading?.icon === 'check' && (reading.batchesPerSec ?? 0) > 0 ? reading : undefined;
    }, { timeoutMs: 90_000 });

    // The quick fix offered on the diagnostic, as a user finds it: cursor on the line, Ctrl+.
    const dataLoaderLine = lineOf(INPUT_BOUND, /DataLoader\(/);
    await workbench.goToLine(dataLoaderLine);
    await workbench.page.keyboard.press('Control+Period');
    const action = workbench.page.locator('.action-widget .monaco-list-row', { hasText: WORKERS_FIX_TITLE }).first();
    await action.waitFor({ state: 'visible', timeout: 10_000 });
    await workbench.screenshot('quick-fix');
    await forDocs(workbench.activeGroup(), 'quick-fix.png');
    // Chosen with the keyboard, as from Ctrl+. (the widget's pointer block swallows synthetic clicks).
    const focused = workbench.page.locator('.action-widget .monaco-list-row.focused');
    for (let i = 0; i < 10 && !((await focused.innerText().catch(() => '')).includes(WORKERS_FIX_TITLE)); i += 1) {
      await workbench.page.keyboard.press('ArrowDown');
    }
    await workbench.page.keyboard.press('Enter');
    await action.waitFor({ state: 'hidden' });
    await workbench.page.keyboard.press('Control+S');
    await waitFor('the fix to be saved', async () => (fs.readFileSync(script, 'utf8') !== before ? true : undefined));
    assert.match(fs.readFileSync(script, 'utf8'), /num_workers\s*=\s*[1-9]/, 'the DataLoader call now asks for worker processes');
    const plainAfter = plainBatchesPerSec(script);
    // The diagnostic was about the old DataLoader call: it leaves with the text it described.
    const rows = await workbench.problems();
    await waitFor('the input-bound diagnostic on the rewritten DataLoader line to clear', async () =>
      (await rows.filter({ hasText: 'input-bound' }).filter({ hasText: `[Ln ${dataLoaderLine},` }).count()) === 0 ? true : undefined,
    );

    await workbench.runCommand(TITLES.rerunAndCompare);
    const panel = ui.panelFrame();
    const comparison = panel.getByText(/compar/i).first();
    await comparison.waitFor({ state: 'visible', timeout: 120_000 });
    await waitFor('the re-run to end', async () => (processTreeOf(script).length === 0 ? true : undefined), { timeoutMs: 120_000 });
    await workbench.screenshot('comparison');
    await forDocs(workbench.webviewElement(e2e().extensionId), 'compare.png');
    const text = (await panel.locator('body').innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Before \/ after/, `the panel shows the comparison: ${text.slice(0, 500)}`);
    assert.match(text, /batches\/s before .* batches\/s after/, `the comparison shows throughput of both runs: ${text.slice(0, 500)}`);

    // Issue 18: the fix the finding measured makes training faster beyond noise, run plainly, and
    // the gain the panel shows is the one the script's own clock saw in the same two runs. Those
    // runs, not the plain ones, are the reference: the editor and its browser share the machine's
    // cores with the fixed script's worker processes (on 2 cores the plain and editor gains differed
    // by 10–30% in clean-clone runs), and the panel measures the runs it ran.
    const verdict = panel.locator('.verdict').first();
    const shownVerdict = await verdict.getAttribute('data-verdict');
    const changePct = Number(await verdict.getAttribute('data-change-pct'));
    const plainRatio = plainAfter / plainBefore;
    const shownRatio = 1 + changePct / 100;
    const editorRuns = editorRunResults(resultFile);
    assert.equal(editorRuns.length, 2, `the script's own figures of the baseline and the re-run, in ${resultFile}`);
    const [editorBefore, editorAfter] = editorRuns.map((r) => r.batchesPerSec) as [number, number];
    const editorRatio = editorAfter / editorBefore;
    process.stderr.write(
      `      plain ${plainBefore.toFixed(1)} → ${plainAfter.toFixed(1)} batches/s (×${plainRatio.toFixed(2)}); ` +
        `in the editor, script's clock ${editorBefore.toFixed(1)} → ${editorAfter.toFixed(1)} (×${editorRatio.toFixed(2)}); ` +
        `panel ×${shownRatio.toFixed(2)}, verdict ${shownVerdict}: ${await verdict.innerText()}\n`,
    );
    assert.equal(shownVerdict, 'faster', `the comparison's verdict: ${await verdict.innerText()}`);
    assert.ok(plainRatio > 1.1, `run plainly, the fixed script is faster: ${plainBefore} → ${plainAfter} batches/s`);
    assert.ok(Math.abs(shownRatio / editorRatio - 1) < 0.1, `the panel's gain ×${shownRatio.toFixed(2)} is the script's own ×${editorRatio.toFixed(2)} in the same runs (within 10%)`);
  });
});
