/** The job's figures and the rules across ranks, on steps made to order (the real jobs are in test/integration/distributed.test.ts). */
import assert from 'node:assert/strict';
import { jobLive, jobThroughput, rankSummaryOf, type RankRecording } from '../../src/core/ranks';
import { analyzeJob } from '../../src/core/ranks-findings';
import { RunAggregator } from '../../src/core/aggregator';
import type { HelloEvent, StepEvent } from '../../src/protocol/events';

interface RankShape {
  forwardMs: number;
  waitMs: number;
  samples?: number;
  steps?: number;
  /** Stages (and samples) timed on one step in this many; the others unstaged and 20% faster (no timing hooks). */
  timedEvery?: number;
}

/** A rank whose steps take 1 ms of data, `forwardMs`, 2 ms of backward plus its wait in the all-reduce, and 0.5 ms of optimizer. */
function rank(rank: number, shape: RankShape): RankRecording {
  const hello: HelloEvent = {
    type: 'hello', v: 1, token: 't', runner: 'python', pid: 100 + rank, runtime: 'CPython 3.11', script: '/a/train.py', argv: [], cwd: '/a',
    sampleHz: 100, timeOriginMs: 0, rank, worldSize: 2, node: 'n', job: 'j',
  };
  const aggregator = new RunAggregator();
  aggregator.add({ type: 'run', format: 2, id: `rank-${rank}`, command: [], cwd: '/a', startedAtMs: 0, sampleHz: 100 });
  aggregator.add(hello);
  aggregator.add({ type: 'framework', name: 'pytorch', version: '1.13', device: 'cpu', stages: ['data', 'forward', 'backward', 'optimizer'] });
  aggregator.add({ type: 'anchor', anchor: 'dataloader', detail: 'steps start at a DataLoader batch' });
  let t = 0;
  for (let index = 0; index < (shape.steps ?? 40); index++) {
    // A little jitter, so that medians and step-by-step comparisons see real spread.
    const jitter = ((index * 7) % 5) * 0.02;
    const stages = { data: 1, forward: shape.forwardMs + jitter, backward: 2 + shape.waitMs, optimizer: 0.5, other: 0 };
    const ms = stages.data + stages.forward + stages.backward + stages.optimizer;
    const timed = index % (shape.timedEvery ?? 1) === 0;
    const step: StepEvent = timed
      ? { type: 'step', index, t, ms, samples: shape.samples ?? 32, stages, commMs: shape.waitMs, commExposedMs: shape.waitMs }
      : { type: 'step', index, t, ms: 0.8 * ms, stages: {}, commMs: shape.waitMs, commExposedMs: shape.waitMs };
    aggregator.add(step);
    t += step.ms;
  }
  aggregator.add({ type: 'exit', t, exitCode: 0, signal: null, status: 'completed' });
  return { hello, summary: aggregator.summary(`/runs/rank-${rank}`), steps: aggregator.steps };
}

describe('a job of ranks', () => {
  it("the job's pace is the slowest rank's steps/s; its samples/s are the ranks' summed", () => {
    const ranks = [rank(0, { forwardMs: 2, waitMs: 0 }), rank(1, { forwardMs: 4, waitMs: 0 })].map(rankSummaryOf);
    const job = jobThroughput(ranks);
    assert.equal(job.batchesPerSec, ranks[1]!.throughput.batchesPerSec);
    assert.equal(job.samplesPerSec, ranks[0]!.throughput.samplesPerSec! + ranks[1]!.throughput.samplesPerSec!);
    const live = jobLive([
      { steps: 10, batchesPerSec: 100, samplesPerSec: 3200, tokensPerSec: null, stageShares: {}, stepAnchor: null },
      { steps: 9, batchesPerSec: 90, samplesPerSec: 2880, tokensPerSec: null, stageShares: {}, stepAnchor: null },
    ]);
    assert.deepEqual([live.steps, live.batchesPerSec, live.samplesPerSec, live.tokensPerSec, live.ranks], [10, 90, 6080, null, 2]);
  });

  it("straggler: names the rank whose own work is longer, the stage it goes to, and the others' wait", () => {
    // Rank 1 forwards 3 ms longer; rank 0 waits those 3 ms in its all-reduce.
    const findings = analyzeJob([rank(0, { forwardMs: 2, waitMs: 3 }), rank(1, { forwardMs: 5, waitMs: 0.1 })]);
    const straggler = findings.find((f) => f.code === 'straggler')!;
    assert.ok(straggler, findings.map((f) => f.code).join());
    assert.equal(straggler.evidence.rank, 1);
    assert.ok(Math.abs(straggler.evidence.extraMs! - 3) < 0.2, String(straggler.evidence.extraMs));
    assert.match(straggler.message, /goes to forward \(\+3\.00 ms a step\)/);
    assert.match(straggler.message, /wait for it in communication: 3\.00 ms a step/);
    assert.equal(findings.some((f) => f.code === 'communication-bound'), false, 'the slow rank itself hardly waits');
  });

  it('straggler and uneven batches from ranks that timed the stages of a sample of their steps', () => {
    const findings = analyzeJob([rank(0, { forwardMs: 2, waitMs: 3, timedEvery: 3 }), rank(1, { forwardMs: 5, waitMs: 0.1, timedEvery: 4, samples: 24, steps: 80 })]);
    // Over the staged steps: counted as zeros, the unstaged ones would shrink the extra forward time.
    assert.match(findings.find((f) => f.code === 'straggler')?.message ?? '', /goes to forward \(\+3\.00 ms a step\)/);
    // Samples/s is samples per step at the rank's step rate: over the timed steps' own (longer) time it would read rank 0's 32 as 28.
    assert.match(findings.find((f) => f.code === 'uneven-batches')?.message ?? '', /\(rank 0: 32, rank 1: 24\)/);
  });

  it('no straggler among equal ranks; communication-bound when every rank waits', () => {
    const findings = analyzeJob([rank(0, { forwardMs: 2, waitMs: 3 }), rank(1, { forwardMs: 2, waitMs: 3 })]);
    assert.deepEqual(findings.map((f) => f.code), ['communication-bound']);
    assert.equal(findings[0]!.severity, 'high');
  });

  it('uneven-batches: samples per step or step counts that differ between ranks', () => {
    const uneven = analyzeJob([rank(0, { forwardMs: 2, waitMs: 0 }), rank(1, { forwardMs: 2, waitMs: 0, samples: 24 })]);
    assert.match(uneven.find((f) => f.code === 'uneven-batches')!.message, /samples per step differ by 33% between ranks \(rank 0: 32, rank 1: 24\)/);
    const steps = analyzeJob([rank(0, { forwardMs: 2, waitMs: 0 }), rank(1, { forwardMs: 2, waitMs: 0, steps: 30 })]);
    assert.match(steps.find((f) => f.code === 'uneven-batches')!.message, /rank 0: 40, rank 1: 30/);
  });
});
