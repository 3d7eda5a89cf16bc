/**
 * Runs whose runner timed the stages of only a sample of steps: stage figures come from the staged
 * steps alone, samples/s from the steps that knew their samples where only unstaged ones did not,
 * and the summary, the stage tables and the report say over how many steps stages were timed.
 */
import assert from 'node:assert/strict';
import { RunAggregator, stagesOf, throughputOf } from '../../src/core/aggregator';
import { summaryStageTable } from '../../src/core/view/view-tables';
import { formatReport } from '../../src/cli/report-format';
import { STAGE_NAMES, type StepEvent } from '../../src/protocol/events';
import type { RecordedEvent } from '../../src/protocol/recording';
import { syntheticRun } from '../panel/synthetic-run';
import { isStagedStep, sampleStages, stepsOf, unstaged } from './sampled-stages';

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const near = (actual: number | null | undefined, expected: number, at: string): void =>
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${at}: ${actual} vs ${expected}`);

function aggregate(events: readonly RecordedEvent[]): RunAggregator {
  const aggregator = new RunAggregator();
  for (const event of events) aggregator.add(event);
  return aggregator;
}

/** A step of `ms` split 1:3 between data and forward; `samples`/`tokens` when given. */
function step(index: number, ms: number, counts: { samples?: number; tokens?: number } = {}): StepEvent {
  return { type: 'step', index, t: index * 10, ms, stages: { data: ms / 4, forward: (3 * ms) / 4 }, ...counts };
}

describe('runs whose runner timed the stages of a sample of steps', () => {
  it("takes each stage's ms per step and share over the staged steps only, and says how many there were", () => {
    // 10 of every 100 steps timed: counted as zeros, the others would cut every share tenfold.
    const events = sampleStages(syntheticRun({ seconds: 20, stepsPerSec: 200 }), 10, 100);
    const summary = aggregate(events).summary('run');
    const steady = stepsOf(events).slice(summary.warmupSteps);
    const staged = steady.filter(isStagedStep);
    assert.ok(staged.length > 20 && staged.length < steady.length / 5, `${staged.length} of ${steady.length}`);
    assert.equal(summary.stagedSteps, staged.length);
    const stagedMs = sum(staged.map((s) => s.ms));
    for (const stage of ['data', 'forward', 'backward', 'optimizer', 'other'] as const) {
      const stageMs = sum(staged.map((s) => s.stages[stage] ?? 0));
      near(summary.stages[stage]?.ms, stageMs / staged.length, `${stage} ms`);
      near(summary.stages[stage]?.share, stageMs / stagedMs, `${stage} share`);
    }
    near(sum(Object.values(summary.stages).map((s) => s.share)), 1, 'shares add up to the staged steps');
    // Batches over every step; samples per step from the staged steps, the only ones that knew them.
    const batchesPerSec = (steady.length / sum(steady.map((s) => s.ms))) * 1000;
    near(summary.throughput.batchesPerSec, batchesPerSec, 'batches/s');
    near(summary.throughput.samplesPerSec, (sum(staged.map((s) => s.samples ?? 0)) / staged.length) * batchesPerSec, 'samples/s');
    assert.equal(summary.throughput.tokensPerSec, null, 'no step knew tokens');
  });

  it('says "stage times from N of M steps" in the stage table and the report, and nothing new when every step was timed', () => {
    const sampled = aggregate(sampleStages(syntheticRun({ seconds: 10, stepsPerSec: 200 }), 10, 100)).summary('run');
    const steady = sampled.steps - sampled.warmupSteps;
    assert.deepEqual([summaryStageTable(sampled).steps, summaryStageTable(sampled).stagedSteps], [steady, sampled.stagedSteps]);
    const staged = (sampled.stagedSteps ?? 0).toLocaleString('en-US');
    assert.ok(formatReport(sampled).includes(`Stages      per step (steady state; stage times from ${staged} of ${steady.toLocaleString('en-US')} steps)`));

    const whole = aggregate(syntheticRun({ seconds: 10, stepsPerSec: 200 })).summary('run');
    assert.equal('stagedSteps' in whole, false);
    assert.equal('stagedSteps' in summaryStageTable(whole), false);
    assert.ok(formatReport(whole).includes('Stages      per step (steady state)'));
  });

  it('samples/s and tokens/s: over every step when all knew them; over those that did when only unstaged steps did not; else none', () => {
    const counts = { samples: 8, tokens: 800 };
    // Staged steps of 2 ms, unstaged ones of 1 ms between them (timing slows the timed steps):
    // 100 steps in 120 ms.
    const staged = Array.from({ length: 20 }, (_, i) => step(i * 5, 2, counts));
    const others = Array.from({ length: 80 }, (_, i) => ({ ...step(i + 1 + Math.floor(i / 4), 1, counts) }));
    const run = (unstagedSteps: StepEvent[], stagedSteps = staged) => [...stagedSteps, ...unstagedSteps].sort((a, b) => a.index - b.index);

    const allKnew = throughputOf(run(others.map((s) => unstaged(s, true))));
    near(allKnew.samplesPerSec, ((8 * 100) / (20 * 2 + 80 * 1)) * 1000, 'all knew: over every step');
    near(allKnew.tokensPerSec, ((800 * 100) / (20 * 2 + 80 * 1)) * 1000, 'tokens too');

    const stagedKnew = throughputOf(run(others.map((s) => unstaged(s))));
    near(stagedKnew.batchesPerSec, (100 / (20 * 2 + 80 * 1)) * 1000, 'batches over every step');
    // Samples per step from the steps that knew it, at the run's step rate, not at theirs (8 × 500/s).
    near(stagedKnew.samplesPerSec, 8 * (100 / 120) * 1000, 'the staged steps say how much a step carries');
    near(stagedKnew.tokensPerSec, 800 * (100 / 120) * 1000, 'tokens the same');

    // Batches of 8 on the staged steps, of 2 on the unstaged steps that knew theirs.
    const someKnew = throughputOf(run(others.map((s, i) => ({ ...unstaged(s, i % 2 === 0), ...(i % 2 === 0 ? { samples: 2 } : {}) }))));
    near(someKnew.samplesPerSec, ((8 * 20 + 2 * 40) / 60) * (100 / 120) * 1000, 'mean over every step that knew it');

    // A staged step without it: steps differ in what they carry, no partial figure.
    const stagedMissing = run(others.map((s) => unstaged(s)), staged.map((s, i) => (i === 3 ? step(s.index, 2) : s)));
    assert.deepEqual([throughputOf(stagedMissing).samplesPerSec, throughputOf(stagedMissing).tokensPerSec], [null, null]);
    // No staged step at all, some steps without it: nothing says the rest are a fair sample.
    const noneStaged = others.map((s, i) => unstaged(s, i % 2 === 0));
    assert.equal(throughputOf(noneStaged).samplesPerSec, null);
  });

  it('gives no stage figures when no step was staged, and the live stage shares only from staged steps', () => {
    const steps = Array.from({ length: 50 }, (_, i) => unstaged(step(i, 3, { samples: 4 }), true));
    assert.deepEqual(stagesOf(steps), {});
    const summary = aggregate(steps).summary('run');
    assert.deepEqual(summary.stages, {});
    assert.equal(summary.stagedSteps, 0);
    near(summary.throughput.samplesPerSec, (4 / 3) * 1000, 'samples/s: every step knew it');

    // Live: a window of 5 timed steps of 4 ms (1 of data) among 45 unstaged ones.
    const live = aggregate(steps.map((s, i) => (i % 10 === 0 ? step(i, 4) : s))).live();
    assert.deepEqual(Object.keys(live.stageShares).sort(), ['data', 'forward']);
    near(live.stageShares.data, 0.25, 'live data share');
  });

  it("a staged step's stages count whichever it carries; an unstaged step's time counts in no share", () => {
    // Shares over the staged steps add up to 1 whichever stages a staged step carries.
    const steps = [step(0, 4), unstaged(step(1, 100)), { ...step(2, 8), stages: { data: 1, forward: 2, backward: 3, optimizer: 1, other: 1 } }];
    const stages = stagesOf(steps);
    near(sum(STAGE_NAMES.map((s) => stages[s]?.share ?? 0)), 1, 'shares');
    near(stages.forward?.ms, (3 + 2) / 2, 'forward ms per staged step');
  });
});
