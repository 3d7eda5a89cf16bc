/**
 * Bench: what the whole Node runner costs a tfjs training loop's throughput, measured in one process
 * (the Node twin of runner_cost.py).
 *
 * Segments of one loop run in turn with a live runner and without. A live runner is NodeRunner as
 * the preload starts it, from the same bundle esbuild makes of it (so its own files are "ours", not
 * the user's, as in dist/preload.js): the hello, the tfjs hooks and the step timeline, the V8 line
 * sampler at --sample-hz (with --long-run, at a long run's rate from the first line window's end on,
 * RunnerOptions.longRun), the flush timer and its socket, which a reader process on another core
 * drains as the host would. TrainLens's host itself is not in these figures: it runs on another
 * core, where paired.ts's whole-process pairs count it.
 *
 * Why in one process: on the 2-core VM this was built on, whole runs of the same script drift ±5-8%
 * from one to the next (the machine's speed moves in steps every second or two), so a pair of runs
 * cannot resolve a 1% cost. So each pair is a recorded segment and the plain segment right after
 * it, timed alike over whole steps (at least --segment-s, and MIN_SEGMENT_STEPS steps). The recorded
 * segment starts after the runner's warm-up, unmeasured: at least --warm-s, past the profiler's
 * start (V8 logs every function in the heap then), and AFTER_WINDOW_S past the first line window's
 * end (its sites resolved the first time; with --long-run, the profiler's restart at the long run's
 * rate). A loop that lets timers run ends it at LINE_WINDOW_MS; the tiny loop, flushed from its steps
 * once a flush is two periods late, at ~2 s, which a --warm-s alone put inside the recorded segment.
 * So it measures a run's steady state: its first
 * minute's, or with --long-run the one after it (in a loop that lets timers run; its 5 s windows
 * then end outside a segment, so a window's end, 3-5 ms every 5 s on compute_bound.js, is not in
 * the figure). The plain segment starts after --plain-warm-s of plain steps, unmeasured: putting
 * tfjs's methods back deoptimises the code that called our wrappers, and the JIT settles again.
 * Each pair ends its runner with finish(0), as the script's exit would, which takes every hook out.
 * Every other pair times its plain segment first, so that an effect of the order itself (runner_cost.py's
 * control measured one of 0.7%) cancels out in the median.
 * Before the pairs one runner (or sampler) runs through a warm-up and ends, unmeasured: what only a
 * process's first one pays (V8 sets its profiler up, our code is compiled) a run pays once.
 *
 * Shapes, their loops from the scripts themselves (each exports its setup()): `tiny`, tiny_steps.js's
 * trainOnBatch loop (a one-unit model: ~0.15 ms steps once warm on the VM this was built on, where a
 * whole 8 s run of the script averages ~0.5 ms), which runs from microtasks only, so timers never
 * fire inside it: the runner's flushes and line windows run from a step's end once a flush is late
 * (runner.ts's STEPS_PER_CLOCK_CHECK), as in a real run of it; `compute`, compute_bound.js's model.fit on in-memory tensors (~20 ms steps); `io`,
 * io_bound.js's model.fitDataset on a generator waiting ~1 ms per example (~40 ms steps). A fit
 * segment is one fit call stopped (model.stopTraining) at its first batch end past the segment's
 * length.
 *
 * Pinning: as paired.ts's pinning() says, this process (all its threads: V8's sampler thread works
 * on the same core as the training, so the runner's whole in-process work counts) on one core, the
 * socket reader on the other; --no-pin leaves both to the scheduler (the sampler thread then runs
 * beside the training where a core is free, as on most users' machines).
 *
 * Modes: the whole runner (default); --sampler-only, the line sampler alone, running through the
 * segment (its window never swapped), which prints "sampleUs", the wall time each sample added to
 * the loop (the recorded segment's extra time over its samples, so any cost of profiling that does
 * not come with a sample is spread over them: compare rates), and "samplesPerS", the samples V8
 * took a second of the segment; --control, nothing in either segment: the method's own bias and
 * spread.
 *
 * Prints a SCRIPT_RESULT line: "ratio" (median over pairs of plain / recorded steps per second: 1.01
 * is 1% slower recorded) with "ratioLow"/"ratioHigh", the median's 95% interval from the pairs'
 * order statistics, "ratios" (each pair's), "ratioRecordedFirst"/"ratioPlainFirst" (the median of
 * each order's pairs), "stepMs" (the plain segments' median step time),
 * "coverage" (the interval's probability of holding the median: 0.95 or more from 6 pairs on),
 * "costUs" (median over pairs of the wall time per step added, µs) and "cpuCostUs" (the same in the
 * process's CPU time, all threads: less moved by other load on the core), "pairs", "segmentS",
 * "sampleHz", "pinned".
 *
 *     node --import tsx bench/shapes/node_runner_cost.ts --shape tiny|compute|io [--pairs P]
 *          [--segment-s S] [--warm-s S] [--plain-warm-s S] [--sample-hz HZ] [--long-run] [--sampler-only] [--control] [--no-pin]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_NODE_SAMPLE_HZ, longRunSampleHz } from '../../src/host/run-session';
import { pinning, REPO } from '../paired';
import { bundleRunner, hookTfjs, socketReader, type RunnerBundle } from './node-runner-harness';
import type { LineSampler } from '../../src/runners/node/sampler';

type Tf = typeof import('@tensorflow/tfjs');
type Model = import('@tensorflow/tfjs').LayersModel;

/** Whole steps in a timed segment at the least, so a slow step's rate is not a count of a few. */
const MIN_SEGMENT_STEPS = 30;
const FIT_EPOCHS = 1000;
/** Steady steps after the first line window's end before a recorded segment, s. */
const AFTER_WINDOW_S = 0.2;
/** A runner whose sampler never ends a window (line sampling unavailable) is waited for this long. */
const WINDOW_WAIT_LIMIT_S = 10;
/** As the host asks (src/host/run-session.ts's FLUSH_MS). */
const FLUSH_MS = 250;
interface Segment {
  ms: number;
  /** The process's CPU time (all its threads: they share one core when pinned), ms. */
  cpuMs: number;
  steps: number;
  /** perf-clock ms at its start and end, to count the samples inside it. */
  start: number;
  end: number;
}

