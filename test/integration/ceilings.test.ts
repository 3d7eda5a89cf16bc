/**
 * `trainlens record --ceilings` on scripts with constructed costs (test/python/scripts and
 * test/fixtures/ceilings ceiling_truth): loading a batch waits about 40 ms and a training step
 * about 25 ms. The truth is the recorded run's own clock, which says how long those took on this
 * machine: the data-only ceiling is 1 / its mean wait for a batch, the compute-only one 1 / the
 * mean rest of its step.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../../src/core/summary';
import type { ScriptResult } from '../script-result';
import { REPO, record, tempDir } from './cli-harness';

const TOLERANCE = 0.1;

const PYTORCH_SCRIPT = path.join(REPO, 'test', 'python', 'scripts', 'ceiling_truth.py');
const TFJS_SCRIPT = path.join(REPO, 'test', 'fixtures', 'ceilings', 'ceiling_truth.js');

function within(actual: number | null, expected: number, what: string): void {
  assert.ok(actual !== null && Math.abs(actual - expected) / expected <= TOLERANCE, `${what}: ${actual} is not within ${TOLERANCE * 100}% of ${expected}`);
}

/** Records with --ceilings; the script appends one line to its result file when it finishes. */
function recordWithCeilings(script: string, args: string[] = []) {
  const resultFile = path.join(tempDir(), 'result.jsonl');
  const run = record(script, ['--result', resultFile, ...args], { extra: ['--ceilings'] });
  assert.equal(run.code, 0, run.stderr);
  const summary = run.summary as RunSummary;
  assert.ok(summary.ceilings, 'the summary has ceilings');
  // The probes ran the same command, but ended before the script's end: its output and files are the run's alone.
  // With --json the script's stdout goes to stderr, leaving stdout to the summary.
  assert.equal(run.stderr.split('\n').filter((l) => l.startsWith('SCRIPT_RESULT ')).length, 1, run.stderr);
  const lines = fs.readFileSync(resultFile, 'utf8').trim().split('\n');
  assert.equal(lines.length, 1, `the result file has one line: ${lines.join(' | ')}`);
  assert.equal((JSON.parse(lines[0]!) as { steps: number }).steps, summary.steps);
  return { summary, ceilings: summary.ceilings, truth: truthOf(run.scriptResult!) };
}

/** Batches/s of loading alone and of training alone, from the script's own split of its steps. */
function truthOf(own: ScriptResult): { dataOnly: number; computeOnly: number; actual: number } {
  const dataShare = own.dataShare!;
  return { dataOnly: own.batchesPerSec / dataShare, computeOnly: own.batchesPerSec / (1 - dataShare), actual: own.batchesPerSec };
}

function assertGap(summary: RunSummary, truth: ReturnType<typeof truthOf>): void {
  const c = summary.ceilings!;
  assert.equal(c.actualBatchesPerSec, summary.throughput.batchesPerSec);
  const ceiling = Math.min(truth.dataOnly, truth.computeOnly);
  within(c.ceilingBatchesPerSec, ceiling, 'ceiling');
  assert.ok(Math.abs(c.gap! - (c.ceilingBatchesPerSec! - c.actualBatchesPerSec!) / c.ceilingBatchesPerSec!) < 1e-9);
  // Loading and compute in turn: the run's own rate against the lower of its own ceilings.
  const expectedGap = 1 - truth.actual / ceiling;
  assert.ok(Math.abs(c.gap! - expectedGap) <= 0.1, `gap ${c.gap} vs ${expectedGap}`);
}

describe('trainlens record --ceilings', function () {
  this.timeout(180_000);

  it("PyTorch DataLoader: data-only and compute-only ceilings within 10% of the run's own clock", () => {
    const { summary, ceilings, truth } = recordWithCeilings(PYTORCH_SCRIPT);
    within(ceilings.dataOnlyBatchesPerSec, truth.dataOnly, 'data-only');
    within(ceilings.computeOnlyBatchesPerSec, truth.computeOnly, 'compute-only');
    assertGap(summary, truth);
    assert.equal(ceilings.note, null);
    // The workers the input-bound finding offers cannot make steps beat the compute-only ceiling (issue 18).
    const finding = summary.findings.find((f) => f.code === 'input-bound');
    assert.ok(finding && finding.fixes.includes('dataloader-workers'), finding?.message);
    const expectedRate = 1000 / finding.evidence.expectedStepMs!;
    assert.ok(expectedRate <= ceilings.computeOnlyBatchesPerSec! * (1 + 1e-9), `${expectedRate} batches/s expected, above the compute-only ceiling ${ceilings.computeOnlyBatchesPerSec}`);
  });

  it('PyTorch without a DataLoader: no data ceiling, with the reason; compute from optimizer steps', () => {
    const { ceilings, truth } = recordWithCeilings(PYTORCH_SCRIPT, ['--no-loader', '--steps', '60']);
    assert.equal(ceilings.dataOnlyBatchesPerSec, null);
    assert.match(ceilings.note ?? '', /data-only: a training step ran before any DataLoader was iterated/);
    within(ceilings.computeOnlyBatchesPerSec, truth.computeOnly, 'compute-only');
  });

  it("tfjs fitDataset: data-only and compute-only ceilings within 10% of the run's own clock", () => {
    const { summary, ceilings, truth } = recordWithCeilings(TFJS_SCRIPT);
    within(ceilings.dataOnlyBatchesPerSec, truth.dataOnly, 'data-only');
    within(ceilings.computeOnlyBatchesPerSec, truth.computeOnly, 'compute-only');
    assertGap(summary, truth);
    assert.equal(ceilings.note, null);
  });

  it('tfjs optimizer.minimize loop over a dataset: compute from replayed batches, no data ceiling', () => {
    const { ceilings, truth } = recordWithCeilings(TFJS_SCRIPT, ['--loop']);
    assert.equal(ceilings.dataOnlyBatchesPerSec, null);
    assert.match(ceilings.note ?? '', /no data pipeline to measure/);
    within(ceilings.computeOnlyBatchesPerSec, truth.computeOnly, 'compute-only');
  });
});
