/**
 * What a recording's events.jsonl holds: every runner event as received, plus events the host
 * writes itself. Each line is one JSON object with a `type`; readers skip lines they do not know.
 *
 * Format 2 bounds the file at any step rate: past the first steps, a fast run's steps are written
 * per second as one `steps` row (totals and step-time histograms), apart from a few steps each
 * second that keep a row of their own (see host/recording/step-compactor.ts). Reading turns the
 * rows back into steps, so every consumer still sees `step` events. Format 1 has no `steps` rows.
 */
import type { RunnerEvent, StageName } from './events';

export const RECORDING_FORMAT = 2;

/** First line of every recording. */
export interface RunStartEvent {
  type: 'run';
  format: number;
  id: string;
  command: string[];
  cwd: string;
  startedAtMs: number;
  sampleHz: number;
}

export type RunStatus = 'completed' | 'failed' | 'stopped';

/** Last line of a recording that was not cut off. */
export interface RunExitEvent {
  type: 'exit';
  t: number;
  exitCode: number | null;
  signal: string | null;
  status: RunStatus;
  /** Why the host stopped the run, when it did. */
  stopReason?: string | null;
}

/** One sample of the training process tree and the machine (host telemetry, ~1 Hz). */
export interface TelemetryEvent {
  type: 'telemetry';
  /** ms since the run's start (RunStartEvent.startedAtMs). */
  t: number;
  proc: { cpuPct: number; rssBytes: number; processes: number };
  system: { cpuPct: number; memUsedBytes: number; memTotalBytes: number };
  gpus?: GpuSample[];
  /** GPU memory used by the run's own processes, MiB, per GPU index when known. */
  ownGpuMemMiB?: number | null;
}

export interface GpuSample {
  index: number;
  utilPct: number | null;
  memUtilPct: number | null;
  memUsedMiB: number | null;
  memTotalMiB: number | null;
  powerW: number | null;
  smClockMHz: number | null;
  tempC: number | null;
  pcieGen: number | null;
  pcieWidth: number | null;
}

/** Hardware facts, once per run. */
export interface HardwareEvent {
  type: 'hardware';
  cpu: { model: string; physicalCores: number; logicalCores: number };
  memTotalBytes: number;
  gpus: Array<{ index: number; name: string; memTotalMiB: number | null; pcieGenMax: number | null; pcieWidthMax: number | null }>;
  nvlink: boolean | null;
  /** Why no GPU facts are there, e.g. "no NVIDIA GPU found". */
  gpuNote?: string | null;
}

/** GPU time of an imported profiler trace, over its steps (the whole trace when it has none). */
export interface GpuTime {
  /** Share of step time with a kernel, copy or memset running on any GPU (overlaps counted once), 0..1. */
  busyShare: number;
  /** Share of step time with a communication (NCCL/RCCL) kernel running, 0..1. */
  communicationShare: number;
  /** The kernels that ran longest, summed by name, heaviest first. */
  topKernels: Array<{ name: string; ms: number; count: number }>;
}

/** Written by `trainlens import`: the recording stands for a trace made by another tool. */
export interface ImportEvent {
  type: 'import';
  /** The trace file, as given. */
  file: string;
  format: string;
  rank: number | null;
  worldSize: number | null;
  gpuTime: GpuTime | null;
}

export type HostEvent = RunStartEvent | RunExitEvent | TelemetryEvent | HardwareEvent | ImportEvent;
/** What readers of a recording get: the events as the run produced them. */
export type RecordedEvent = RunnerEvent | HostEvent;

/** Bucket width of a `steps` row's histograms: bucket b holds values within a factor √1.02 of
 * 1.02^b, so a value read back from one is within 1% of the value recorded. */
export const STEP_HISTOGRAM_RATIO = 1.02;

/**
 * Values by logarithmic bucket. `counts[i]` is the number of values in bucket `from + i`, except
 * that a negative entry -k stands for k empty buckets (a stall far from the typical step would
 * otherwise spell out every empty bucket between). `zero` counts values of 0 (or less).
 */
export interface StepHistogram {
  zero: number;
  from: number;
  counts: number[];
}

/** A sum over the steps of a row that carried the field, and how many did. */
export interface FieldTotal {
  sum: number;
  steps: number;
}

/**
 * The steps of one second of a fast run, past the first ones, that were not written as `step`
 * rows: every index from `first` to `last` that has no `step` row of its own.
 */
export interface StepsEvent {
  type: 'steps';
  first: number;
  last: number;
  count: number;
  /** Start of the first step the row covers and end of the last, ms since the runner's origin. */
  t: number;
  endT: number;
  /** Summed over the row's steps. */
  ms: number;
  stages: Partial<Record<StageName, number>>;
  /** Device-side ms per stage (CUDA events), over the steps that timed each stage. */
  device: Partial<Record<StageName, FieldTotal>>;
  /** The step's optional numeric fields (samples, tokens, …), as the wire defines them. */
  fields: Record<string, FieldTotal>;
  /** Step times and each stage's times, for medians and percentiles. */
  hist: { ms: StepHistogram; stages: Partial<Record<StageName, StepHistogram>> };
  /**
   * The row's steps whose stages were timed (the runner times a sample of a fast loop's steps),
   * when not all were: their count, summed time and step times. `stages` is over these. Absent:
   * every step of the row was timed, as in every row written before runners sampled.
   */
  staged?: { count: number; ms: number; hist: StepHistogram };
}

/** What events.jsonl holds: events, and the rows that stand for steps not written one by one. */
export type RecordingLine = RecordedEvent | StepsEvent;
