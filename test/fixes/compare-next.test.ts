/**
 * A re-measured fix that did not help (or made training slower) says what the after run's figures
 * point to next. The pairs are issue 18's: input_bound.py given num_workers=1 (42.2 → 42.1
 * batches/s, data still 93%), and a change after which the step is compute-bound.
 */
import * as assert from 'assert';
import { compareRuns, nextStep } from '../../src/core/compare';
import { compareNotification } from '../../src/core/editor-view/compare-message';
import type { Finding } from '../../src/core/findings/finding';
import type { HotLine, RunSummary } from '../../src/core/summary';
import { summaryWith } from './summary-fixture';

const STEP_MS = 1000 / 42.1;

function inputBoundFinding(evidence: Record<string, number>): Finding {
  return { code: 'input-bound', severity: 'high', title: 'Input-bound: steps wait for data', message: '', evidence, locations: [], fixes: ['dataloader-workers'], impact: 0.93 };
}

/** input_bound.py as recorded with num_workers=0, and after a fix that left data 93% of the step (its input-bound finding's evidence given). */
const before = summaryWith({ batchesPerSec: 42.2, stages: { data: { ms: 22.0, share: 0.93 }, forward: { ms: 1.7, share: 0.07 } } });
function afterFix(evidence: Record<string, number>): RunSummary {
  return summaryWith({
    batchesPerSec: 42.1,
    stages: { data: { ms: 0.93 * STEP_MS, share: 0.93 }, forward: { ms: 0.07 * STEP_MS, share: 0.07 } },
    findings: [inputBoundFinding(evidence)],
  });
}

describe('re-run and compare: what to try next', () => {
  it('a worker that changed nothing: data is still most of the step, loading serial in the worker, with the count and gain the after run measured', () => {
    const after = afterFix({ numWorkers: 1, suggestedWorkers: 8, loadMsPerBatch: STEP_MS, expectedSpeedup: 8.1 });
    const c = compareRuns(before, after);
    assert.strictEqual(c.verdict, 'no-change');
    assert.strictEqual(c.next, 'data is still 93% of the step: loading is serial in each worker (23.8 ms per batch in each of 1) — try num_workers=8 (expected up to 8.1× faster)');
    assert.ok(c.sentence.endsWith(` Next: ${c.next}.`), c.sentence);
    assert.strictEqual(
      compareNotification(c),
      'TrainLens: no measurable change: 42.2 → 42.1 batches/s is within ±5% noise, assumed. Next: data is still 93% of the step: loading is serial in each worker (23.8 ms per batch in each of 1) — try num_workers=8 (expected up to 8.1× faster).',
    );
  });

  it('a slower run whose loading no worker count helps names the data-loading line to make cheaper', () => {
    const line: HotLine = { file: '/w/dataset.py', line: 14, share: 0.8, samples: 800, ms: 19_000, stage: 'data', stageShares: { data: 1 }, fn: '__getitem__', path: [] };
    const measured = afterFix({ numWorkers: 0, suggestedWorkers: 0, expectedSpeedup: 1 });
    const after = { ...measured, hotLines: [line], throughput: { ...measured.throughput, batchesPerSec: 30 } };
    const c = compareRuns(before, after);
    assert.strictEqual(c.verdict, 'slower');
    assert.strictEqual(c.next, 'data is still 93% of the step and more workers would not help by its figures: make each batch cheaper to load, starting at dataset.py:14');
    assert.match(compareNotification(c), /^TrainLens: 29% slower: 42\.2 → 30\.0 batches\/s \(±5% noise, assumed\)\. Next: data is still 93% of the step and more workers/);
  });

  it("with workers, names no line: the main process's data line is the loop that waits for them", () => {
    const loop: HotLine = { file: '/w/train.py', line: 55, share: 0.2, samples: 200, ms: 4_000, stage: 'data', stageShares: { data: 1 }, fn: 'main', path: [] };
    const after = { ...afterFix({ numWorkers: 2, suggestedWorkers: 2, expectedSpeedup: 1 }), hotLines: [loop] };
    assert.strictEqual(nextStep(after), 'data is still 93% of the step and more workers would not help by its figures: make each batch cheaper to load');
  });

  it('a step that is now compute-bound names its largest compute stage', () => {
    const after = summaryWith({ batchesPerSec: 41.5, stages: { data: { ms: 2, share: 0.08 }, forward: { ms: 14.5, share: 0.6 }, backward: { ms: 7.7, share: 0.32 } } });
    const c = compareRuns(before, after);
    assert.strictEqual(c.next, 'the step is now compute-bound: forward is 60% of the step');
    assert.ok(c.sentence.endsWith('Next: the step is now compute-bound: forward is 60% of the step.'), c.sentence);
  });

  it('a faster run needs no next step, and a run without stage figures offers none', () => {
    const faster = compareRuns(before, summaryWith({ batchesPerSec: 160, stages: { data: { ms: 4, share: 0.6 }, forward: { ms: 2.3, share: 0.4 } } }));
    assert.strictEqual(faster.verdict, 'faster');
    assert.strictEqual(faster.next, null);
    assert.strictEqual(nextStep(summaryWith({ batchesPerSec: 42 })), null);
  });
});
