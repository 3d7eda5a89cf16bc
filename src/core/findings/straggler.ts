/**
 * straggler: in synchronous data parallelism every rank waits at each step's gradient all-reduce
 * for the slowest, so one rank whose own work per step (its step less the time it waited in
 * collectives) is longer than the others' sets the job's pace, and the others' extra time shows as
 * communication they wait in. Ranks are compared step by step over the indices they all took past
 * warm-up (ranks.ts: by index, not by wall clock).
 */
import { STAGE_NAMES, type StageName, type StepEvent } from '../../protocol/events';
import { formatMs, formatShare, STAGE_LABELS } from '../format';
import { alignedSteps, communicationOf, medianOwnWorkMs, ownWorkMs, sortRanks, type RankRecording } from '../ranks';
import { median, sum } from '../stats';
import { isStaged } from '../staged-steps';
import type { Finding } from './finding';

/**
 * A rank's own work 15% over the others' median before it is called a straggler. HTA (Holistic
 * Trace Analysis) ranks stragglers by their compute time without a fixed bound; identical ranks on
 * one shared machine differ by a few percent here (README, Distributed training), so 15% is a
 * difference that contention alone does not make.
 */
export const STRAGGLER_MIN_EXTRA = 0.15;
/**
 * And longer than every other rank's in three steps of four: a sign test over dozens of aligned
 * steps that a rank merely descheduled now and then (a shared machine) does not pass, where a rank
 * with more work per step does (rank 1 of ddp_spawn.py --slow-rank 1 measured 0.82-0.99 here beside a
 * busy core; identical ranks 0.24-0.70).
 */
export const STRAGGLER_MIN_SLOWER_STEPS = 0.75;
/** From half again the others' work, the straggler costs the whole job a third of its pace. */
export const STRAGGLER_HIGH_EXTRA = 0.5;
/** Fewer aligned steps than this say too little to compare ranks. */
export const MIN_ALIGNED_STEPS = 5;

export function straggler(ranks: readonly RankRecording[]): Finding | null {
  if (ranks.length < 2) return null;
  const sorted = sortRanks(ranks);
  const aligned = alignedSteps(sorted);
  if ((aligned[0]?.length ?? 0) < MIN_ALIGNED_STEPS) return null;
  const work = aligned.map((steps) => medianOwnWorkMs(steps) ?? 0);
  const slowIndex = work.indexOf(Math.max(...work));
  const slow = sorted[slowIndex] as RankRecording;
  const others = aligned.filter((_, i) => i !== slowIndex);
  const othersWorkMs = median(work.filter((_, i) => i !== slowIndex)) ?? 0;
  const extraMs = (work[slowIndex] ?? 0) - othersWorkMs;
  if (othersWorkMs <= 0 || extraMs / othersWorkMs < STRAGGLER_MIN_EXTRA) return null;
  const slowerSteps = slowerShare(aligned, slowIndex);
  if (slowerSteps < STRAGGLER_MIN_SLOWER_STEPS) return null;
  const extra = extraMs / othersWorkMs;
  const { stage, stageExtraMs } = extraStage(aligned[slowIndex] ?? [], others);
  const line = slow.summary.hotLines.find((l) => l.stage === stage);
  const waits = others.map((steps) => communicationOf(steps)).filter((c) => c !== null);
  const waitMs = waits.length ? sum(waits.map((c) => c.exposedMsPerStep)) / waits.length : null;
  const waitShare = waits.length ? sum(waits.map((c) => c.exposedShare)) / waits.length : null;
  const rank = slow.hello.rank ?? 0;
  const evidence: Record<string, number> = {
    rank,
    ownWorkMs: work[slowIndex] ?? 0,
    othersOwnWorkMs: othersWorkMs,
    extraMs,
    extraShare: extra,
    stageExtraMs,
    slowerSteps,
    alignedSteps: aligned[0]?.length ?? 0,
  };
  if (waitMs !== null && waitShare !== null) Object.assign(evidence, { othersWaitMs: waitMs, othersWaitShare: waitShare });
  const where = `${STAGE_LABELS[stage]} (+${formatMs(stageExtraMs)} a step)` + (line ? `, mostly ${shortFile(line.file)}:${line.line}` : '');
  const wait =
    waitMs !== null && waitShare !== null
      ? ` The other ranks wait for it in communication: ${formatMs(waitMs)} a step, ${formatShare(waitShare)} of their steps.`
      : '';
  return {
    code: 'straggler',
    severity: extra >= STRAGGLER_HIGH_EXTRA ? 'high' : 'moderate',
    title: `Rank ${rank} is the straggler`,
    message:
      `Rank ${rank}'s own work takes ${formatMs(work[slowIndex])} a step, ${formatMs(extraMs)} (${formatShare(extra)}) longer than the other ranks' ` +
      `${formatMs(othersWorkMs)}, and every rank waits for it; its extra time goes to ${where}.${wait}`,
    evidence,
    locations: line ? [{ file: line.file, line: line.line, why: `rank ${rank}'s hot line in ${STAGE_LABELS[stage]}` }] : [],
    fixes: [],
    impact: extraMs / (othersWorkMs + extraMs),
  };
}

/** Share of the aligned steps in which rank `slow`'s own work is longer than every other rank's. */
function slowerShare(aligned: readonly (readonly StepEvent[])[], slow: number): number {
  const steps = aligned[slow] ?? [];
  const slower = steps.filter((step, i) => aligned.every((other, r) => r === slow || ownWorkMs(step) > ownWorkMs(other[i] as StepEvent)));
  return steps.length ? slower.length / steps.length : 0;
}

/**
 * The stage the slow rank spends most more time in than the others, per aligned step: each rank's
 * mean over its staged steps (an unstaged step's stages were not measured), ranks with none left out.
 */
function extraStage(slow: readonly StepEvent[], others: readonly (readonly StepEvent[])[]): { stage: StageName; stageExtraMs: number } {
  let best: { stage: StageName; stageExtraMs: number } = { stage: 'other', stageExtraMs: 0 };
  const slowStaged = slow.filter(isStaged);
  const othersStaged = others.map((steps) => steps.filter(isStaged)).filter((steps) => steps.length > 0);
  if (slowStaged.length === 0 || othersStaged.length === 0) return best;
  for (const stage of STAGE_NAMES) {
    const mean = (steps: readonly StepEvent[]): number => sum(steps.map((s) => s.stages[stage] ?? 0)) / steps.length;
    const othersMs = sum(othersStaged.map(mean)) / othersStaged.length;
    const stageExtraMs = mean(slowStaged) - othersMs;
    if (stageExtraMs > best.stageExtraMs) best = { stage, stageExtraMs };
  }
  return best;
}

function shortFile(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
