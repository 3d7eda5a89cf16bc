/**
 * The main loop, as a user runs it: open the input-bound PyTorch example, TrainLens: Profile
 * Training from the palette, watch the status bar, open the panel, read heat and diagnostics.
 * The CLI's `record --json` on the same script and arguments is the reference for the figures.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { RunSummary } from '../../src/core/summary';
import { e2e, forDocs, recordWithCli, setWorkspaceSettings, sharedEditor, workspaceFile, type EditorSession } from './environment';
import { processTreeOf } from '../processes';
import { TrainLensUi, isLive, type StatusReading } from './trainlens-ui';
import { waitFor } from './workbench';
import { INPUT_BOUND, INPUT_BOUND_ARGS, lineOf } from './examples';

/** Absolute difference allowed between the panel's data share and the CLI's (two separate runs). */
const SHARE_TOLERANCE = 0.1;

function percent(text: string): number | undefined {
  const match = /(\d+(?:\.\d+)?)\s*%/.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]) / 100;
}

interface Problem {
  code: string;
  line: number;
  /** The first percentage in the message: for input-bound, the data share of the step. */
  share: number | undefined;
  text: string;
}

/** TrainLens's rows in the Problems panel: "message … TrainLens(code) [Ln N, Col M]". */
async function trainLensProblems(rows: import('playwright-core').Locator): Promise<Problem[]> {
  const texts = await rows.filter({ hasText: 'TrainLens' }).allInnerTexts();
  return texts.flatMap((raw) => {
    const text = raw.replace(/\s+/g, ' ');
    // The source and code end the row; the brackets around the code may be drawn by CSS.
    const [, code, line] = /TrainLens\s*\(?\s*([\w-]+)\s*\)?\s*\[\s*Ln (\d+),[^\]]*\]\s*$/.exec(text) ?? [];
    if (code === undefined || line === undefined) throw new Error(`a TrainLens row without code or line: "${text}"`);
    return [{ code, line: Number(line), share: percent(text), text }];
  });
}

