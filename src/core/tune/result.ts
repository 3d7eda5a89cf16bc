/**
 * A tuning run's outcome from its trials: the best settings, their gain over the baseline's own
 * settings measured side by side in the same rung, and whether that gain lies beyond the noise
 * band of the baseline's repeats (compare.ts's band: the baseline run and each rung's control).
 */
import { noiseBand } from '../compare';
import { mean } from '../stats';
import { isBaseline, type TuneSettings } from './settings';

/**
 * measured: stopped at its step limit as planned; completed: the script ended first (fewer steps);
 * failed: crashed or exited non-zero before its limit; timed-out: no progress in time, stopped;
 * not-applied: the loader event shows other values than asked; stopped: the user ended tuning.
 */
export type TrialStatus = 'measured' | 'completed' | 'failed' | 'timed-out' | 'not-applied' | 'stopped';

export interface TrialResult {
  settings: TuneSettings;
  rung: number;
  /** Steps the trial ran (warm-up included). */
  steps: number;
  /** Steady-state batches/s (after warm-up); null when the trial measured none. */
  batchesPerSec: number | null;
  status: TrialStatus;
  /** Why a trial failed, timed out or was not applied. */
  note: string | null;
  /** The trial's recording folder. */
  recording: string | null;
  durationMs: number;
}

export interface TuneVerdict {
  /** The settings to keep: the fastest contender when beyond noise, else the baseline's (`{}`). */
  best: TuneSettings;
  /** The fastest contender of the last rung, whether or not beyond noise. */
  contender: TuneSettings | null;
  bestBatchesPerSec: number | null;
  /** The baseline's settings in the rung the best was judged in, their mean (else the baseline run). */
  baselineBatchesPerSec: number | null;
  gainPct: number | null;
  noiseBandPct: number;
  /** Baseline repeats the band comes from; 0 means the assumed default band. */
  noiseRuns: number;
  beyondNoise: boolean;
}

/** A trial whose rate counts: it ran the settings asked for and measured steps. */
export function usable(trial: TrialResult): boolean {
  return (trial.status === 'measured' || trial.status === 'completed') && trial.batchesPerSec !== null && trial.batchesPerSec > 0;
}

/** The contenders that go on: the best `keep` of a rung's usable non-baseline trials. */
export function promote(rungTrials: readonly TrialResult[], keep: number): TuneSettings[] {
  return rungTrials
    .filter((t) => usable(t) && !isBaseline(t.settings))
    .sort((a, b) => (b.batchesPerSec ?? 0) - (a.batchesPerSec ?? 0))
    .slice(0, keep)
    .map((t) => t.settings);
}

/**
 * Repeats of the baseline's settings count for the noise band only when at least this share of the
 * judged trial's steps long: a short run varies more, and would widen the band for long ones.
 */
export const NOISE_RUN_MIN_SHARE = 0.5;
/** Fewer long repeats than this estimate no spread: then every repeat counts. */
const MIN_NOISE_RUNS = 3;

/**
 * The best is the fastest contender of the last rung any contender was measured in, against the
 * mean of the baseline's controls in that rung. Settings whose gain stays within the noise band
 * (compare.ts's, from the baseline's repeats about as long as that trial) are not called better:
 * the verdict's best is then the baseline itself.
 */
export function judge(baseline: { batchesPerSec: number | null; steps: number }, trials: readonly TrialResult[]): TuneVerdict {
  const contenders = trials.filter((t) => usable(t) && !isBaseline(t.settings));
  const lastRung = Math.max(-1, ...contenders.map((t) => t.rung));
  const top = contenders.filter((t) => t.rung === lastRung).sort((a, b) => (b.batchesPerSec ?? 0) - (a.batchesPerSec ?? 0))[0];
  // The controls of that rung: in the last rung one before and one after the contender.
  const controls = trials.filter((t) => usable(t) && isBaseline(t.settings) && t.rung === lastRung).map((t) => t.batchesPerSec as number);
  const reference = mean(controls) ?? baseline.batchesPerSec;
  const band = noiseBand(repeatRates(baseline, trials, top?.steps ?? 0));
  const none: TuneVerdict = {
    best: {},
    contender: top?.settings ?? null,
    bestBatchesPerSec: reference,
    baselineBatchesPerSec: reference,
    gainPct: null,
    noiseBandPct: band.pct,
    noiseRuns: band.runs,
    beyondNoise: false,
  };
  if (!top || top.batchesPerSec === null || reference === null) return none;
  const gainPct = ((top.batchesPerSec - reference) / reference) * 100;
  const beyondNoise = gainPct > band.pct;
  return {
    ...none,
    best: beyondNoise ? top.settings : {},
    bestBatchesPerSec: beyondNoise ? top.batchesPerSec : reference,
    gainPct,
    beyondNoise,
  };
}

/** The baseline's rates (its run and every usable control) from runs at least half as long as `steps`, when there are enough. */
function repeatRates(baseline: { batchesPerSec: number | null; steps: number }, trials: readonly TrialResult[], steps: number): number[] {
  const runs = [baseline, ...trials.filter((t) => usable(t) && isBaseline(t.settings))].filter((r): r is { batchesPerSec: number; steps: number } => r.batchesPerSec !== null);
  const long = runs.filter((r) => r.steps >= steps * NOISE_RUN_MIN_SHARE);
  return (long.length >= MIN_NOISE_RUNS ? long : runs).map((r) => r.batchesPerSec);
}
