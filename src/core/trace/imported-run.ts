/** What an import makes of another tool's trace, before it is written as a recording. */
import type { LinesEvent, StageName, StepEvent } from '../../protocol/events';
import type { GpuTime } from '../../protocol/recording';

export type ImportFormat = 'kineto' | 'chrome-trace-array' | 'v8-cpuprofile';

export interface ImportedRun {
  format: ImportFormat;
  framework: 'pytorch' | null;
  runner: 'python' | 'node';
  /** `cuda` when the trace has GPU activity, else `cpu`. */
  device: string;
  /** Steps, `t` in ms since the trace's first event. */
  steps: StepEvent[];
  /** Stages the trace let the import separate. */
  stages: StageName[];
  /** Time by line (Python frames of a with_stack trace, a CPU profile's samples); null when the trace has none. */
  lines: LinesEvent | null;
  /** From the first event to the end of the last, ms. */
  durationMs: number;
  rank: number | null;
  worldSize: number | null;
  gpuTime: GpuTime | null;
  /** Why no steps were recognised, when none were. */
  noStepsWhy: string | null;
  notes: string[];
}
