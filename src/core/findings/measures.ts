/** Figures several rules share, derived from the facts. */
import type { SampleStage, StageName, StepEvent } from '../../protocol/events';
import { mean, sum } from '../stats';
import type { HotLine, RunSummary } from '../summary';
import type { RunFacts } from './facts';
import type { Severity } from './finding';

/**
 * XProf grades a step input-bound by the share of step time spent waiting for input: below 5% not,
 * from 5% moderately, from 20% highly (kModeratelyInfeedBoundThresholdInPercent and
 * kHighlyInfeedBoundThresholdInPercent in op_stats_to_input_pipeline_analysis.cc). Rules that
 * estimate "share of step time lost" are graded on the same scale.
 */
export const MODERATE_SHARE = 0.05;
export const HIGH_SHARE = 0.2;

/** Null below the moderate grade: too little at stake to be worth the user's attention. */
export function gradeShare(share: number): Severity | null {
  if (share >= HIGH_SHARE) return 'high';
  return share >= MODERATE_SHARE ? 'moderate' : null;
}

/** The training math; `forwardBackward` is tfjs's unsplittable forward+backward. */
export const COMPUTE_STAGES: readonly StageName[] = ['forward', 'backward', 'forwardBackward', 'optimizer'];

/** A line counts as hot from 1% of all samples: 30 samples of a minute at Python's default 50 Hz. */
export const HOT_LINE_MIN_SHARE = 0.01;

/** Steps after warm-up: the same steps the summary's steady-state figures come from. */
export function steadySteps(facts: RunFacts): readonly StepEvent[] {
  return facts.steps.slice(facts.summary.warmupSteps);
}

/** Mean ms of a steady-state step (the stage times add up to it). */
export function meanStepMs(summary: RunSummary): number {
  return sum(Object.values(summary.stages).map((s) => s.ms));
}

export function stageShare(summary: RunSummary, stage: StageName): number {
  return summary.stages[stage]?.share ?? 0;
}

export function computeShare(summary: RunSummary): number {
  return sum(COMPUTE_STAGES.map((stage) => stageShare(summary, stage)));
}

export function computeMs(summary: RunSummary): number {
  return sum(COMPUTE_STAGES.map((stage) => summary.stages[stage]?.ms ?? 0));
}

/** PyTorch on a CUDA device, or tfjs-node-gpu (TensorFlow's CUDA build). */
export function isCudaRun(summary: RunSummary): boolean {
  if (summary.framework === 'tfjs') return (summary.frameworkPackage ?? '').includes('tfjs-node-gpu');
  return (summary.device ?? '').startsWith('cuda');
}

/** Compares the framework's major.minor (e.g. "2.1.0+cu121") with a minimum; false when unknown. */
export function frameworkAtLeast(summary: RunSummary, major: number, minor: number): boolean {
  const match = /^(\d+)\.(\d+)/.exec(summary.frameworkVersion ?? '');
  if (!match) return false;
  const [have, haveMinor] = [Number(match[1]), Number(match[2])];
  return have > major || (have === major && haveMinor >= minor);
}

/** Share of a line's time (its samples, for older recordings) taken in the given stages, 0..1. */
function stagesShare(line: HotLine, stages: readonly SampleStage[]): number {
  return sum(stages.map((stage) => line.stageShares[stage] ?? 0));
}

/**
 * A line's wall time in the given stages, ms: its elapsed-weighted time where the runner measured
 * it; for older recordings, its samples at the run's mean sampling interval (duration / samples),
 * which misprices lines whose samples came late (a long C call delays the tick that lands on it).
 */
function msIn(summary: RunSummary, line: HotLine, stages: readonly SampleStage[]): number {
  const lineMs = line.ms ?? (summary.lineSamples > 0 ? (line.samples * summary.durationMs) / summary.lineSamples : 0);
  return lineMs * stagesShare(line, stages);
}

/**
 * A line's time in the given stages as a share of all step time, over the summed step durations.
 * Line shares count setup time too, which would understate what a line costs the steps.
 */
export function lineStepShare(facts: RunFacts, line: HotLine, stages: readonly SampleStage[]): number {
  const stepsMs = facts.stepsMs ?? sum(facts.steps.map((s) => s.ms));
  return stepsMs > 0 ? msIn(facts.summary, line, stages) / stepsMs : 0;
}

