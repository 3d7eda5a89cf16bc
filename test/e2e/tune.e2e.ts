/**
 * Issue 19's panel: TrainLens: Tune Training on the input-bound example with a short budget
 * (trainlens.tune.budgetSeconds). The panel must list exactly the trials the tuner recorded (each
 * row's rate is its recording's summary), plot one point per trial with a rate, end early on Stop
 * with what was measured, and Apply must write the file as `trainlens tune --apply-best` would for
 * the same best settings. The machine is shared, so no speed-up is asserted: only consistency.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { REPO_ROOT } from '../../scripts/code-server';
import { loadGrammars, wasmInNodeModules } from '../../src/core/fixes/grammars';
import type { RunSummary } from '../../src/core/summary';
import { editForSettings } from '../../src/core/tune/apply';
import { fixesForSettings } from '../../src/core/tune/fixes';
import type { TuneSettings } from '../../src/core/tune/settings';
import { availableCores } from '../../src/host/analysis';
import { e2e, setWorkspaceSettings, sharedEditor, workspaceFile } from './environment';
import { INPUT_BOUND } from './examples';
import { processTreeOf } from '../processes';
import { waitFor, type Workbench } from './workbench';

const TUNE_TITLE = 'TrainLens: Tune Training';
/** Enough for the baseline and a rung or two of the input-bound example's 9 settings; short for CI. */
const BUDGET_S = 40;
/**
 * A pristine copy of the input-bound example beside it (with its _measure.py): an earlier test
 * applies the workers fix to input_bound.py itself, and the tuning must start from num_workers=0.
 */
const SCRIPT = 'pytorch/tune_input_bound.py';
/** Trials stop at their step limit, long before the script would end. */
const SCRIPT_ARGS = ['--steps', '100000'];

interface PanelRow {
  index: number;
  rung: number;
  status: string;
  settings: string;
  steps: number;
  batchesPerSec: number | null;
  recording: string | null;
}

/** The tuning panel's document (the performance panel may be open beside it, from earlier tests). */
async function tunePanel(workbench: Workbench): Promise<FrameLocator> {
  const outer = `iframe.webview.ready[src*="extensionId=${e2e().extensionId}"]`;
  return waitFor('the tuning panel', async () => {
    const count = await workbench.page.locator(outer).count();
    for (let i = 0; i < count; i++) {
      const frame = workbench.page.frameLocator(outer).nth(i).frameLocator('#active-frame');
      if ((await frame.locator('#tune-progress').count()) > 0) return frame;
    }
    return undefined;
  }, { timeoutMs: 30_000 });
}

async function rowsOf(panel: FrameLocator): Promise<PanelRow[]> {
  return panel.locator('#tune-trials tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const d = (tr as unknown as { dataset: Record<string, string | undefined> }).dataset;
      return {
        index: Number(d.index),
        rung: Number(d.rung),
        status: d.status ?? '',
        settings: d.settings ?? '',
        steps: Number(d.steps),
        batchesPerSec: d.batchesPerSec === undefined ? null : Number(d.batchesPerSec),
        recording: d.recording ?? null,
      };
    }),
  );
}

const phaseOf = (panel: FrameLocator): Promise<string | null> => panel.locator('#tune-progress').getAttribute('data-phase');

