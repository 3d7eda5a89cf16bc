/**
 * Each corpus script's truth, from the script's own figures or from the tests' own clock and line
 * sampler (truth/), never from TrainLens: pure functions over what those wrote.
 */

/** [start, end], ms (Python clock) or µs (tfjs clock). */
export type Span = [number, number];

/** What truth/truth_run.py's clock saw (clock_hooks.Clock.report). */
export interface TorchClock {
  endMs: number;
  /** In the order the script built them. */
  optimizers: { kind: string; steps: Span[]; closures: Span[] }[];
  backward: Span[];
  /** Outermost Module.train(mode) calls: [t, training]. */
  modes: [number, boolean][];
  noGradForwards: Span[];
  /** DataLoader fetches (_next_data) that returned a batch. */
  batches: Span[];
}

/** What truth/tfjs_clock.js saw, µs. */
export interface TfjsClock {
  trainBeginUs: number[];
  trainEndUs: number[];
  epochs: { epoch: number; beginUs: number; endUs: number; validated: boolean }[];
  batches: Span[];
  exitUs: number;
}

/** Line sampler output (clock_hooks.LineSampler.report): wall ms per "file:line" after start-up. */
export interface LineTimes {
  totalMs: number;
  lineMs: Record<string, number>;
}

export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const merged: Span[] = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** Time of `spans` (merged) inside [from, to]. */
export function overlapMs(spans: readonly Span[], from: number, to: number): number {
  return mergeSpans(spans).reduce((sum, [s, e]) => sum + Math.max(0, Math.min(e, to) - Math.max(s, from)), 0);
}

/**
 * Evaluation time as the script itself declares it: from each switch to eval mode, and from each
 * outermost forward run without grad (time_sequence_prediction's prediction never calls
 * model.eval()), to the end of the last evaluation forward or fetch before training resumes (a
 * DataLoader fetch, a backward, an optimizer step or a switch to train mode). An evaluation pass is
 * its forwards (the issue: "forward without backward"); what the script does after the last of
 * them and before training again (a plot of the prediction, a checkpoint) is the training loop's
 * own overhead, and TrainLens keeps it in the step as `other`, where a stall or other-heavy
 * finding can point at it.
 */
export function evalSpans(clock: TorchClock): Span[] {
  const resumes = [
    ...clock.batches.map(([start]) => start),
    ...clock.backward.map(([start]) => start),
    ...clock.optimizers.flatMap((o) => o.steps.map(([start]) => start)),
    ...clock.modes.filter(([, training]) => training).map(([t]) => t),
  ].sort((a, b) => a - b);
  const activityEnds = [...clock.noGradForwards, ...clock.batches].map(([, end]) => end);
  // The end of the last evaluation forward or fetch in (from, to], or `from` when there is none.
  const lastActivity = (from: number, to: number): number => Math.max(from, ...activityEnds.filter((end) => end > from && end <= to));
  const spans: Span[] = clock.noGradForwards.map(([start, end]) => [start, lastActivity(end, resumes.find((t) => t >= end) ?? clock.endMs)]);
  let evalSince: number | null = null;
  for (const [t, training] of clock.modes) {
    if (!training && evalSince === null) evalSince = t;
    if (training && evalSince !== null) {
      spans.push([evalSince, lastActivity(evalSince, t)]);
      evalSince = null;
    }
  }
  if (evalSince !== null) spans.push([evalSince, lastActivity(evalSince, clock.endMs)]);
  return mergeSpans(spans);
}

/**
 * Each iteration's time from the ends of consecutive iterations, less the evaluation time between
 * them (TrainLens keeps eval passes out of its steps). The first iteration, whose start the clock
 * cannot see, is left out.
 */
export function iterationTimes(ends: readonly number[], evals: readonly Span[]): number[] {
  return ends.slice(1).map((end, i) => end - ends[i]! - overlapMs(evals, ends[i]!, end));
}

/**
 * Steady-state rate of iterations that took `times` (ms, or µs with unitsPerSec 1e6), by the
 * definition TrainLens documents (README, "What the numbers mean"): leading iterations slower than
 * twice the typical one, at most 20% of them, are warm-up and left out.
 */
export function steadyRate(times: readonly number[], unitsPerSec = 1000): number {
  const limit = Math.floor(times.length * 0.2);
  const rest = [...times.slice(limit)].sort((a, b) => a - b);
  const typical = rest[Math.floor((rest.length - 1) / 2)]! / 2 + rest[Math.ceil((rest.length - 1) / 2)]! / 2;
  let warm = 0;
  while (warm < limit && times[warm]! > 2 * typical) warm++;
  const steady = times.slice(warm);
  return (steady.length / sum(steady)) * unitsPerSec;
}

/** Steady-state batches/s from iteration ends (see iterationTimes and steadyRate). */
export function batchesPerSec(ends: readonly number[], evals: readonly Span[], unitsPerSec = 1000): number {
  return steadyRate(iterationTimes(ends, evals), unitsPerSec);
}

/** Share of the training time between the first and last iteration end (eval left out) spent in `spans`. */
export function shareOfTraining(spans: readonly Span[], ends: readonly number[], evals: readonly Span[]): number {
  const first = ends[0]!;
  const last = ends[ends.length - 1]!;
  const inside = mergeSpans(spans).filter(([s, e]) => s >= first && e <= last);
  const inEval = inside.reduce((sum, [s, e]) => sum + overlapMs(evals, s, e), 0);
  return (sum(inside.map(([s, e]) => e - s)) - inEval) / (last - first - overlapMs(evals, first, last));
}

/**
 * Evaluation passes after training began: eval spans that no training iteration separates are one
 * pass (a test loop's forwards and its loss module's; a validation pass and the final test pass).
 * Eval before the first iteration ended is start-up and does not count.
 */
export function evalPasses(evals: readonly Span[], ends: readonly number[]): number {
  let passes = 0;
  let previous: Span | undefined;
  for (const span of evals.filter(([s]) => s > ends[0]!)) {
    if (!previous || ends.some((t) => t > previous![1] && t < span[0])) passes++;
    previous = span;
  }
  return passes;
}

/** Time inside `outer` spans not covered by the `inner` spans within them (an LBFGS step less its closures). */
export function outsideInner(outer: readonly Span[], inner: readonly Span[]): Span[] {
  const result: Span[] = [];
  for (const [s, e] of outer) {
    let cursor = s;
    for (const [is, ie] of mergeSpans(inner.filter(([a, b]) => a >= s && b <= e))) {
      if (is > cursor) result.push([cursor, is]);
      cursor = Math.max(cursor, ie);
    }
    if (cursor < e) result.push([cursor, e]);
  }
  return result;
}

export interface LineShare {
  file: string;
  line: number;
  share: number;
  /** How many samples the share is out of: its sampling error shrinks with them. */
  outOf: number;
}

/** The tests' own line sampler's period (truth/clock_hooks.py LineSampler.PERIOD_S). */
const TRUTH_SAMPLER_PERIOD_MS = 2;

/** Lines by their share of the sampled wall time, highest first. */
export function lineShares(times: LineTimes): LineShare[] {
  const outOf = times.totalMs / TRUTH_SAMPLER_PERIOD_MS;
  return Object.entries(times.lineMs)
    .map(([key, ms]) => {
      const at = key.lastIndexOf(':');
      return { file: key.slice(0, at), line: Number(key.slice(at + 1)), share: ms / times.totalMs, outOf };
    })
    .sort((a, b) => b.share - a.share);
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
