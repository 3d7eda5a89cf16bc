/**
 * Runner -> host events: newline-delimited JSON over the per-run socket, and the lines of a
 * recording's events.jsonl. The field table in wire.json is the runtime definition shared with
 * the Python runner; these types mirror it for TypeScript (test/protocol checks they agree).
 */
import wire from './wire.json';

export const PROTOCOL_VERSION: number = wire.version;

/** Stages of one training step. `forwardBackward` is used when a framework (tfjs) computes
 * forward and backward in one call and cannot honestly be split. */
export const STAGE_NAMES = ['data', 'forward', 'backward', 'forwardBackward', 'optimizer', 'other'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** Stage a line sample was taken in; `none` = outside any training step (imports, setup, eval). */
export type SampleStage = StageName | 'none';

export type RunnerKind = 'python' | 'node';
export type FrameworkName = 'pytorch' | 'tfjs';

export interface HelloEvent {
  type: 'hello';
  v: number;
  token: string;
  runner: RunnerKind;
  pid: number;
  runtime: string;
  script: string;
  argv: string[];
  cwd: string;
  sampleHz: number;
  /** Wall-clock epoch ms of the runner's time origin; every `t` below is ms since it. */
  timeOriginMs: number;
}

export interface FrameworkEvent {
  type: 'framework';
  name: FrameworkName;
  version: string;
  /** The package the script loaded, e.g. `@tensorflow/tfjs-node-gpu`. */
  package?: string | null;
  device: string;
  /** The stages this framework lets the runner measure separately. */
  stages: StageName[];
  /** True when `step.device` carries device-side (CUDA event) times. */
  deviceTiming?: boolean | null;
}

/** Where a data pipeline was built, so findings can point at it. */
export interface LoaderEvent {
  type: 'loader';
  kind: string;
  file: string;
  line: number;
  batchSize?: number | null;
  numWorkers?: number | null;
  pinMemory?: boolean | null;
  persistentWorkers?: boolean | null;
  prefetchFactor?: number | null;
}

export type StageTimes = Partial<Record<StageName, number>>;

export interface StepEvent {
  type: 'step';
  index: number;
  /** Start, ms since the time origin. */
  t: number;
  /** Wall duration of the whole step in ms; the stage times add up to it. */
  ms: number;
  samples?: number | null;
  /** Host wall time per stage, ms. */
  stages: StageTimes;
  /** Device-side time per stage (CUDA events), ms, when the framework event says deviceTiming. */
  device?: StageTimes | null;
}

export interface LineEntry {
  /** Absolute path of the innermost user-code frame ("own" line). */
  file: string;
  line: number;
  stage: SampleStage;
  count: number;
  /** Function name of the own frame. */
  fn?: string;
  /** Library frames between the own line and the leaf, outermost first (`module:function`). */
  path?: string[];
}

export interface LinesEvent {
  type: 'lines';
  t: number;
  /** Wall time this batch covers. */
  periodMs: number;
  /** All samples taken in the period, including those with no user frame. */
  samples: number;
  entries: LineEntry[];
}

export interface LogEvent {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface ErrorEvent {
  type: 'error';
  message: string;
  excType: string;
  /** Innermost user-code frame of the uncaught error. */
  file?: string | null;
  line?: number | null;
}

export interface ByeEvent {
  type: 'bye';
  exitCode?: number | null;
  reason: 'exit' | 'exception' | 'interrupt' | 'signal';
  steps: number;
}

/** Result of a ceiling probe run (see RunnerOptions.probe): the pipeline's own maximum. */
export interface CeilingEvent {
  type: 'ceiling';
  /** `data`: the loader iterated without training; `compute`: one cached batch replayed through the step. */
  kind: 'data' | 'compute';
  batchesPerSec: number;
  steps: number;
}

export type RunnerEvent =
  | HelloEvent
  | FrameworkEvent
  | LoaderEvent
  | StepEvent
  | LinesEvent
  | LogEvent
  | ErrorEvent
  | CeilingEvent
  | ByeEvent;

export type RunnerEventType = RunnerEvent['type'];