/** Runs whole steps of the loop for at least `seconds`. */
type Loop = (seconds: number) => Promise<Segment>;

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

function tinyLoop(): Loop {
  const { model, xs, ys } = require(path.join(REPO, 'test', 'fixtures', 'node-runner', 'tiny_steps.js')).setup();
  return async (seconds) => {
    let steps = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    const end = start + seconds * 1000;
    while (steps === 0 || performance.now() < end) {
      await model.trainOnBatch(xs, ys);
      steps++;
    }
    const now = performance.now();
    return { ms: now - start, cpuMs: cpuMsSince(cpu), steps, start, end: now };
  };
}

/** One fit/fitDataset call, stopped at its first batch end past `seconds`. */
function fitLoop(model: Model, fit: (callbacks: { onBatchEnd: () => void }) => Promise<unknown>): Loop {
  return async (seconds) => {
    let steps = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    const end = start + seconds * 1000;
    await fit({
      onBatchEnd: () => {
        steps++;
        if (performance.now() >= end) model.stopTraining = true;
      },
    });
    const now = performance.now();
    return { ms: now - start, cpuMs: cpuMsSince(cpu), steps, start, end: now };
  };
}

function loopOf(shape: string): Loop {
  const examples = path.join(REPO, 'examples', 'tfjs');
  if (shape === 'tiny') return tinyLoop();
  if (shape === 'compute') {
    // As bench/node-runner.ts runs compute_bound.js: 400 batches an epoch. Epochs enough that a
    // segment always ends on its own clock (a segment rarely reaches an epoch's end).
    const { model, xs, ys, batchSize } = require(path.join(examples, 'compute_bound.js')).setup(400);
    return fitLoop(model, (callbacks) => model.fit(xs, ys, { batchSize, epochs: FIT_EPOCHS, shuffle: false, verbose: 0, callbacks }));
  }
  // 60 batches of ~40 ms an epoch, as io_bound.js has.
  const { model, dataset } = require(path.join(examples, 'io_bound.js')).setup();
  return fitLoop(model, (callbacks) => model.fitDataset(dataset, { epochs: FIT_EPOCHS, verbose: 0, callbacks }));
}

