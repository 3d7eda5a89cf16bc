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

/** Stage a line sample was taken in; `startup` = before the first training step (imports, data
 * and model set-up); `none` = outside any training step after the first (eval, checkpoints). */
export type SampleStage = StageName | 'startup' | 'none';

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
  /** From longRunAfterS seconds into the run on, lines are sampled at longRunSampleHz
   * (RunnerOptions.longRun); absent: sampleHz throughout. */
  longRunSampleHz?: number | null;
  longRunAfterS?: number | null;
  /** Wall-clock epoch ms of the runner's time origin; every `t` below is ms since it. */
  timeOriginMs: number;
  /** Set when the process is a rank of a distributed job (torch.distributed). */
  rank?: number | null;
  worldSize?: number | null;
  localRank?: number | null;
  /** Host name of the machine the rank runs on. */
  node?: string | null;
  /** What the job's ranks share (rendezvous address, torchrun run id): recordings of one job merge. */
  job?: string | null;
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

/** An optimizer the script stepped, reported at its first `step()`, so fixes apply only where they
 * can (no `foreach` for LBFGS, no `set_to_none` where `zero_grad` is never called). */
export interface OptimizerEvent {
  type: 'optimizer';
  /** Qualified class name, e.g. `torch.optim.lbfgs.LBFGS`. */
  kind: string;
  /** Where it was built. */
  file?: string | null;
  line?: number | null;
  /** True when `step()` was given a closure (forward and backward then run inside it). */
  closure?: boolean | null;
  /** The optimizer's `foreach` option, when it has one. */
  foreach?: boolean | null;
}

/** What ends a training step, in order of precedence (README: "How steps are found"). `none`: no
 * anchor seen yet, so no throughput can be shown honestly. */
export const STEP_ANCHORS = ['dataloader', 'optimizer', 'backward', 'framework', 'none'] as const;
export type StepAnchor = (typeof STEP_ANCHORS)[number];

/** Sent when the runner settles on (or changes) what delimits a step. */
export interface AnchorEvent {
  type: 'anchor';
  anchor: StepAnchor;
  /** Plain words on what was seen, e.g. "2 optimizers per step" or "LBFGS with a closure". */
  detail?: string | null;
}

/** One evaluation pass: forwards without backward between training steps (a validation loop). */
export interface EvalEvent {
  type: 'eval';
  /** Start, ms since the time origin. */
  t: number;
  ms: number;
  batches: number;
  samples?: number | null;
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
  /** Host wall time per stage, ms. Empty on a step whose stages were not timed (the Python runner
   * times the stages of a sample of a fast loop's steps): not measured, not zero. */
  stages: StageTimes;
  /** Device-side time per stage (CUDA events), ms, when the framework event says deviceTiming. */
  device?: StageTimes | null;
  /** Tokens in the step: B×T of an integer [B, T] model input, summed over micro-batches. */
  tokens?: number | null;
  /** Micro-batches (forward + backward) in the step, when more than one (gradient accumulation). */
  micro?: number | null;
  /** Main-thread CPU time in the data stage, ms: near `stages.data` when loading computes in the
   * main process, near 0 when it waits (on workers, disk, a sleep). */
  dataCpuMs?: number | null;
  /** A rank's time in collectives during the step, ms, and the part of it the loop waited for
   * (not hidden behind backward); absent where nothing measured them. */
  commMs?: number | null;
  commExposedMs?: number | null;
}

export interface LineEntry {
  /** Absolute path of the innermost user-code frame ("own" line). */
  file: string;
  line: number;
  stage: SampleStage;
  count: number;
  /** Wall time these samples stand for, ms: each sample weighted by the time since the one before
   * (both runners; recordings made before the Node runner sent it have none). Absent: every sample
   * stands for one period. */
  ms?: number;
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
  | OptimizerEvent
  | StepEvent
  | AnchorEvent
  | EvalEvent
  | LinesEvent
  | LogEvent
  | ErrorEvent
  | CeilingEvent
  | ByeEvent;

export type RunnerEventType = RunnerEvent['type'];
