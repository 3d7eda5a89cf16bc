/**
 * The aggregator's bounded step log: past its head it keeps totals, a histogram and the latest
 * steps. A real fast run's events through a log with a small head and tail must give the summary
 * and findings the whole list gives: sums to rounding, median and p95 within 1%, same findings.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunAggregator } from '../../src/core/aggregator';
import { StepLog, StepTotals } from '../../src/core/step-log';
import { findingsFor } from '../../src/host/analysis';
import { readRecording } from '../../src/host/recording/recording-reader';
import { RunSession } from '../../src/host/run-session';
import type { StepEvent } from '../../src/protocol/events';
import { assertSummariesMatch } from '../host/summary-match';

const REPO = path.resolve(__dirname, '..', '..');

function step(index: number, ms: number): StepEvent {
  return { type: 'step', index, t: index * 10, ms, samples: 8, stages: { data: ms / 4, forward: (3 * ms) / 4 } };
}

describe('the bounded step log', () => {
  it('keeps every step up to its head, then the head, the latest steps, and totals of all', () => {
    const log = new StepLog(10, 5);
    const steps = Array.from({ length: 47 }, (_, i) => step(i, 1 + (i % 7)));
    steps.slice(0, 10).forEach((s) => log.add(s));
    assert.equal(log.bounded, false);
    assert.deepEqual(log.kept(), steps.slice(0, 10));
    steps.slice(10).forEach((s) => log.add(s));
    assert.equal(log.count, 47);
    assert.equal(log.bounded, true);
    assert.deepEqual(log.kept().map((s) => s.index), [...steps.slice(0, 10), ...steps.slice(-5)].map((s) => s.index));
    assert.equal(log.keptGap, 10);
    assert.equal(log.last(), steps[46]);
    assert.deepEqual(log.latest((_, taken) => taken < 3).map((s) => s.index), [46, 45, 44]);
    const whole = StepTotals.of(steps.slice(4));
    const bounded = log.totalsFrom(4);
    assert.equal(bounded.count, whole.count);
    assert.ok(Math.abs(bounded.ms - whole.ms) < 1e-9);
    assert.ok(Math.abs((bounded.stageMs.data ?? 0) - (whole.stageMs.data ?? 0)) < 1e-9);
    assert.equal(bounded.samples.sum, whole.samples.sum);
    assert.ok(Math.abs(log.totalMs - StepTotals.of(steps).ms) < 1e-9);
  });

  it('counts the staged steps and their time, and the steps that knew their samples, past the head as in it', () => {
    // One step in five timed (and knowing its samples); the others unstaged, without samples.
    const steps = Array.from({ length: 47 }, (_, i) => (i % 5 === 0 ? step(i, 2 + (i % 3)) : { type: 'step' as const, index: i, t: i * 10, ms: 1, stages: {} }));
    const staged = steps.filter((s) => Object.keys(s.stages).length > 0);
    const whole = StepTotals.of(steps);
    assert.deepEqual([whole.count, whole.stagedSteps, whole.samples.steps, whole.samples.stagedSteps], [47, staged.length, staged.length, staged.length]);
    assert.equal(whole.stagedMs, staged.reduce((a, s) => a + s.ms, 0));
    assert.equal(whole.stageMs.data, staged.reduce((a, s) => a + (s.stages.data ?? 0), 0));
    const both = StepTotals.of(steps.slice(0, 20)).plus(StepTotals.of(steps.slice(20)));
    assert.deepEqual(
      [both.count, both.stagedSteps, both.stagedMs, both.stageMs.data, both.samples.sum, both.samples.steps, both.samples.stagedSteps],
      [whole.count, whole.stagedSteps, whole.stagedMs, whole.stageMs.data, whole.samples.sum, whole.samples.steps, whole.samples.stagedSteps],
    );
    const log = new StepLog(10, 5);
    steps.forEach((s) => log.add(s));
    const bounded = log.totalsFrom(3);
    const expected = StepTotals.of(steps.slice(3));
    assert.deepEqual([bounded.stagedSteps, bounded.samples.steps], [expected.stagedSteps, expected.samples.steps]);
    assert.ok(Math.abs(bounded.stagedMs - expected.stagedMs) < 1e-9);
  });

  it("judges the typical step from a second's boundary, so steps reordered within their second (as a recording gives them back) give the same one", () => {
    // 100 steps a second: in each, 50 steps of 1 ms then 50 of 3 ms; reordered, the slow ones first.
    const at = (index: number, ms: number): StepEvent => ({ type: 'step', index, t: Math.floor(index / 100) * 1000 + (index % 100), ms, stages: {} });
    const times = Array.from({ length: 300 }, (_, i) => (i % 100 < 50 ? 1 : 3));
    const inOrder = new StepLog();
    const reordered = new StepLog();
    times.forEach((ms, i) => inOrder.add(at(i, ms)));
    for (let second = 0; second < 3; second++) {
      const own = times.slice(second * 100, second * 100 + 100).sort((a, b) => b - a);
      own.forEach((ms, i) => reordered.add(at(second * 100 + i, ms)));
    }
    for (const from of [0, 50, 120, 150]) assert.equal(reordered.typicalMs(from), inOrder.typicalMs(from), `from ${from}`);
  });

  it('gives a real fast run the summary and findings of the whole step list', async function () {
    this.timeout(120_000);
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-step-log-'));
    const session = await RunSession.start({
      command: ['/usr/bin/python3', path.join(REPO, 'bench', 'shapes', 'fast_steps.py'), '--seconds', '6'],
      cwd: REPO,
      env: process.env,
      runsDir,
      runnersDir: path.join(REPO, 'dist'),
      stdio: 'ignore',
    });
    await session.done;
    const { events } = readRecording(session.dir);
    const whole = new RunAggregator();
    // A head past where the typical step starts, as the real one is for runs of up to 250,000
    // steps: a shorter head could not start it where the whole list does. That is the first new
    // second of the run's clock past its first fifth (StepLog.typicalMs), so up to a second's steps
    // further: a quarter of the run fell short at ~4,000 steps/s (the cut ran off the head, the
    // median moved a bucket, and the warm-up with it: 9 steps against 5). Half the run holds the
    // cut on any machine where this 6 s run spends over 2 s of it training.
    const stepCount = events.filter((e) => e.type === 'step').length;
    const [head, tail] = [Math.ceil(stepCount / 2), 600];
    const bounded = new RunAggregator(new StepLog(head, tail));
    for (const event of events) {
      whole.add(event);
      bounded.add(event);
    }
    // Past head and twice the tail: totals, histogram and the tail's trimming all take part.
    assert.ok(whole.stepCount > head + 2 * tail, `a fast run: ${whole.stepCount} steps`);
    assert.equal(bounded.stepCount, whole.stepCount);
    assert.equal(bounded.steps.length, head + tail, 'the bounded log keeps its head and tail only');
    const wholeSummary = whole.summary(session.dir);
    const boundedSummary = bounded.summary(session.dir);
    wholeSummary.findings = findingsFor(whole, wholeSummary);
    boundedSummary.findings = findingsFor(bounded, boundedSummary);
    console.log(`      ${whole.stepCount} steps; median ${wholeSummary.throughput.stepMsMedian?.toFixed(4)} vs ${boundedSummary.throughput.stepMsMedian?.toFixed(4)} ms; findings ${wholeSummary.findings.map((f) => f.code).join(', ') || 'none'}`);
    assertSummariesMatch(boundedSummary, wholeSummary);
  });
});
