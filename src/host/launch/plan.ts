/**
 * How a user's command becomes an instrumented one. A plan is pure data: the launcher spawns it
 * without a shell. Runners get every option in one JSON environment variable, RUNNER_OPTIONS_ENV.
 */
import type { TuneSettings } from '../../core/tune/settings';
import type { RunnerKind } from '../../protocol/events';

export const RUNNER_OPTIONS_ENV = 'TRAINLENS_OPTIONS';

export type ProbeMode = 'data-only' | 'compute-only';

/** What a runner reads from RUNNER_OPTIONS_ENV (and removes from its environment at once). */
export interface RunnerOptions {
  v: number;
  /** Unix socket path of this run's channel. */
  socket: string;
  /** Per-run secret; the runner's hello must carry it. */
  token: string;
  sampleHz: number;
  /** From `afterS` seconds into the run on, lines are sampled at `sampleHz` instead (see
   * LONG_RUN_AFTER_S in run-session.ts); absent or null: the one rate throughout. */
  longRun?: { sampleHz: number; afterS: number } | null;
  flushMs: number;
  /**
   * Ceiling probes (`record --ceilings`) run the same command a second and third time, briefly:
   * `data-only` iterates the first data loader without training; `compute-only` replays its first
   * batch through the real training step. The runner sends a `ceiling` event after probeSteps
   * measured steps and exits; the user's own run is never touched.
   */
  probe?: ProbeMode | null;
  probeSteps?: number | null;
  /**
   * A tuning trial's settings (`trainlens tune`), applied by the Python runner without editing the
   * script: at torch's import (threads, cuDNN) and in each DataLoader.__init__ (overrides.py).
   */
  overrides?: RuntimeOverrides | null;
  /** The user's PYTHONPATH before we prepended the runner; the Python runner restores it. */
  pythonPath?: string | null;
  /** The user's NODE_OPTIONS before we added the preload; the Node preload restores it. */
  nodeOptions?: string | null;
}

/** Settings a run applies in place of the script's own: a tuning trial's (core/tune/settings.ts). */
export type RuntimeOverrides = TuneSettings;

export interface LaunchPlan {
  runner: RunnerKind;
  /** Executable to spawn (no shell). */
  command: string;
  args: string[];
  /** Full environment for the child. */
  env: NodeJS.ProcessEnv;
  /** Absolute path of the user's script, when it could be told. */
  script: string | null;
}

export interface PlanContext {
  options: RunnerOptions;
  /** Folder holding the built runners: dist/ (preload.js, python/). */
  runnersDir: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** A command TrainLens cannot instrument; `message` is for the user. */
export class UnsupportedCommandError extends Error {
  readonly category = 'unsupported-command';
}
