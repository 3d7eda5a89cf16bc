/**
 * The summary of a run: what `trainlens record --json` prints, what summary.json holds, what the
 * editor shows. Everything in it is derived from recorded events (see aggregator.ts).
 */
import type { FrameworkName, LoaderEvent, OptimizerEvent, RunnerKind, SampleStage, StageName } from '../protocol/events';
import type { HardwareEvent, ImportEvent, RunStatus } from '../protocol/recording';
import type { HardwareIssue } from './hardware-check';
import type { Finding } from './findings/finding';
import type { RankSummary } from './ranks';
import type { StepAnchorSummary } from './step-anchor';

/**
 * The shape of summary.json. A recording whose summary has another format is summarised again from
 * its events (recording-reader.ts), so bump this with every change to RunSummary's fields.
 * 2: hardwareCheck. 3: startup, hotLines[].ms. 4: stepAnchor, throughput.tokensPerSec, eval, optimizers.
 */
export const SUMMARY_FORMAT = 4;

export interface StageSummary {
  /** Mean ms per steady-state step. */
  ms: number;
  /** Share of steady-state step time, 0..1. */
  share: number;
}

/** A line's samples outside start-up (all of them while the run has no step), see line-profile.ts. */
export interface HotLine {
  file: string;
  line: number;
  /** Share of the run's sampled wall time (of its samples, when `ms` is null), 0..1. */
  share: number;
  samples: number;
  /** Wall time the samples stand for; null for recordings whose samples carry no time. */
  ms: number | null;
  /** The stage most of this line's time (samples) was taken in. */
  stage: SampleStage;
  /** Share of this line's time (samples) per stage, 0..1. */
  stageShares: Partial<Record<SampleStage, number>>;
  fn: string | null;
  /** The heaviest library call path below this line. */
  path: string[];
}

/** Start-up: from the runner's time origin to the first step (imports, data and model set-up). */
export interface StartupSummary {
  ms: number;
  /** The lines that took most of it, heaviest first. */
  lines: StartupLine[];
}

export interface StartupLine {
  file: string;
  line: number;
  fn: string | null;
  /** Wall time (for recordings without it, one sampling period per sample). */
  ms: number;
  /** The line's source text, when the host could read it (startup.ts). */
  code: string | null;
}

export interface TelemetrySummary {
  samples: number;
  cpuPctMean: number | null;
  rssPeakBytes: number | null;
  systemCpuPctMean: number | null;
  gpuUtilPctMean: number | null;
  gpuUtilPctP95: number | null;
  gpuMemPeakMiB: number | null;
  gpuMemTotalMiB: number | null;
  ownGpuMemPeakMiB: number | null;
}

export interface RunError {
  message: string;
  excType: string;
  file: string | null;
  line: number | null;
}

export interface RunSummary {
  summaryFormat: number;
  id: string;
  status: RunStatus | 'running';
  exitCode: number | null;
  signal: string | null;
  error: RunError | null;
  runner: RunnerKind | null;
  framework: FrameworkName | null;
  frameworkVersion: string | null;
  frameworkPackage: string | null;
  device: string | null;
  command: string[];
  cwd: string;
  script: string | null;
  startedAtMs: number;
  durationMs: number;
  steps: number;
  /** Leading steps left out of the steady-state figures. */
  warmupSteps: number;
  /** What ends a step; `none`: steps were not recognised, so the throughput is null. */
  stepAnchor: StepAnchorSummary;
  throughput: {
    batchesPerSec: number | null;
    samplesPerSec: number | null;
    /** From the steps' tokens (LM inputs), over the same steady-state steps as batches/s. */
    tokensPerSec: number | null;
    stepMsMedian: number | null;
    stepMsP95: number | null;
  };
  /** Evaluation passes between training steps (kept out of the step figures); null when none. */
  eval: EvalSummary | null;
  /** Optimizers the script stepped, as the runner saw them at their first step. */
  optimizers: OptimizerEvent[];
  stages: Partial<Record<StageName, StageSummary>>;
  /**
   * Steady steps whose stages were timed, when not all were (the Python runner times a sample of a
   * fast loop's steps): `stages` is over these. Absent when every steady step was timed, as in every
   * recording made before runners sampled, so older summaries need no new format.
   */
  stagedSteps?: number;
  /** The stages the framework let the runner measure separately. */
  separatedStages: StageName[];
  /** Device-side ms per step (CUDA events), when measured. */
  deviceStages: Partial<Record<StageName, number>> | null;
  hotLines: HotLine[];
  lineSamples: number;
  /** Null when the run had no step. */
  startup: StartupSummary | null;
  loaders: LoaderEvent[];
  telemetry: TelemetrySummary | null;
  hardware: HardwareEvent | null;
  /** What the machine itself may limit (RAM vs GPU memory, PCIe links, NVLink). */
  hardwareCheck: HardwareIssue[];
  findings: Finding[];
  ceilings: Ceilings | null;
  /** Plain-language remarks, e.g. "no training steps observed". */
  notes: string[];
  /** Runner lines dropped by the host, by reason. */
  dropped: Record<string, number>;
  recording: string;
  /** A distributed job's ranks, by rank (ranks.ts); absent for a single process. */
  ranks?: RankSummary[];
  /** Set when the recording was imported from another tool's trace (`trainlens import`). */
  imported?: Omit<ImportEvent, 'type'>;
}

export interface EvalSummary {
  passes: number;
  batches: number;
  /** Wall time of all passes together. */
  ms: number;
}

export interface Ceilings {
  /** Batches/s of the data pipeline alone. */
  dataOnlyBatchesPerSec: number | null;
  /** Batches/s of the training step on one cached batch. */
  computeOnlyBatchesPerSec: number | null;
  actualBatchesPerSec: number | null;
  /** min(data, compute). */
  ceilingBatchesPerSec: number | null;
  /** (ceiling - actual) / ceiling, 0..1. */
  gap: number | null;
  note: string | null;
}
