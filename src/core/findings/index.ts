/** The findings engine: every rule over one run's facts, most impact first. */
import { stepsUnrecognised } from '../step-anchor';
import type { Rule, RunFacts } from './facts';
import { compareFindings, type Finding } from './finding';
import { computeBound } from './rules/compute-bound';
import { gpuUnderutilized } from './rules/gpu-underutilized';
import { hostSync } from './rules/host-sync';
import { inputBound } from './rules/input-bound';
import { memoryHeadroom } from './rules/memory-headroom';
import { memoryPressure } from './rules/memory-pressure';
import { mixedPrecisionOff } from './rules/mixed-precision-off';
import { optimizerHeavy } from './rules/optimizer-heavy';
import { otherHeavy } from './rules/other-heavy';
import { periodicStall } from './rules/periodic-stall';
import { warmup } from './rules/warmup';
import { workerOversubscription } from './rules/worker-oversubscription';

export type { RunFacts, SourceLines } from './facts';
export type { Finding, FindingLocation, FixId, Severity } from './finding';
export { FIX_IDS } from './finding';
export { formatFindings } from './format';

/** One rule per file in rules/; each is independent of the others' results. */
export const RULES: readonly Rule[] = [
  inputBound,
  otherHeavy,
  optimizerHeavy,
  gpuUnderutilized,
  hostSync,
  mixedPrecisionOff,
  memoryPressure,
  memoryHeadroom,
  workerOversubscription,
  warmup,
  periodicStall,
  computeBound,
];

export function analyzeRun(facts: RunFacts): Finding[] {
  // Steps the runner could not anchor are no steps: no rule may grade them (the summary has no figures either).
  const seen = stepsUnrecognised(facts.summary.stepAnchor) ? { ...facts, steps: [] } : facts;
  return RULES.flatMap((rule) => rule(seen) ?? []).sort(compareFindings);
}
