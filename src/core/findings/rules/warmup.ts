/** warmup (informational): slow first steps, reported apart from the steady-state figures. */
import { formatMs, formatShare } from '../../format';
import { median, sum } from '../../stats';
import type { RunFacts } from '../facts';
import type { Finding } from '../finding';

/** From a fifth of the recorded step time, whole-run averages differ from the steady-state figures
 * by that much: worth saying why. Shorter warm-ups (every CUDA run has one) go unmentioned. */
export const WARMUP_REPORT_SHARE = 0.2;

export function warmup(facts: RunFacts): Finding | null {
  const count = facts.summary.warmupSteps;
  if (count === 0) return null;
  const warmMs = sum(facts.steps.slice(0, count).map((s) => s.ms));
  const typicalMs = median(facts.steps.slice(count).map((s) => s.ms)) ?? 0;
  const totalMs = facts.stepsMs ?? sum(facts.steps.map((s) => s.ms));
  const share = (warmMs - count * typicalMs) / totalMs;
  if (share < WARMUP_REPORT_SHARE) return null;
  const first = count === 1 ? 'The first step' : `The first ${count} steps`;
  return {
    code: 'warmup',
    severity: 'info',
    title: 'Slow first steps (warm-up)',
    message: `${first} took ${formatMs(warmMs)} (a typical step takes ${formatMs(typicalMs)}), ${formatShare(share)} of the recorded step time; they are left out of the steady-state figures.`,
    evidence: { warmupSteps: count, warmupMs: warmMs, typicalStepMs: typicalMs, warmupShare: share },
    locations: [],
    fixes: [],
    // Paid once per run, and already kept out of the figures the other findings use.
    impact: 0,
  };
}