/** Waits for the verdict, then checks the panel against the recordings the trials left. */
async function checkAgainstRecordings(panel: FrameLocator, what: string): Promise<{ rows: PanelRow[]; tuneDir: string }> {
  await waitFor(`${what}: the verdict`, async () => ((await phaseOf(panel)) === 'done' ? true : undefined), { timeoutMs: (BUDGET_S + 60) * 1000 });
  const rows = await rowsOf(panel);
  process.stderr.write(`      ${what}: ${rows.map((r) => `#${r.index} r${r.rung} ${r.settings} ${r.batchesPerSec?.toFixed(1) ?? '—'} ${r.status}`).join(' | ')}\n`);
  assert.ok(rows.length >= 1, `${what}: the panel lists trials`);
  assert.deepEqual(rows.map((r) => r.index), rows.map((_, i) => i), `${what}: rows in the order the trials ran`);
  const recordings = rows.map((r) => r.recording ?? assert.fail(`${what}: trial #${r.index} has a recording`));
  const tuneDir = path.dirname(recordings[0]!);
  assert.equal(path.dirname(tuneDir), workspaceFile('.trainlens/runs'), `${what}: trials are recorded under the workspace's runs`);
  assert.match(path.basename(tuneDir), /^tune-/);
  // Every recording of this tuning is a row, and every row one of its recordings.
  const onDisk = fs.readdirSync(tuneDir).filter((name) => fs.existsSync(path.join(tuneDir, name, 'summary.json'))).map((name) => path.join(tuneDir, name));
  assert.deepEqual([...recordings].sort(), onDisk.sort(), `${what}: the panel's rows are the recordings of ${tuneDir}`);
  for (const row of rows) {
    const summary = JSON.parse(fs.readFileSync(path.join(row.recording!, 'summary.json'), 'utf8')) as RunSummary;
    assert.equal(row.steps, summary.steps, `${what}: trial #${row.index}'s steps`);
    // A rate is shown for the trials the verdict counts (measured as planned, or run to the end).
    const counts = row.status === 'measured' || row.status === 'completed';
    assert.equal(row.batchesPerSec, counts ? summary.throughput.batchesPerSec : null, `${what}: trial #${row.index} (${row.status})'s batches/s`);
  }
  const points = Number(await panel.locator('#tune-chart .plot').getAttribute('data-points'));
  assert.equal(points, rows.filter((r) => r.batchesPerSec !== null).length, `${what}: one chart point per trial with a rate`);
  if (points > 0) assert.ok((await panel.locator('#tune-chart canvas').count()) >= 1, `${what}: the chart is drawn`);
  return { rows, tuneDir };
}

describe('Tune Training panel (issue 19)', function () {
  it(`shows trials live in the panel, Stop keeps what was measured, Apply writes as --apply-best`, async function () {
    this.timeout(2 * (BUDGET_S + 90) * 1000);
    const session = await sharedEditor();
    const { workbench } = session;
    await setWorkspaceSettings(session, { 'trainlens.args': SCRIPT_ARGS, 'trainlens.tune.budgetSeconds': BUDGET_S });
    const script = workspaceFile(SCRIPT);
    fs.copyFileSync(path.join(REPO_ROOT, 'examples', INPUT_BOUND), script);
    const before = fs.readFileSync(script, 'utf8');
    await workbench.openFile(SCRIPT);

    // 1. Stop: after the first setting tried has ended, Stop in the panel ends the tuning early.
    const stopStarted = Date.now();
    await workbench.runCommand(TUNE_TITLE);
    let panel = await tunePanel(workbench);
    const live = await waitFor('a setting tried to end', async () => {
      const rows = await rowsOf(panel);
      return rows.some((r) => r.rung >= 0 && !r.settings.startsWith('as written')) ? rows : undefined;
    }, { timeoutMs: (BUDGET_S + 60) * 1000 });
    const left = Number(await panel.locator('#tune-progress .time').getAttribute('data-seconds-left'));
    assert.ok(left > 0 && left < BUDGET_S, `time left in the budget is counted down: ${left} s of ${BUDGET_S}`);
    await panel.locator('#tune-progress button.stop').click();
    const stopped = await checkAgainstRecordings(panel, 'stopped');
    assert.ok(stopped.rows.length <= live.length + 1, `after Stop no new trial starts: ${live.length} listed at Stop, ${stopped.rows.length} at the end`);
    const elapsedMs = Number(await panel.locator('#tune-progress .time').getAttribute('data-elapsed-ms'));
    assert.ok(elapsedMs < BUDGET_S * 1000, `Stop ended tuning before its budget: ${elapsedMs} ms of ${BUDGET_S} s`);
    assert.match(await panel.locator('#tune-trials .notes').innerText(), /stopped before its budget was spent/);
    assert.ok(await panel.locator('#tune-verdict .sentence').isVisible(), 'the verdict of what was measured is shown');
    assert.equal(processTreeOf(script).length, 0, 'no trial is left running');
    process.stderr.write(`      stopped tuning: ${((Date.now() - stopStarted) / 1000).toFixed(1)} s\n`);

    // 2. The whole budget, then Apply. The script's editor is active again (Stop focused the panel).
    await workbench.openFile(SCRIPT);
    await workbench.runCommand(TUNE_TITLE);
    panel = await tunePanel(workbench);
    await waitFor('the new tuning to start', async () => ((await phaseOf(panel)) === 'running' ? true : undefined), { timeoutMs: 30_000 });
    const full = await checkAgainstRecordings(panel, 'full');
    assert.notEqual(full.tuneDir, stopped.tuneDir, 'each tuning records into its own folder');
    const verdict = panel.locator('#tune-verdict');
    const sentence = await verdict.locator('.sentence').innerText();
    const best = JSON.parse((await verdict.getAttribute('data-best')) ?? '{}') as TuneSettings;
    process.stderr.write(`      verdict: ${sentence}\n`);
    if ((await verdict.getAttribute('data-can-apply')) !== 'true') {
      // A busy machine may leave every setting within the noise band: then there is nothing to write.
      assert.deepEqual(best, {}, 'no Apply means the script’s own settings stay best');
      assert.ok(await verdict.locator('button.apply').isHidden());
      assert.equal(fs.readFileSync(script, 'utf8'), before);
      return;
    }
    // What --apply-best writes for these settings: the same fixes at the baseline's DataLoader call.
    const baseline = JSON.parse(fs.readFileSync(path.join(full.rows[0]!.recording!, 'summary.json'), 'utf8')) as RunSummary;
    const loader = baseline.loaders[0] ?? assert.fail('the baseline saw the DataLoader');
    assert.equal(loader.file, script, 'the fixes write at the DataLoader call in the script');
    const grammars = await loadGrammars(wasmInNodeModules(path.join(REPO_ROOT, 'node_modules')), ['python']);
    const expected = editForSettings(grammars, before, 'python', fixesForSettings(best).fixes, {
      cores: availableCores(),
      cuda: baseline.device === 'cuda',
      torchVersion: baseline.framework === 'pytorch' ? baseline.frameworkVersion : null,
      platform: process.platform,
      line: loader.line,
    });
    assert.ok(expected.text !== null, `the CLI's edit applies: ${expected.refused.join('; ')}`);

    await verdict.locator('button.apply').click();
    await waitFor('Apply to report what it wrote', async () => ((await verdict.locator('.applied').count()) > 0 ? true : undefined), { timeoutMs: 30_000 });
    assert.match(await verdict.locator('.applied').innerText(), /^Applied /);
    await workbench.openFile(SCRIPT);
    await workbench.page.keyboard.press('Control+S');
    await waitFor('the edit to be saved', async () => (fs.readFileSync(script, 'utf8') !== before ? true : undefined));
    assert.equal(fs.readFileSync(script, 'utf8'), expected.text, 'Apply wrote what --apply-best writes');
    assert.ok(await verdict.locator('button.apply').isHidden(), 'Apply is offered once');
    await workbench.screenshot('tune-applied');
  });
});
