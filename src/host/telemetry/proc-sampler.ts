/** What a process-tree sampler reports each tick, whatever the platform. */
import type { TelemetryEvent } from '../../protocol/recording';

export interface ProcReading {
  /** cpuPct: 100 = one core, summed over the tree since the previous read. */
  proc: TelemetryEvent['proc'];
  /** cpuPct: 0..100 of all cores together, like top's summary line. */
  system: TelemetryEvent['system'];
  /** The tree's pids at this read, to match nvidia-smi's compute apps against. */
  pids: ReadonlySet<number>;
}

export interface ProcSampler {
  /** Rejects with a TelemetryError when the tree or the machine could not be read this time. */
  read(): Promise<ProcReading>;
  close(): Promise<void>;
}