/** Hot lines mostly spent in the given stages, by their time there, highest first. */
export function hotLinesIn(summary: RunSummary, stages: readonly SampleStage[], limit: number): HotLine[] {
  return summary.hotLines
    .filter((line) => line.share >= HOT_LINE_MIN_SHARE && stagesShare(line, stages) > 0.5)
    .sort((a, b) => msIn(summary, b, stages) - msIn(summary, a, stages))
    .slice(0, limit);
}

/** Telemetry samples at 1 Hz: each CPU figure covers the second before it. */
const TELEMETRY_INTERVAL_MS = 1000;
/** Two whole seconds inside the steady state: one could be a start-up or shutdown blip. */
const MIN_CPU_SAMPLES = 2;

/**
 * Mean CPU of the whole process tree (main process and DataLoader workers), in % of one core, over
 * samples whose whole second fell inside the steady-state steps; null on a run too short to tell.
 * Telemetry is timed from the host's run start, steps from the runner's origin, which it takes as
 * the interpreter starts: the two differ by far less than a sample's second.
 */
export function treeCpuWhileStepping(facts: RunFacts): number | null {
  const inside = telemetryWhileStepping(facts);
  return inside.length >= MIN_CPU_SAMPLES ? mean(inside.map((s) => s.proc.cpuPct)) : null;
}

/** Mean CPU of the whole machine (0..100, all its cores) over the same samples; null when too few. */
export function machineCpuWhileStepping(facts: RunFacts): number | null {
  const inside = telemetryWhileStepping(facts);
  return inside.length >= MIN_CPU_SAMPLES ? mean(inside.map((s) => s.system.cpuPct)) : null;
}

/**
 * Cores the machine left idle while steps ran, mean over the same samples: what more processes of
 * the run could still take without taking turns with other programs; null when too few samples.
 */
export function idleCoresWhileStepping(facts: RunFacts): number | null {
  const machinePct = machineCpuWhileStepping(facts);
  return machinePct === null ? null : Math.max(0, facts.cores * (1 - machinePct / 100));
}

function telemetryWhileStepping(facts: RunFacts): RunFacts['telemetry'] {
  const steps = steadySteps(facts);
  const first = steps[0];
  const last = steps[steps.length - 1];
  if (!first || !last) return [];
  return facts.telemetry.filter((s) => s.t - TELEMETRY_INTERVAL_MS >= first.t && s.t <= last.t + last.ms);
}

export interface DataCpu {
  /** Main-thread CPU time over wall time in the data stage, summed over the steps: near 1 when
   * loading computes in the main thread, near 0 when it waits (disk, network, a sleep, workers). */
  share: number;
  /** Per step, mean over the steps that measured it. */
  cpuMs: number;
  dataMs: number;
  /** The steps that measured it, of the steady steps with a data stage (staged ones: an unstaged
   * step's data time was not measured, staged-steps.ts): the Python runner reads the CPU clock on
   * a few whole steps in each window, not on every step. */
  steps: number;
  of: number;
}

/**
 * The main thread's own CPU time while it loaded data (the runner's thread CPU clock), over the
 * steady-state steps that measured it; null for recordings made before runners measured it. Other
 * threads are not in it: BLAS/OpenMP threads spinning while the main thread sleeps do not hide a
 * wait, as they do in the process tree's CPU (issue 14).
 */
export function dataCpuWhileLoading(facts: RunFacts): DataCpu | null {
  const loading = steadySteps(facts).filter((s) => (s.stages.data ?? 0) > 0);
  const measured = loading.filter((s) => typeof s.dataCpuMs === 'number');
  const dataMs = sum(measured.map((s) => s.stages.data ?? 0));
  if (measured.length === 0 || dataMs <= 0) return null;
  const cpuMs = sum(measured.map((s) => s.dataCpuMs ?? 0));
  return { share: cpuMs / dataMs, cpuMs: cpuMs / measured.length, dataMs: dataMs / measured.length, steps: measured.length, of: loading.length };
}

/** "train.py:31": how a message names a place; locations keep the full path. */
export function where(file: string, line: number): string {
  return `${file.split(/[\\/]/).pop() ?? file}:${line}`;
}
