/**
 * What a recording's events.jsonl holds: every runner event as received, plus events the host
 * writes itself. Each line is one JSON object with a `type`; readers skip lines they do not know.
 */
import type { RunnerEvent } from './events';

export const RECORDING_FORMAT = 1;

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

export type HostEvent = RunStartEvent | RunExitEvent | TelemetryEvent | HardwareEvent;
export type RecordedEvent = RunnerEvent | HostEvent;
