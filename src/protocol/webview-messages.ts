/**
 * Messages between the extension host and the performance panel (webview), both ways, as
 * discriminated unions on `type`. Plain data with units in the names: the webview formats.
 *
 * Handshake: the webview posts `ready` whenever it (re)loads or loses track of versions; the host
 * answers with one `snapshot`, then `delta`s (≤ 10 Hz) against the version it last sent.
 */
import type { FrameworkName, RunnerKind, SampleStage, StageName } from './events';

// ---- host -> webview -----------------------------------------------------------------------

/**
 * Per-bucket time series, column-wise (what uPlot plots). Buckets are 1 s wide while recent and
 * wider for the oldest part of a long run (merged to keep memory bounded); `tS` is each bucket's
 * start in seconds since the run started. null = nothing measured in that bucket.
 */
export interface PanelSeries {
  tS: number[];
  batchesPerSec: Array<number | null>;
  samplesPerSec: Array<number | null>;
  /** Share of step time per stage, 0..1, for the stages seen in this run. */
  stageShare: Partial<Record<StageName, Array<number | null>>>;
  /** Mean utilisation over the GPUs. */
  gpuUtilPct: Array<number | null>;
  /** Highest memory used on any one GPU. */
  gpuMemUsedMiB: Array<number | null>;
  /** Training process tree, % of one core. */
  cpuPct: Array<number | null>;
  /** Whole machine, % of all cores. */
  systemCpuPct: Array<number | null>;
  rssBytes: Array<number | null>;
}

export type PanelRunStatus = 'running' | 'completed' | 'failed' | 'stopped';

export interface PanelHeadline {
  status: PanelRunStatus;
  /** `live`: figures over the last seconds of a running run; `final`: steady state from the summary. */
  scope: 'live' | 'final';
  /** The live window the rates are computed over; null when final. */
  windowMs: number | null;
  steps: number;
  warmupSteps: number;
  durationMs: number;
  batchesPerSec: number | null;
  samplesPerSec: number | null;
  /** Language-model runs: B×T of the model's integer input, per second. */
  tokensPerSec: number | null;
  stepMsMedian: number | null;
  gpuMemTotalMiB: number | null;
  /** What ends a step ("Steps end at the optimizer step (…)"), or, when steps were not recognised,
   * "steps not recognised: … — showing time by line only"; null until the runner says. */
  stepsNote: string | null;
  /** False when no steps were recognised: the rates are null because none can be measured. */
  stepsRecognised: boolean;
  /** Evaluation passes between training steps, kept out of the step figures. */
  eval: { passes: number; batches: number; ms: number } | null;
  /** "start-up 2.1 s: import torch 1.4 s (train.py:3)", kept out of the hot lines; null while the
   * run is live or when it had no step. */
  startupNote: string | null;
  /** A distributed job's ranks, one row of display strings each (core/ranks-table.ts); absent for one process. */
  ranks?: Array<Record<string, string>>;
}

export interface PanelStageRow {
  stage: StageName;
  /** Mean ms per step. */
  ms: number;
  /** Share of step time, 0..1. */
  share: number;
  /** Device-side ms per step (CUDA events) when measured. */
  deviceMs: number | null;
}

export interface PanelStageTable {
  /** Steps the rows are computed over, e.g. the last 5 s or the steady state. */
  steps: number;
  /** Of those, the steps whose stages were timed, when not all were: the rows are over these. */
  stagedSteps?: number;
  windowMs: number | null;
  rows: PanelStageRow[];
  /** The framework measures forward and backward together (tfjs). */
  forwardBackwardMerged: boolean;
}

export interface PanelLocation {
  /** Absolute path, what the host opens. */
  file: string;
  line: number;
  /** Shorter path for display (relative to the run's cwd when inside it). */
  displayPath: string;
  why: string | null;
}

export interface PanelHotLine extends PanelLocation {
  /** Share of all line samples, 0..1. */
  share: number;
  samples: number;
  stage: SampleStage;
  fn: string | null;
  /** The most frequent library call below the line, e.g. `time:sleep`. */
  via: string | null;
}

export type PanelSeverity = 'high' | 'moderate' | 'info';

export interface PanelFinding {
  code: string;
  severity: PanelSeverity;
  title: string;
  message: string;
  locations: PanelLocation[];
  fixes: string[];
  /** Share of step time at stake, 0..1. */
  impact: number;
}

export interface PanelCeilings {
  actualBatchesPerSec: number | null;
  ceilingBatchesPerSec: number | null;
  dataOnlyBatchesPerSec: number | null;
  computeOnlyBatchesPerSec: number | null;
  /** (ceiling - actual) / ceiling, 0..1. */
  gap: number | null;
  limitedBy: 'data' | 'compute' | null;
  note: string | null;
}

