import { median } from './stats';

/** A leading step slower than this multiple of the typical step is warm-up (worker start, JIT, caches). */
export const WARMUP_SLOWDOWN = 2;
/** Never call more than this share of a run warm-up, so a steadily slowing run is not hidden. */
export const WARMUP_MAX_SHARE = 0.2;

/** Number of leading steps to leave out of steady-state figures. */
export function detectWarmupSteps(stepMs: readonly number[]): number {
  if (stepMs.length < 5) return 0;
  const limit = Math.floor(stepMs.length * WARMUP_MAX_SHARE);
  const typical = median(stepMs.slice(limit)) ?? 0;
  let warm = 0;
  while (warm < limit && (stepMs[warm] as number) > typical * WARMUP_SLOWDOWN) warm++;
  return warm;
}
