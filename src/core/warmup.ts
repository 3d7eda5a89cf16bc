import { bucketValue } from './log-histogram';

/** A leading step slower than this multiple of the typical step is warm-up (worker start, JIT, caches). */
export const WARMUP_SLOWDOWN = 2;
/** Never call more than this share of a run warm-up, so a steadily slowing run is not hidden. */
export const WARMUP_MAX_SHARE = 0.2;

/**
 * Number of leading steps to leave out of steady-state figures: those slower than WARMUP_SLOWDOWN
 * times the typical step. `leadingMs` are the first of `count` steps; `typicalFrom(limit)` is the
 * median step time from step `limit` on, as a recording's histogram gives it (step-log.ts). Step
 * times are compared as a recording keeps them past its first steps (log buckets, log-histogram.ts),
 * so a run rebuilt from its recording finds the warm-up the live run found: with the exact median,
 * 1% off in the histogram, a tfjs run's cut moved from 212 to 220 steps.
 */
export function warmupOf(leadingMs: readonly number[], count: number, typicalFrom: (limit: number) => number): number {
  if (count < 5) return 0;
  const limit = Math.floor(count * WARMUP_MAX_SHARE);
  const typical = typicalFrom(limit);
  const last = Math.min(limit, leadingMs.length);
  let warm = 0;
  while (warm < last && bucketValue(leadingMs[warm] as number) > typical * WARMUP_SLOWDOWN) warm++;
  return warm;
}