describe('Profile Training: the input-bound PyTorch example', function () {
  let session: EditorSession;
  let ui: TrainLensUi;
  let reference: RunSummary;
  let commandAt = 0;
  let statusSeen: StatusReading[] = [];
  const liveProblems: Problem[] = [];

  before(async function () {
    this.timeout(180_000);
    reference = await e2e().timings.measure('CLI reference: trainlens record --json input_bound.py', () =>
      recordWithCli(workspaceFile(INPUT_BOUND), INPUT_BOUND_ARGS),
    );
    assert.equal(reference.status, 'completed', `the CLI reference run completed (${reference.status})`);
    assert.ok(reference.stages.data, 'the CLI measured a data stage');
    session = await sharedEditor();
    ui = new TrainLensUi(session.workbench, e2e().extensionId);
    await setWorkspaceSettings(session, { 'trainlens.args': INPUT_BOUND_ARGS });
  });

  it('shows batches/s > 0 in the status bar within a few seconds of the first steps', async function () {
    const { workbench } = session;
    await workbench.openFile(INPUT_BOUND);
    commandAt = await ui.profileActiveFile();
    const script = workspaceFile(INPUT_BOUND);
    // The first figures: the item then says "N batch/s"; before that "starting…", "waiting for the first step…".
    const firstFigures = await ui.watchStatus('the first figures in the status bar', (r) => isLive(r) && /batch\/s/.test(r.text), 30_000);
    const firstRate = await ui.watchStatus('batches/s > 0', (r) => isLive(r) && (r.batchesPerSec ?? 0) > 0, 5_000);
    statusSeen = [...firstFigures.seen, ...firstRate.seen];
    const live = processTreeOf(script).length > 0;
    await workbench.screenshot('status-bar-live');
    await forDocs(ui.statusItem(), 'status-bar.png');
    const toFigures = firstFigures.last.atMs - commandAt;
    const toRate = firstRate.last.atMs - firstFigures.last.atMs;
    e2e().timings.add('Profile Training → first figures in status bar', toFigures);
    assert.ok(live, `the run was still going when the status bar showed ${firstRate.last.text}`);
    // Steps are observed as soon as they happen (≤ 1 s status throttle): a rate follows within seconds.
    assert.ok(toRate <= 3000, `batches/s > 0 came ${toRate} ms after the first figures`);
    assert.ok(toFigures <= 20_000, `figures came ${toFigures} ms after the command (includes Python + torch start)`);
  });

  it('finishes the run and keeps the final figures in the status bar', async function () {
    this.timeout(120_000);
    const script = workspaceFile(INPUT_BOUND);
    // Problems while the run goes on: the live findings, read for the next test.
    const rows = await session.workbench.problems();
    await waitFor('the run to end', async () => {
      if (processTreeOf(script).length === 0) return true;
      liveProblems.push(...(await trainLensProblems(rows)));
      return undefined;
    }, { timeoutMs: 90_000, intervalMs: 500 });
    const done = await ui.watchStatus('final figures', (r) => (r.batchesPerSec ?? 0) > 0 && r.icon !== 'loading', 5_000);
    e2e().timings.add('input_bound.py run in the editor', Date.now() - commandAt);
    assert.notEqual(done.last.icon, 'error', `the run did not fail: ${done.last.text}`);
    process.stderr.write(`      status bar: ${JSON.stringify([...statusSeen, ...done.seen].map((s) => s.text))}\n`);
  });

  it('shows live findings that the final ones confirm: same finding, same line, a data share within 10 points', async function () {
    const rows = await session.workbench.problems();
    // The status bar showed the finished run (previous test): the diagnostics are the final ones.
    const finals = await waitFor('the final input-bound diagnostic', async () => {
      const seen = await trainLensProblems(rows);
      return seen.some((p) => p.code === 'input-bound') ? seen : undefined;
    });
    const live = liveProblems.filter((p) => p.code === 'input-bound');
    const brief = (p: Problem | undefined) => (p ? `${p.code}@${p.line} ${p.share === undefined ? '' : `${(p.share * 100).toFixed(0)}%`}` : 'none');
    process.stderr.write(`      live: ${live.length} readings, last ${brief(live.at(-1))}; final: ${finals.map(brief).join(', ')}\n`);
    assert.ok(live.length > 0, `an input-bound finding was shown while the run went on (${liveProblems.length} TrainLens problems seen live)`);
    // Every finding shown live is a final one, on a line the final one names too. A finding is shown
    // on each of its lines (the DataLoader's and its stage's hottest lines); a secondary hot line
    // may change rank as samples accrue (the dataset's return line live, its sleep line at the end).
    const finalKeys = new Set(finals.map((p) => `${p.code}@${p.line}`));
    for (const code of new Set(liveProblems.map((p) => p.code))) {
      const lines = liveProblems.filter((p) => p.code === code).map((p) => `${code}@${p.line}`);
      assert.ok(lines.some((key) => finalKeys.has(key)), `live ${[...new Set(lines)].join(', ')}: one of them among the final findings ${[...finalKeys].join(', ')}`);
    }
    const finalInput = finals.find((p) => p.code === 'input-bound' && p.share !== undefined);
    const lastLive = live.at(-1)!;
    assert.ok(finalInput?.share !== undefined && lastLive.share !== undefined, 'both say how much of the time steps wait for data');
    assert.ok(Math.abs(finalInput.share - lastLive.share) <= 0.1, `data share live ${lastLive.share} vs final ${finalInput.share}`);
  });

  it('shows charts and a stage table whose data share matches the CLI', async function () {
    const panel = await ui.openPanel();
    // The finished run's figures (steady state), not the live window of the last seconds.
    await panel.locator('.status[data-status="completed"]').waitFor({ state: 'visible', timeout: 20_000 });
    // uPlot draws each chart into a canvas inside its card.
    const charts = panel.locator('section.chart');
    await charts.locator('.uplot canvas').first().waitFor({ state: 'visible', timeout: 15_000 });
    const titles = await charts.locator('h3').allInnerTexts();
    assert.ok(titles.includes('Throughput'), `a throughput chart: ${JSON.stringify(titles)}`);
    assert.ok(titles.some((t) => t.startsWith('Stage breakdown')), `a stage breakdown chart: ${JSON.stringify(titles)}`);
    assert.ok((await charts.locator('.uplot canvas').count()) >= 2, 'the charts are drawn');

    const dataRow = panel.locator('table.stages tbody tr[data-stage="data"]');
    await dataRow.waitFor({ state: 'visible', timeout: 15_000 });
    const cells = await dataRow.getByRole('cell').allInnerTexts();
    const shown = cells.map(percent).find((p) => p !== undefined);
    const raw = Number(await dataRow.getAttribute('data-share'));
    assert.ok(shown !== undefined, `the data row shows a share: ${JSON.stringify(cells)}`);
    assert.ok(Math.abs(shown - raw) < 0.01, `the shown share ${cells.join(' | ')} is the row's figure ${raw}`);
    const cliShare = reference.stages.data?.share ?? NaN;
    await session.workbench.screenshot('panel');
    await forDocs(session.workbench.webviewElement(e2e().extensionId), 'panel.png');
    await charts.first().scrollIntoViewIfNeeded();
    await session.workbench.screenshot('panel-charts');
    await forDocs(session.workbench.webviewElement(e2e().extensionId), 'panel-charts.png');
    process.stderr.write(`      data share: panel ${(raw * 100).toFixed(1)}% · CLI ${(cliShare * 100).toFixed(1)}%\n`);
    assert.ok(
      Math.abs(raw - cliShare) <= SHARE_TOLERANCE,
      `data share: panel ${(raw * 100).toFixed(1)}% vs CLI ${(cliShare * 100).toFixed(1)}% (tolerance ${SHARE_TOLERANCE * 100} points)`,
    );
  });

  it('puts heat on the hot line, in the file the CLI names', async function () {
    const hot = reference.hotLines[0];
    assert.ok(hot, 'the CLI found hot lines');
    const relative = path.relative(e2e().workspace, hot.file);
    assert.ok(!relative.startsWith('..'), `the hottest line is in the workspace: ${hot.file}:${hot.line}`);
    const { workbench } = session;
    await workbench.openFile(relative);
    const { text, overlay } = await workbench.editorLine(hot.line);
    // Heat is a whole-line decoration: a `.cdr` block in the overlay row with a background colour.
    const heated = await waitFor(`heat on ${relative}:${hot.line}`, async () => {
      const backgrounds = await overlay.locator('.cdr').evaluateAll((els) =>
        els.map((el) => el.ownerDocument.defaultView?.getComputedStyle(el).backgroundColor ?? '').filter((c) => c !== '' && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent'),
      );
      return backgrounds.length > 0 ? backgrounds : undefined;
    });
    // Decoration text (`after.contentText`) is drawn by CSS ::after rules, so read those too.
    const lineText = await text.evaluate((line) => {
      const view = line.ownerDocument.defaultView;
      const pseudo = [...line.querySelectorAll('span')].map((span) => view?.getComputedStyle(span, '::after').content ?? 'none');
      const injected = pseudo.filter((c) => c !== 'none' && c !== 'normal' && c !== '""').map((c) => c.replace(/^"|"$/g, ''));
      return [line.textContent ?? '', ...injected].join(' ');
    });
    await workbench.screenshot('heat');
    await forDocs(workbench.editorPart(), 'heat.png');
    assert.ok(heated.length > 0);
    // The inline text at the end of a hot line: "12.3% of run time · data".
    assert.match(lineText.replace(/\u00a0/g, ' '), /\d+(\.\d+)?% of run time\s*·\s*\w+/, `inline share on the hot line: "${lineText}"`);
  });

  it('puts the input-bound diagnostic on the DataLoader line', async function () {
    const dataLoaderLine = lineOf(INPUT_BOUND, /DataLoader\(/);
    const rows = await session.workbench.problems();
    // One diagnostic per location of the finding (the DataLoader and its hot data-loading lines): take the DataLoader's.
    const row = rows.filter({ hasText: 'input-bound' }).filter({ hasText: `[Ln ${dataLoaderLine},` }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    await session.workbench.screenshot('problems');
    assert.match(text, /TrainLens/, `the diagnostic's source is TrainLens: ${text}`);
    assert.match(text, new RegExp(`\\[Ln ${dataLoaderLine}, Col \\d+\\]`), `on the DataLoader line ${dataLoaderLine}: ${text}`);
    const fileRow = await rows.filter({ hasText: 'input_bound.py' }).count();
    assert.ok(fileRow > 0, 'under input_bound.py');
  });
});
