/**
 * Successive halving (as in Hyperband/ASHA, here for throughput): every candidate gets a short
 * trial, the better half a trial twice as long, and so on until one remains. The baseline's
 * settings run in every rung as a control: the final comparison is between runs made side by side,
 * and its repeats give the noise band. Pure arithmetic; the host runs the trials.
 */

/** Fewer steps than this say little about a rate (warm-up alone may take a few). */
export const MIN_TRIAL_STEPS = 20;
/** Nor do steps that take less than this: a trial that costs seconds to start should measure at least as long. */
export const MIN_TRIAL_MS = 1000;

export interface Rung {
  /** Trials in this rung, the baseline's control included. */
  trials: number;
  /** Steps each trial runs (warm-up included) before it is stopped. */
  steps: number;
}

export interface ScheduleInput {
  /** Candidates other than the baseline still in the race. */
  contenders: number;
  budgetMs: number;
  /** Start-up and stop of one trial: what it costs beyond its steps. */
  trialOverheadMs: number;
  /** The rate used to turn steps into time (the baseline's). */
  batchesPerSec: number;
  /** Steps of the rung before, which a later rung never goes below. */
  floorSteps?: number;
}

export interface Schedule {
  rungs: Rung[];
  /** Contenders the budget allows (the first ones of those given); fewer than asked when it is tight. */
  contenders: number;
}

/** The rungs from here to the end, each twice as long as the one before, filling the budget. */
export function halvingSchedule(input: ScheduleInput): Schedule {
  const floor = Math.max(minTrialSteps(input.batchesPerSec), input.floorSteps ?? 0);
  for (let contenders = input.contenders; contenders >= 1; contenders--) {
    const sizes = rungSizes(contenders);
    const overhead = sizes.reduce((total, n) => total + n, 0) * input.trialOverheadMs;
    const weight = sizes.reduce((total, n, k) => total + n * 2 ** k, 0);
    const firstSteps = Math.floor((((input.budgetMs - overhead) / 1000) * input.batchesPerSec) / weight);
    if (firstSteps >= floor || contenders === 1) {
      const steps = Math.max(floor, firstSteps);
      return { rungs: sizes.map((trials, k) => ({ trials, steps: steps * 2 ** k })), contenders };
    }
  }
  return { rungs: [], contenders: 0 };
}

/**
 * Trials per rung for this many contenders: half of them (rounded up) go on, plus the control each
 * time. The last rung runs the control before and after the one left, so that a machine whose load
 * drifts during the rung moves the reference as much as the contender.
 */
export function rungSizes(contenders: number): number[] {
  const sizes: number[] = [];
  for (let left = contenders; left > 1; left = Math.ceil(left / 2)) sizes.push(left + 1);
  if (contenders >= 1) sizes.push(FINAL_RUNG_TRIALS);
  return sizes;
}

/** Control, contender, control. */
export const FINAL_RUNG_TRIALS = 3;

/** Steps for the final rung's trials in what is left of the budget (at least the minimum trial). */
export function finalRungSteps(budgetMs: number, trialOverheadMs: number, batchesPerSec: number): number {
  const steps = Math.floor((((budgetMs - FINAL_RUNG_TRIALS * trialOverheadMs) / 1000) * batchesPerSec) / FINAL_RUNG_TRIALS);
  return Math.max(minTrialSteps(batchesPerSec), steps);
}

/** The shortest trial worth its start-up: MIN_TRIAL_STEPS, and MIN_TRIAL_MS of steps at this rate. */
export function minTrialSteps(batchesPerSec: number): number {
  return Math.max(MIN_TRIAL_STEPS, Math.ceil((batchesPerSec * MIN_TRIAL_MS) / 1000));
}

/** How many contenders go on to the next rung. */
export function survivorsAfter(contenders: number): number {
  return Math.ceil(contenders / 2);
}

/** Expected wall time of one trial, used to skip a trial the budget no longer holds. */
export function trialMs(steps: number, batchesPerSec: number, trialOverheadMs: number): number {
  return trialOverheadMs + (steps / batchesPerSec) * 1000;
}