export interface PanelGpu {
  index: number;
  name: string;
  memTotalMiB: number | null;
  pcieGenMax: number | null;
  pcieWidthMax: number | null;
  /** Best link seen while the GPU was busy (idle cards drop their link to save power). */
  pcieGen: number | null;
  pcieWidth: number | null;
}

export interface PanelRunInfo {
  command: string[];
  cwd: string;
  script: string | null;
  runner: RunnerKind | null;
  /** Interpreter or runtime, e.g. `CPython 3.11.2`, `Node v20.11.0`. */
  runtime: string | null;
  sampleHz: number | null;
  /** The rate lines are sampled at from `afterS` seconds into the run on (HelloEvent.longRunSampleHz). */
  longRun: { sampleHz: number; afterS: number } | null;
  startedAtMs: number | null;
  framework: { name: FrameworkName; version: string; package: string | null; device: string; deviceTiming: boolean } | null;
  hardware: {
    cpuModel: string;
    physicalCores: number;
    logicalCores: number;
    memTotalBytes: number;
    gpus: PanelGpu[];
    nvlink: boolean | null;
    gpuNote: string | null;
  } | null;
  /** The hardware check's issues (core/hardware-check.ts), shown next to the facts. */
  hardwareCheck: Array<{ code: string; severity: PanelSeverity; message: string }>;
  exitCode: number | null;
  signal: string | null;
  error: { excType: string; message: string; location: PanelLocation | null } | null;
  notes: string[];
}

export interface PanelTables {
  headline: PanelHeadline;
  stages: PanelStageTable;
  hotLines: PanelHotLine[];
  findings: PanelFinding[];
  ceilings: PanelCeilings | null;
  runInfo: PanelRunInfo;
}

/** Everything the panel shows for one run at one version. */
export interface PanelView {
  title: string;
  version: number;
  series: PanelSeries;
  tables: PanelTables;
}

/** Replace the series from index `from` on with `columns` (appended points, reopened buckets). */
export interface SeriesSplice {
  from: number;
  columns: PanelSeries;
}

/** Before/after of a fix (re-run and compare): core/compare.ts computes it (as RunComparison, without the title). */
export type CompareVerdict = 'faster' | 'slower' | 'no-change' | 'not-comparable';

export interface CompareData {
  /** What changed between the two runs, e.g. the fix's title. */
  title: string;
  batchesPerSecBefore: number | null;
  batchesPerSecAfter: number | null;
  /** (after - before) / before × 100. */
  changePct: number | null;
  /** A change within ± this many percent is not told apart from noise. */
  noiseBandPct: number;
  /** Repeated runs the band was measured from; 0 when it is an assumed default. */
  noiseRuns: number;
  verdict: CompareVerdict;
  /** Shares of steady-state step time, 0..1; null where a run did not measure the stage. */
  stageShares: Array<{ stage: StageName; before: number | null; after: number | null }>;
  /** Why the two runs may not be like for like. */
  caveats: string[];
  /** The outcome in one plain sentence (a fix that did not help is said so). */
  sentence: string;
}

export interface SnapshotMessage {
  type: 'snapshot';
  view: PanelView;
}

export interface DeltaMessage {
  type: 'delta';
  /** Applies only on top of exactly this version; otherwise the webview asks again with `ready`. */
  fromVersion: number;
  version: number;
  series: SeriesSplice | null;
  tables: Partial<PanelTables>;
}

export interface CompareMessage {
  type: 'compare';
  /** null hides the block. */
  compare: CompareData | null;
}

export type HostToWebviewMessage = SnapshotMessage | DeltaMessage | CompareMessage;

// ---- webview -> host (untrusted: validated by parseWebviewMessage) -----------------------------

export interface ReadyMessage {
  type: 'ready';
}

export interface OpenLocationMessage {
  type: 'open';
  file: string;
  line: number;
}

export type WebviewToHostMessage = ReadyMessage | OpenLocationMessage;

/** Longest path accepted from the webview; real paths are far shorter. */
const MAX_PATH_CHARS = 4096;

/** Returns the message when it is well-formed, else undefined. Extra fields are dropped. */
export function parseWebviewMessage(raw: unknown): WebviewToHostMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const message = raw as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
      return { type: 'ready' };
    case 'open': {
      const { file, line } = message;
      if (typeof file !== 'string' || file.length === 0 || file.length > MAX_PATH_CHARS || file.includes('\0')) return undefined;
      if (typeof line !== 'number' || !Number.isSafeInteger(line) || line < 1) return undefined;
      return { type: 'open', file, line };
    }
    default:
      return undefined;
  }
}
