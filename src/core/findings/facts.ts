/** What the findings engine reads: one run, as recorded. Built by whoever holds the recording. */
import type { StepEvent } from '../../protocol/events';
import type { TelemetryEvent } from '../../protocol/recording';
import type { RunSummary } from '../summary';
import type { Finding } from './finding';

/**
 * Text of one source line (1-based), or undefined when the file or line cannot be read (past the
 * end included). Rules scan whole files through it, line by line: keep file texts cached.
 */
export type SourceLines = (file: string, line: number) => string | undefined;

export interface RunFacts {
  summary: RunSummary;
  /**
   * The run's steps, warm-up included, in order: every one, or for a long run its first and latest
   * (step-log.ts), with `keptGap` the index in this list where the latest begin.
   */
  steps: readonly StepEvent[];
  keptGap?: number | null;
  /** Sum of every step's time when `steps` does not hold them all. */
  stepsMs?: number;
  /** Host telemetry samples (~1 Hz); `t` is ms since the run's start. */
  telemetry: readonly TelemetryEvent[];
  /** Cores really available to the run (affinity and cgroup limits applied). */
  cores: number;
  /** Source text access; rules that must read code stay silent without it. */
  sourceLines?: SourceLines;
}

/** One rule: a pure function of the facts. */
export type Rule = (facts: RunFacts) => Finding | Finding[] | null;