/**
 * The median's confidence interval from order statistics (no assumption on the spread): the
 * narrowest pair of them, k-th lowest and k-th highest, that holds the median with at least 95%
 * probability, and that probability, 1 - 2·P(Binomial(n, 1/2) < k). Under 6 pairs even the lowest and
 * highest hold it less often than that; they are returned with their lower coverage.
 */
function medianInterval(values: number[]): { low: number; high: number; coverage: number } {
  const ordered = [...values].sort((a, b) => a - b);
  const n = ordered.length;
  let below = 0; // P(Binomial(n, 1/2) < k), for k = 1, 2, ...
  let term = 0.5 ** n; // P(Binomial(n, 1/2) = k - 1)
  let k = 1;
  let coverage = 1 - 2 * term;
  for (;;) {
    const nextBelow = below + term;
    const nextTerm = (term * (n - k + 1)) / k;
    const nextCoverage = 1 - 2 * (nextBelow + nextTerm);
    if (k + 1 > n / 2 || nextCoverage < 0.95) break;
    [below, term, k, coverage] = [nextBelow, nextTerm, k + 1, nextCoverage];
  }
  return { low: ordered[k - 1]!, high: ordered[n - k]!, coverage };
}

function median(values: number[]): number {
  const ordered = [...values].sort((a, b) => a - b);
  const mid = ordered.length >> 1;
  return ordered.length % 2 ? ordered[mid]! : (ordered[mid - 1]! + ordered[mid]!) / 2;
}

