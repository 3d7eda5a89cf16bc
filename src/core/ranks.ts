/**
 * One job, many ranks: each rank is an ordinary recording with its own summary; this folds them,
 * with the launching process's summary (the command, its exit, telemetry), into the job's summary.
 * Pure: the host reads the recordings, `trainlens merge` reads several nodes' recordings, and both
 * build the same job summary here.
 *
 * The job's figures are those of synchronous data parallelism: every rank takes each step together,
 * so the job's steps/s are the slowest rank's and its samples/s the ranks' summed. What the editor
 * decorates (stages, hot lines, loaders, start-up) is the lead rank's (the lowest, usually 0).
 */
import type { LiveFigures } from './aggregator';
import type { HelloEvent, StepEvent } from '../protocol/events';
import type { Finding } from './findings/finding';
import { median, sum } from './stats';
import { NO_STEPS_NOTE } from './aggregator';
import type { HotLine, RunError, RunSummary } from './summary';

/** A rank as its recording has it. */
export interface RankRecording {
  hello: HelloEvent;
  /** The rank's own summary, its own findings included. */
  summary: RunSummary;
  /** Every step of the rank, warm-up included, in order. */
  steps: readonly StepEvent[];
}

export interface RankCommunication {
  /** Mean ms per steady-state step in collectives. */
  msPerStep: number;
  /** Mean ms per step the loop waited for them (not hidden behind backward). */
  exposedMsPerStep: number;
  /** exposedMsPerStep over the mean step, 0..1. */
  exposedShare: number;
}

export interface RankSummary {
  rank: number;
  worldSize: number;
  localRank: number | null;
  node: string | null;
  pid: number;
  status: RunSummary['status'];
  error: RunError | null;
  /** From the run's start to the rank's end, on the clock of the host that recorded it. */
  durationMs: number;
  steps: number;
  warmupSteps: number;
  throughput: RunSummary['throughput'];
  stages: RunSummary['stages'];
  /** Null where the rank's collectives were not measured. */
  communication: RankCommunication | null;
  /** The rank's heaviest lines. */
  hotLines: HotLine[];
  findings: Finding[];
  /** The rank's own recording folder. */
  recording: string;
}

/**
 * Job findings that say the ranks wait: the lead rank's own compute-bound ("the math sets the
 * pace") reads its backward, wait included, as math, and is left out beside them.
 */
const WAITING_FINDINGS = new Set(['straggler', 'communication-bound']);

/** Hot lines kept per rank (the lead rank's full list is the job's). */
const RANK_HOT_LINES = 5;

export function isRank(hello: HelloEvent | undefined): hello is HelloEvent & { rank: number; worldSize: number } {
  return typeof hello?.rank === 'number' && typeof hello.worldSize === 'number';
}

/** Ranks in rank order. */
export function sortRanks<T extends { hello: HelloEvent }>(ranks: readonly T[]): T[] {
  return [...ranks].sort((a, b) => (a.hello.rank ?? 0) - (b.hello.rank ?? 0) || a.hello.pid - b.hello.pid);
}

export function rankSummaryOf(rank: RankRecording): RankSummary {
  const { hello, summary } = rank;
  return {
    rank: hello.rank ?? 0,
    worldSize: hello.worldSize ?? 1,
    localRank: hello.localRank ?? null,
    node: hello.node ?? null,
    pid: hello.pid,
    status: summary.status,
    error: summary.error,
    durationMs: summary.durationMs,
    steps: summary.steps,
    warmupSteps: summary.warmupSteps,
    throughput: summary.throughput,
    stages: summary.stages,
    communication: communicationOf(rank.steps.slice(summary.warmupSteps)),
    hotLines: summary.hotLines.slice(0, RANK_HOT_LINES),
    findings: summary.findings,
    recording: summary.recording,
  };
}

/** Collectives' time over steady-state steps, where every one of them measured it. */
export function communicationOf(steady: readonly StepEvent[]): RankCommunication | null {
  if (steady.length === 0 || !steady.every((s) => typeof s.commMs === 'number' && typeof s.commExposedMs === 'number')) return null;
  const stepMs = sum(steady.map((s) => s.ms));
  const exposedMs = sum(steady.map((s) => s.commExposedMs ?? 0));
  return {
    msPerStep: sum(steady.map((s) => s.commMs ?? 0)) / steady.length,
    exposedMsPerStep: exposedMs / steady.length,
    exposedShare: stepMs > 0 ? exposedMs / stepMs : 0,
  };
}

