/**
 * Steps, throughput and stages of real tfjs training loops, checked against each script's own figure
 * (SCRIPT_RESULT: batches/s over the steps after the first 2, which is how batchesPerSec() reads the
 * recorded steps).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { batchesPerSec, EXAMPLES, eventsOf, FIXTURES, makeRunnersDir, runInstrumented, scriptResult, stageShare, type RunResult } from './harness';
import { within, withinPoints } from '../within';

// A recorded data share against the script's own (examples/tfjs/_measure.js: from where training
// resumed after a batch to the next batch in hand), in absolute share of the step: the two clocks
// read the same moments a few calls apart.
const SHARE_POINTS = 0.05;

interface Shares {
  recorded: number;
  own: number;
}

describe('node runner: tfjs training steps', function () {
  this.timeout(120_000);
  let runnersDir: string;
  // The stage tests read the same runs as the throughput tests: each script trains once.
  const runs = new Map<string, Promise<RunResult>>();
  const run = (script: string) => {
    if (!runs.has(script)) runs.set(script, runInstrumented(runnersDir, ['node', script]));
    return runs.get(script) as Promise<RunResult>;
  };

  before(() => (runnersDir = makeRunnersDir()));
  after(() => fs.rmSync(runnersDir, { recursive: true, force: true }));

  for (const [how, script] of [
    ['model.fit', path.join(EXAMPLES, 'compute_bound.js')],
    ['model.fitDataset on a generator', path.join(EXAMPLES, 'io_bound.js')],
    ['model.trainOnBatch', path.join(FIXTURES, 'train_on_batch.js')],
    ['an optimizer.minimize loop', path.join(EXAMPLES, 'custom_loop.js')],
  ] as const) {
    it(`${how}: every step counted, batches/s within 5% of the script's own`, async () => {
      const result = await run(script);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.deepEqual(result.rejected, []);
      const own = scriptResult(result);
      const steps = eventsOf(result, 'step');
      console.log(`      ${path.basename(script)}: ${steps.length} steps, ${batchesPerSec(steps).toFixed(2)} batches/s recorded, script ${own.batchesPerSec.toFixed(2)}`);
      assert.equal(steps.length, own.steps);
      within(batchesPerSec(steps), own.batchesPerSec, 0.05);
      assert.equal(eventsOf(result, 'bye')[0]?.steps, own.steps);
    });
  }

  it('token ids as input (int32 [B, T]): each step carries the B×T tokens the script counted, and the anchor says what a step is', async () => {
    const result = await runInstrumented(runnersDir, ['node', path.join(FIXTURES, 'token_batches.js')]);
    assert.equal(result.exitCode, 0, result.stderr);
    const line = result.stdout.split('\n').find((l) => l.startsWith('TOKENS '));
    const counted = JSON.parse(line!.slice('TOKENS '.length)) as { trainOnBatch: number[]; fitDataset: number[] };
    assert.deepEqual(eventsOf(result, 'step').map((s) => s.tokens), [...counted.trainOnBatch, ...counted.fitDataset]);
    assert.deepEqual(
      eventsOf(result, 'anchor').map((a) => [a.anchor, a.detail]),
      [
        ['framework', 'trainOnBatch calls'],
        ['framework', 'model.fitDataset batches'],
      ],
    );
  });

  it('float inputs: no tokens on the steps', async () => {
    const steps = eventsOf(await run(path.join(FIXTURES, 'train_on_batch.js')), 'step');
    assert.ok(steps.length > 0 && steps.every((s) => s.tokens === undefined));
  });

  it("validation passes are eval events with the script's batches, and their time is left out of the steps", async () => {
    const result = await runInstrumented(runnersDir, ['node', path.join(FIXTURES, 'fit_validation.js')]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(result.rejected, []);
    const line = result.stdout.split('\n').find((l) => l.startsWith('CLOCK '));
    const clock = JSON.parse(line!.slice('CLOCK '.length)) as { batches: number[]; trainMs: number[]; validation: { ms: number; batches: number }[] };
    const evals = eventsOf(result, 'eval');
    const steps = eventsOf(result, 'step');
    assert.deepEqual(
      evals.map((e) => e.batches),
      clock.validation.map((v) => v.batches),
    );
    assert.equal(steps.length, clock.batches.reduce((a, b) => a + b, 0));
    // A first epoch's first step also holds the call's set-up, which the script's epoch clock does
    // not: the time checks read the later epochs (steps are 10 an epoch).
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const stepMs = (epoch: number) => sum(steps.slice(epoch * 10, epoch * 10 + 10).map((s) => s.ms));
    const evalMs = (epoch: number) => (evals[epoch] as { ms: number }).ms;
    console.log(
      `      fit epochs 1-2: steps ${[1, 2].map(stepMs).map((ms) => ms.toFixed(0))} + eval ${[1, 2].map(evalMs).map((ms) => ms.toFixed(0))} ms, script ${clock.trainMs.slice(1, 3).map((ms) => ms.toFixed(0))}; ` +
        `fitDataset: epoch 4 steps ${stepMs(4).toFixed(0)} ms (script ${clock.trainMs[4]?.toFixed(0)}), eval ${[3, 4].map(evalMs).map((ms) => ms.toFixed(0))} ms (script ${clock.validation.slice(3).map((v) => v.ms.toFixed(0))})`,
    );
    // fit (epochs 0-2) validates inside each epoch's last batch, so its epoch clock holds both.
    for (const epoch of [1, 2]) within(stepMs(epoch) + evalMs(epoch), clock.trainMs[epoch] as number, 0.1);
    // fitDataset (epochs 3-4) validates after the last batch, and the script times the pass apart.
    within(stepMs(4), clock.trainMs[4] as number, 0.1);
    for (const epoch of [3, 4]) within(evalMs(epoch), (clock.validation[epoch] as { ms: number }).ms, 0.1);
  });

  it('steps reach the host while the script runs, not only at its exit', async () => {
    const result = await runInstrumented(runnersDir, ['node', path.join(FIXTURES, 'train_then_wait.js')]);
    assert.equal(result.exitCode, 0, result.stderr);
    const last = result.events.map((e) => e.type).lastIndexOf('step');
    assert.equal(eventsOf(result, 'step').length, 10);
    const earlyMs = result.exitedAtMs - (result.arrivedAtMs[last] as number);
    assert.ok(earlyMs > 500, `the last step arrived ${earlyMs} ms before the exit`);
  });

  for (const script of ['io_bound.js', 'compute_bound.js']) {
    it(`${script}: the data share is within 5 points of the script's own`, async () => {
      const result = await run(path.join(EXAMPLES, script));
      const share = stageShare(eventsOf(result, 'step'), 'data');
      const own = scriptResult(result).dataShare!;
      console.log(`      data share: recorded ${share.toFixed(3)}, script ${own.toFixed(3)}`);
      withinPoints(share, own, SHARE_POINTS);
    });
  }

  it("prefetch that overlaps the next request with compute: the data share with and without it, and its fall, match the script's own", async () => {
    const script = path.join(FIXTURES, 'batch_latency.js');
    const runs = [await runInstrumented(runnersDir, ['node', script, '0']), await runInstrumented(runnersDir, ['node', script, '2'])];
    const [without, prefetched] = runs.map((r) => ({ recorded: stageShare(eventsOf(r, 'step'), 'data'), own: scriptResult(r).dataShare! })) as [Shares, Shares];
    const speedup = scriptResult(runs[1]!).batchesPerSec / scriptResult(runs[0]!).batchesPerSec;
    console.log(`      data share: no prefetch ${without.recorded.toFixed(3)} (script ${without.own.toFixed(3)}), prefetch ${prefetched.recorded.toFixed(3)} (script ${prefetched.own.toFixed(3)}); script speed-up ${speedup.toFixed(2)}x`);
    assert.ok(prefetched.own < without.own, 'by its own clock, the script waits less for data with prefetch');
    withinPoints(without.recorded, without.own, SHARE_POINTS);
    withinPoints(prefetched.recorded, prefetched.own, SHARE_POINTS);
    withinPoints(without.recorded - prefetched.recorded, without.own - prefetched.own, SHARE_POINTS);
  });

  it("prefetch on a generator pulled element by element: the data share with and without it, and their difference, match the script's own", async () => {
    // io_bound_prefetch.js states its truth: the CPU backend blocks the event loop while it
    // computes, so at most one element's latency overlaps with compute, and the data share stays
    // about that of io_bound.js; how close, on a busy machine, varies from run to run with the
    // timers' latency, which the scripts' own clocks see too.
    const runs = [await run(path.join(EXAMPLES, 'io_bound.js')), await run(path.join(EXAMPLES, 'io_bound_prefetch.js'))];
    assert.equal(runs[1]!.exitCode, 0, runs[1]!.stderr);
    const [without, prefetched] = runs.map((r) => ({ recorded: stageShare(eventsOf(r, 'step'), 'data'), own: scriptResult(r).dataShare! })) as [Shares, Shares];
    console.log(`      data share: io_bound ${without.recorded.toFixed(3)} (script ${without.own.toFixed(3)}), io_bound_prefetch ${prefetched.recorded.toFixed(3)} (script ${prefetched.own.toFixed(3)})`);
    withinPoints(prefetched.recorded, prefetched.own, SHARE_POINTS);
    withinPoints(prefetched.recorded - without.recorded, prefetched.own - without.own, SHARE_POINTS);
  });
});
