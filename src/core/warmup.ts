import { median } from './stats';

/** A leading step slower than this multiple of the typical step is warm-up (worker start, JIT, caches). */
export const WARMUP_SLOWDOWN = 2;
/** Never call more than this share of a run warm-up, so a steadily slowing run is not hidden. */
export const WARMUP_MAX_SHARE = 0.2;

/** Number of leading steps to leave out of steady-state figures. */
export function detectWarmupSteps(stepMs: readonly number[]): number {
  return warmupOf(stepMs, stepMs.length, (limit) => median(stepMs.slice(limit)) ?? 0);
}

/**
 * The same judgement where only the first steps are at hand (step-log.ts): `leadingMs` are the
 * first of `count` steps, `typicalFrom(limit)` the median step time from step `limit` on.
 */
export function warmupOf(leadingMs: readonly number[], count: number, typicalFrom: (limit: number) => number): number {
  if (count < 5) return 0;
  const limit = Math.floor(count * WARMUP_MAX_SHARE);
  const typical = typicalFrom(limit);
  const last = Math.min(limit, leadingMs.length);
  let warm = 0;
  while (warm < last && (leadingMs[warm] as number) > typical * WARMUP_SLOWDOWN) warm++;
  return warm;
}