/** Counts the line windows the bundle's samplers end (each ends with a swap); returns the count so far. */
function countSwaps(Sampler: RunnerBundle['LineSampler']): () => number {
  let swaps = 0;
  const swap = Sampler.prototype.swap;
  Sampler.prototype.swap = function (this: LineSampler, ...args: Parameters<LineSampler['swap']>) {
    swaps++;
    return swap.apply(this, args);
  };
  return () => swaps;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      shape: { type: 'string' },
      pairs: { type: 'string', default: '60' },
      'segment-s': { type: 'string', default: '1' },
      'warm-s': { type: 'string', default: '1.2' },
      'plain-warm-s': { type: 'string', default: '0.2' },
      'sample-hz': { type: 'string', default: String(DEFAULT_NODE_SAMPLE_HZ) },
      'sampler-only': { type: 'boolean', default: false },
      'long-run': { type: 'boolean', default: false },
      control: { type: 'boolean', default: false },
      'no-pin': { type: 'boolean', default: false },
    },
  });
  if (!['tiny', 'compute', 'io'].includes(args.shape ?? '')) throw new Error('--shape tiny|compute|io');
  const [pairs, segmentS, warmS, plainWarmS, sampleHz] = [args.pairs, args['segment-s'], args['warm-s'], args['plain-warm-s'], args['sample-hz']].map(Number) as [number, number, number, number, number];
  // A long run's state: the first line window's end (in the warm-up) slows the sampler to the long
  // run's rate, as LONG_RUN_AFTER_S into a run does.
  const longRun = args['long-run'] ? { sampleHz: longRunSampleHz(sampleHz), afterS: 0 } : null;
  const cores = args['no-pin'] ? null : pinning();
  // This process and every thread it has or starts (V8's sampler thread among them) on one core.
  if (cores) spawnSync('taskset', ['-a', '-p', '-c', cores.script, String(process.pid)], { stdio: 'ignore' });
  const tf = require('@tensorflow/tfjs') as Tf;
  const loop = loopOf(args.shape!);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-node-runner-cost-'));
  const socket = path.join(dir, 'run.sock');
  const { NodeRunner, LineSampler, UserCode, file: runnerFile } = bundleRunner(dir);
  const windowsEnded = countSwaps(LineSampler);
  const drain = await socketReader(socket, cores?.host ?? null);
  try {
    await loop(warmS); // the process's own warm-up
    const first = await loop(segmentS);
    const seconds = Math.max(segmentS, (MIN_SEGMENT_STEPS * first.ms) / first.steps / 1000);
    const ratios: number[] = [];
    const costUs: number[] = [];
    const cpuCostUs: number[] = [];
    const plainMs: number[] = [];
    const sampleUs: number[] = [];
    const samplesPerS: number[] = [];
    /** Starts what the recorded segment runs with; finish() ends it and says how many samples it
     * took in a segment (sampler-only; NaN otherwise). */
    const start = (): { finish: () => (segment: Segment) => number } => {
      if (args['sampler-only']) {
        const sampler = new LineSampler(Math.round(1e6 / sampleHz), new UserCode(runnerFile));
        sampler.start();
        return {
          finish: () => {
            const { times } = sampler.swap(true);
            return ({ start, end }) => times.filter((t) => t >= start && t <= end).length;
          },
        };
      }
      if (args.control) return { finish: () => () => NaN };
      const runner = new NodeRunner({ socket, token: 'bench', sampleHz, flushMs: FLUSH_MS, ...(longRun && { longRun }) });
      hookTfjs(tf);
      return { finish: () => (runner.finish(0), () => NaN) }; // as at the script's exit
    };
    const firstOne = start();
    await loop(warmS);
    firstOne.finish();
    const timedPlain = async (): Promise<Segment> => {
      await loop(plainWarmS);
      return loop(seconds);
    };
    for (let pair = 0; pair < pairs; pair++) {
      const plainFirst = pair % 2 === 1;
      const before = plainFirst ? await timedPlain() : null;
      const live = start();
      const windowsBefore = windowsEnded();
      await loop(warmS);
      if (!args['sampler-only'] && !args.control) {
        for (let waited = 0; windowsEnded() === windowsBefore && waited < WINDOW_WAIT_LIMIT_S; waited += AFTER_WINDOW_S) await loop(AFTER_WINDOW_S);
        await loop(AFTER_WINDOW_S);
      }
      const recorded = await loop(seconds);
      const samplesIn = live.finish();
      const plain = before ?? (await timedPlain());
      ratios.push(plain.steps / plain.ms / (recorded.steps / recorded.ms));
      const added = recorded.ms / recorded.steps - plain.ms / plain.steps;
      costUs.push(added * 1000);
      cpuCostUs.push((recorded.cpuMs / recorded.steps - plain.cpuMs / plain.steps) * 1000);
      plainMs.push(plain.ms / plain.steps);
      const samples = samplesIn(recorded);
      if (!Number.isNaN(samples)) samplesPerS.push(samples / (recorded.ms / 1000));
      if (samples > 0) sampleUs.push(((added * recorded.steps) / samples) * 1000);
    }
    const { low, high, coverage } = medianInterval(ratios);
    const result = {
      shape: args.shape,
      mode: args.control ? 'control' : args['sampler-only'] ? 'sampler-only' : 'runner',
      control: args.control,
      pairs,
      segmentS: round(seconds, 3),
      sampleHz: args.control ? null : sampleHz,
      longRunHz: args.control ? null : (longRun?.sampleHz ?? null),
      pinned: cores !== null,
      ratio: round(median(ratios), 4),
      ratioLow: round(low, 4),
      ratioHigh: round(high, 4),
      coverage: round(coverage, 3),
      ratios: ratios.map((r) => round(r, 4)),
      // Each order's own median: how far the order alone moves a pair (the median above cancels it).
      ratioRecordedFirst: round(median(ratios.filter((_, i) => i % 2 === 0)), 4),
      ratioPlainFirst: ratios.length > 1 ? round(median(ratios.filter((_, i) => i % 2 === 1)), 4) : null,
      stepMs: round(median(plainMs), 3),
      costUs: round(median(costUs), 2),
      cpuCostUs: round(median(cpuCostUs), 2),
      ...(samplesPerS.length ? { samplesPerS: round(median(samplesPerS), 1) } : {}),
      ...(sampleUs.length ? { sampleUs: round(median(sampleUs), 1) } : {}),
    };
    console.log(`SCRIPT_RESULT ${JSON.stringify(result)}`);
  } finally {
    drain.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
