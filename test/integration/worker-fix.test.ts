/**
 * The input-bound workers fix, end to end on this machine (issue 18): record an example, apply the
 * fixes its findings offer with `trainlens fix latest --apply`, re-record, and compare. The gain
 * must lie beyond the noise band (compare.ts's) of plain runs recorded in the same test, alternated
 * with the fixed ones so that a machine growing busier or quieter moves both alike.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compareRuns } from '../../src/core/compare';
import type { RunSummary } from '../../src/core/summary';
import { example, runCli, tempDir, TORCH_PYTHON } from './cli-harness';

/** Alternating, plain first (its finding gives the fix): four plain runs give the noise band. */
const ORDER = ['plain', 'fixed', 'plain', 'fixed', 'plain', 'fixed', 'plain'] as const;

interface Measured {
  finding: RunSummary['findings'][number];
  /** False when the finding offered no workers: the "fixed" runs then use one worker per core, written by hand. */
  offered: boolean;
  workersWritten: number;
  /** The fixed file sizes torch's thread pools to 1 thread before its imports. */
  poolsWritten: boolean;
  plain: RunSummary[];
  fixed: RunSummary[];
}

/** Records `script` in a folder of its own (a copy, since the fix edits it), applying the fix after the first plain run. */
function measureFix(script: string, steps: number): Measured {
  const cwd = tempDir('trainlens-worker-fix-');
  for (const file of [script, '_measure.py']) fs.copyFileSync(example('pytorch', file), path.join(cwd, file));
  const file = path.join(cwd, script);
  const original = fs.readFileSync(file, 'utf8');
  let fixedText: string | null = null;
  let offered = true;
  let finding: RunSummary['findings'][number] | undefined;
  const plain: RunSummary[] = [];
  const fixed: RunSummary[] = [];
  for (const kind of ORDER) {
    if (kind === 'fixed' && fixedText === null) {
      offered = finding!.fixes.includes('dataloader-workers');
      if (offered) {
        const fix = runCli(['fix', 'latest', '--apply'], { cwd });
        assert.equal(fix.code, 0, fix.stderr);
        fixedText = fs.readFileSync(file, 'utf8');
      } else {
        // The figures said workers cannot help: measure what they would have done anyway.
        fixedText = original.replace(/num_workers=0\)/, `num_workers=${finding!.evidence.cores ?? 2})`);
      }
    }
    fs.writeFileSync(file, kind === 'plain' ? original : fixedText!);
    const run = runCli(['record', '--json', '--', TORCH_PYTHON, script, '--steps', String(steps)], { cwd });
    assert.equal(run.code, 0, run.stderr);
    const summary = run.summary!;
    (kind === 'plain' ? plain : fixed).push(summary);
    finding ??= summary.findings.find((f) => f.code === 'input-bound');
    assert.ok(finding, `the first plain run of ${script} is input-bound: ${summary.findings.map((f) => f.code).join(', ')}`);
  }
  // The DataLoader call's argument (the docstrings mention num_workers=0 too).
  const written = /DataLoader\(.*num_workers=(\d+)/.exec(fixedText!)?.[1];
  const poolsWritten = /^os\.environ\["OPENBLAS_NUM_THREADS"\] = "1"$/m.test(fixedText!);
  return { finding: finding!, offered, workersWritten: Number(written), poolsWritten, plain, fixed };
}

const rate = (run: RunSummary): number => run.throughput.batchesPerSec ?? 0;

/** The run of median throughput (the lower middle one of an even count). */
function medianRun(runs: RunSummary[]): RunSummary {
  return [...runs].sort((a, b) => rate(a) - rate(b))[Math.floor((runs.length - 1) / 2)]!;
}

/** The median plain run against the median fixed one, within the plain runs' noise band; the figures are printed whatever the verdict. */
function measuredVerdict(m: Measured, script: string): { verdict: string; figures: string } {
  const c = compareRuns(medianRun(m.plain), medianRun(m.fixed), { batchesPerSec: m.plain.map(rate) });
  const list = (runs: RunSummary[]) => runs.map((r) => rate(r).toFixed(1)).join(', ');
  const offer = m.offered ? `expected up to ${m.finding.evidence.expectedSpeedup?.toFixed(2)}×` : 'not offered: written by hand';
  const figures = `${script}: num_workers=${m.workersWritten}${m.poolsWritten ? ' and thread pools at 1' : ''} (${offer}); plain ${list(m.plain)} batches/s; with workers ${list(m.fixed)}; ${c.sentence}`;
  console.log(`      ${figures}`);
  return { verdict: c.verdict, figures };
}

function assertGainBeyondNoise(m: Measured, script: string): void {
  const { verdict, figures } = measuredVerdict(m, script);
  assert.equal(verdict, 'faster', figures);
}

describe('the input-bound workers fix, measured (issue 18)', function () {
  this.timeout(600_000);

  it('input_bound.py (loading sleeps): the workers the finding measured are several, and the fixed runs are faster beyond noise', () => {
    const m = measureFix('input_bound.py', 100);
    assert.equal(m.finding.evidence.loadingWaits, 1, m.finding.message);
    // The fix writes the count the finding derived, never one worker for loading that dwarfs the step.
    assert.equal(m.workersWritten, m.finding.evidence.suggestedWorkers);
    assert.ok(m.workersWritten > 1, m.finding.message);
    assertGainBeyondNoise(m, 'input_bound.py');
  });

  it('python_transform.py (loading computes in Python): workers offered only where they measure faster beyond noise', () => {
    // Long enough for 1 Hz telemetry to measure the idle cores in its steady state.
    const m = measureFix('python_transform.py', 400);
    assert.equal(m.finding.evidence.loadingWaits, 0, m.finding.message);
    if (!m.offered) {
      // The figures said workers would not help (other programs keep the cores busy): one per core,
      // measured, must not be faster beyond noise either.
      assert.match(m.finding.message, /more workers would not help/);
      const { verdict, figures } = measuredVerdict(m, 'python_transform.py');
      assert.notEqual(verdict, 'faster', `TrainLens said workers would not help, yet: ${figures}`);
      return;
    }
    assert.equal(m.workersWritten, m.finding.evidence.suggestedWorkers);
    assert.ok(m.workersWritten > 1 && m.workersWritten <= m.finding.evidence.cores!, m.finding.message);
    // Where torch's pools spun beside the loading, the gain assumes them at 1 thread: the fix writes that too.
    assert.equal(m.poolsWritten, m.finding.evidence.spinningCores !== undefined, m.finding.message);
    assertGainBeyondNoise(m, 'python_transform.py');
  });
});
