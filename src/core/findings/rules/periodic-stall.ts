/** periodic-stall: every N steps one step stalls (checkpointing, evaluation, workers restarting each epoch). */
import { STAGE_NAMES, type StageName, type StepEvent } from '../../../protocol/events';
import { formatMs, formatShare, STAGE_LABELS } from '../../format';
import { median, sum } from '../../stats';
import { isStaged } from '../../staged-steps';
import { WARMUP_SLOWDOWN } from '../../warmup';
import type { RunFacts } from '../facts';
import type { Finding, FixId } from '../finding';
import { loaderFamily } from '../loaders';
import { gradeShare, hotLinesIn, steadySteps, where } from '../measures';

/** A step this many times the typical one stalls: the factor warmup.ts uses to call a first step slow. */
export const STALL_SLOWDOWN = WARMUP_SLOWDOWN;
/** Four stalls give three intervals that must agree: three slow steps (18, 20, 21) are not a rhythm. */
export const MIN_STALLS = 4;
/** Loops count steps exactly (save every N, an epoch of N batches), but an epoch boundary or a slow
 * neighbour can move a stall by a step: consecutive stalls may be a period apart give or take an
 * eighth of it (0 steps below a period of 8, so a period of 2 is exact and 18, 20, 21 is broken). */
const PERIOD_TOLERANCE = 1 / 8;
/** Back-to-back slow steps are a slow phase, not a rhythm. */
const MIN_PERIOD = 2;
/** Three quarters of the stalls in one chain: a stray slow step (a GC pause) does not hide a rhythm. */
const ON_GRID_SHARE = 0.75;
const MAX_LINES = 2;

interface Stalls {
  steps: StepEvent[];
  period: number;
  typicalMs: number;
}

export function periodicStall(facts: RunFacts): Finding | null {
  // A long run keeps its first and latest steps (step-log.ts): a rhythm is sought in the latest,
  // where consecutive indices hold; across the gap a chain would break.
  const gap = facts.keptGap ?? null;
  const steps = gap === null ? steadySteps(facts) : facts.steps.slice(gap);
  const stalls = findStalls(steps);
  if (!stalls) return null;
  const excessMs = sum(stalls.steps.map((s) => s.ms - stalls.typicalMs));
  const share = excessMs / sum(steps.map((s) => s.ms));
  const severity = gradeShare(share);
  if (!severity) return null;
  const stage = stallStage(steps, stalls.steps);
  const lines = stage ? hotLinesIn(facts.summary, [stage], MAX_LINES) : [];
  const stallMs = median(stalls.steps.map((s) => s.ms)) ?? 0;
  // The runner aggregates line samples over the run, not per step: the best guess is the line
  // hottest in the stage the stalls spend their extra time in.
  const line = stage && lines[0] ? `; ${where(lines[0].file, lines[0].line)} is the hottest ${STAGE_LABELS[stage]}-stage line (lines are not recorded per step, so it is the likeliest place)` : '';
  // The runner times the stages of a sample of fast steps: the stalls may all fall outside it.
  const spent = stage ? `, mostly in ${STAGE_LABELS[stage]}${line}` : '; no stall fell among the steps whose stages were timed';
  return {
    code: 'periodic-stall',
    severity,
    title: `A stall every ${stalls.period} steps`,
    message: `Every ${stalls.period} steps one step takes ${formatMs(stallMs)} instead of ${formatMs(stalls.typicalMs)} (${stalls.steps.length} stalls, ${formatShare(share)} of step time${gap === null ? '' : ` over the latest ${steps.length.toLocaleString('en-US')} steps`})${spent}.`,
    evidence: { period: stalls.period, stalls: stalls.steps.length, stallMs, typicalStepMs: stalls.typicalMs, stallShare: share },
    locations: stage ? lines.map((l) => ({ file: l.file, line: l.line, why: `hottest ${STAGE_LABELS[stage]}-stage line; lines are not recorded per step` })) : [],
    fixes: stage ? fixesFor(facts, stage) : [],
    impact: share,
  };
}

function findStalls(steps: readonly StepEvent[]): Stalls | null {
  const typicalMs = median(steps.map((s) => s.ms)) ?? 0;
  const slow = steps.filter((s) => typicalMs > 0 && s.ms >= STALL_SLOWDOWN * typicalMs);
  if (slow.length < MIN_STALLS) return null;
  const period = Math.round(median(slow.slice(1).map((s, i) => s.index - (slow[i] as StepEvent).index)) ?? 0);
  if (period < MIN_PERIOD) return null;
  let chain: StepEvent[] = [];
  for (const anchor of slow) {
    const next = chainFrom(anchor, slow, period);
    if (next.length > chain.length) chain = next;
  }
  const periodic = chain.length >= MIN_STALLS && chain.length >= ON_GRID_SHARE * slow.length;
  return periodic ? { steps: chain, period: Math.round(median(chain.slice(1).map((s, i) => s.index - (chain[i] as StepEvent).index)) ?? period), typicalMs } : null;
}

/**
 * The stalls from `anchor` on, each one period (within the tolerance) after the one before: a
 * chain, not a grid, so a missing stall ends it and stalls 2 periods apart do not count as regular.
 */
function chainFrom(anchor: StepEvent, slow: readonly StepEvent[], period: number): StepEvent[] {
  const tolerance = Math.floor(period * PERIOD_TOLERANCE);
  const chain = [anchor];
  for (;;) {
    const last = chain[chain.length - 1] as StepEvent;
    const candidates = slow.filter((s) => s.index > last.index && Math.abs(s.index - last.index - period) <= tolerance);
    const nearest = candidates.sort((a, b) => Math.abs(a.index - last.index - period) - Math.abs(b.index - last.index - period))[0];
    if (!nearest) return chain;
    chain.push(nearest);
  }
}

/**
 * The stage the stalls spend their extra time in, against each stage's typical time: both over
 * staged steps (an unstaged step's stages were not measured). Null when no stall was staged.
 */
function stallStage(steps: readonly StepEvent[], stalls: readonly StepEvent[]): StageName | null {
  const staged = steps.filter(isStaged);
  const stagedStalls = stalls.filter(isStaged);
  if (stagedStalls.length === 0) return null;
  let best: StageName = 'other';
  let bestMs = -Infinity;
  for (const stage of STAGE_NAMES) {
    const typical = median(staged.map((s) => s.stages[stage] ?? 0)) ?? 0;
    const extra = sum(stagedStalls.map((s) => (s.stages[stage] ?? 0) - typical));
    if (extra > bestMs) [best, bestMs] = [stage, extra];
  }
  return best;
}

function fixesFor(facts: RunFacts, stage: StageName): FixId[] {
  const loader = facts.summary.loaders[0];
  // Data stalls on a rhythm with non-persistent workers: the DataLoader restarts its workers each epoch.
  const restarts = stage === 'data' && loaderFamily(facts.summary, loader) === 'torch' && (loader?.numWorkers ?? 0) > 0 && loader?.persistentWorkers !== true;
  return restarts ? ['dataloader-persistent-workers'] : [];
}