/** The job's throughput: the slowest rank's steps/s, the ranks' samples (tokens)/s summed. */
export function jobThroughput(ranks: readonly RankSummary[]): RunSummary['throughput'] {
  const counted = ranks.filter((r) => r.throughput.batchesPerSec !== null);
  if (counted.length === 0) return { batchesPerSec: null, samplesPerSec: null, tokensPerSec: null, stepMsMedian: null, stepMsP95: null };
  const slowest = counted.reduce((a, b) => ((b.throughput.batchesPerSec ?? 0) < (a.throughput.batchesPerSec ?? 0) ? b : a));
  const summed = (pick: (r: RankSummary) => number | null): number | null => {
    const values = counted.map(pick);
    return values.every((v): v is number => typeof v === 'number') ? sum(values) : null;
  };
  return {
    batchesPerSec: slowest.throughput.batchesPerSec,
    samplesPerSec: summed((r) => r.throughput.samplesPerSec),
    tokensPerSec: summed((r) => r.throughput.tokensPerSec),
    stepMsMedian: slowest.throughput.stepMsMedian,
    stepMsP95: slowest.throughput.stepMsP95,
  };
}

/**
 * Steps of each rank by step index, for the indices every rank reached past every rank's warm-up:
 * ranks line up by step, never by wall clock (nodes' clocks differ).
 */
export function alignedSteps(ranks: readonly RankRecording[]): StepEvent[][] {
  if (ranks.length === 0) return [];
  const from = Math.max(...ranks.map((r) => r.summary.warmupSteps));
  const byIndex = ranks.map((r) => new Map(r.steps.map((s) => [s.index, s])));
  const indices = [...(byIndex[0]?.keys() ?? [])].filter((i) => i >= from && byIndex.every((m) => m.has(i))).sort((a, b) => a - b);
  return ranks.map((_, r) => indices.map((i) => byIndex[r]?.get(i) as StepEvent));
}

/** A rank's own work in a step: the step less the time it waited in collectives. */
export function ownWorkMs(step: StepEvent): number {
  return step.ms - (step.commExposedMs ?? 0);
}

export function medianOwnWorkMs(steps: readonly StepEvent[]): number | null {
  return median(steps.map(ownWorkMs));
}

/**
 * The job's summary. `launcher`: the summary of the process the user started (for direct
 * launches, that process is itself a rank and `launcher` holds only the host's events); `findings`:
 * the job-level findings (straggler, communication), computed by the caller.
 */
export function jobSummary(launcher: RunSummary, ranks: readonly RankRecording[], jobFindings: readonly Finding[]): RunSummary {
  const sorted = sortRanks(ranks);
  const summaries = sorted.map(rankSummaryOf);
  const lead = sorted[0]?.summary;
  if (!lead) return launcher;
  // The rank that failed first: the others' errors are mostly their collectives losing it.
  const failed = summaries.filter((r) => r.status === 'failed' && r.error).sort((a, b) => a.durationMs - b.durationMs)[0];
  const status = launcher.status === 'completed' && summaries.some((r) => r.status === 'failed') ? 'failed' : launcher.status;
  const notes = launcher.notes.filter((n) => n !== NO_STEPS_NOTE);
  const world = Math.max(...summaries.map((r) => r.worldSize));
  if (summaries.length < world) notes.push(`${summaries.length} of ${world} ranks recorded: the job's samples/s counts only those`);
  return {
    ...launcher,
    status,
    // A rank's own error says where the job failed; the launcher's is where it learned of it.
    error: failed?.error ?? launcher.error,
    runner: lead.runner,
    framework: lead.framework,
    frameworkVersion: lead.frameworkVersion,
    frameworkPackage: lead.frameworkPackage,
    device: lead.device,
    script: launcher.script ?? lead.script,
    steps: lead.steps,
    warmupSteps: lead.warmupSteps,
    stepAnchor: lead.stepAnchor,
    throughput: jobThroughput(summaries),
    eval: lead.eval,
    optimizers: lead.optimizers,
    stages: lead.stages,
    ...(lead.stagedSteps !== undefined ? { stagedSteps: lead.stagedSteps } : {}),
    separatedStages: lead.separatedStages,
    deviceStages: lead.deviceStages,
    hotLines: lead.hotLines,
    lineSamples: lead.lineSamples,
    startup: lead.startup,
    loaders: lead.loaders,
    findings: [...jobFindings, ...lead.findings.filter((f) => !(f.code === 'compute-bound' && jobFindings.some((j) => WAITING_FINDINGS.has(j.code))))],
    notes,
    ranks: summaries,
  };
}

/** A running job's live figures from its ranks' (in rank order): the same rules as jobThroughput. */
export function jobLive(ranks: readonly LiveFigures[]): LiveFigures {
  const lead = ranks[0];
  if (!lead) throw new Error('jobLive needs at least one rank');
  const counted = ranks.filter((r) => r.batchesPerSec !== null);
  const summed = (pick: (r: LiveFigures) => number | null): number | null => {
    const values = counted.map(pick);
    return values.length > 0 && values.every((v): v is number => typeof v === 'number') ? sum(values) : null;
  };
  return {
    ...lead,
    batchesPerSec: counted.length > 0 ? Math.min(...counted.map((r) => r.batchesPerSec as number)) : null,
    samplesPerSec: summed((r) => r.samplesPerSec),
    tokensPerSec: summed((r) => r.tokensPerSec),
    ranks: ranks.length,
  };
}
