/**
 * Live telemetry for one run: the training process tree and the machine at 1 Hz, GPUs from
 * long-lived nvidia-smi children, and hardware facts once. Started by the host right after it
 * spawns the training process, stopped when the run ends. Nothing here throws into the host or
 * blocks its event loop; every problem becomes one note.
 */
import type { HardwareEvent, TelemetryEvent } from '../../protocol/recording';
import { hardwareEvent, readHostFacts } from './hardware';
import { createNoteSink, TelemetryError, type Notify } from './notes';
import { NvidiaSmiSampler } from './nvidia-smi';
import { LinuxProcSampler } from './proc-linux';
import { PsProcSampler } from './proc-ps';
import type { ProcSampler } from './proc-sampler';

export interface TelemetryOptions {
  rootPid: number;
  /** The run's start (RunStartEvent.startedAtMs); samples carry ms since then. */
  startedAtMs: number;
  /** Default 1000. Also nvidia-smi's --loop-ms. */
  intervalMs?: number;
  /** Command name (looked up on PATH) or path; default 'nvidia-smi'. */
  nvidiaSmi?: string;
  onSample(e: TelemetryEvent): void;
  onHardware(e: HardwareEvent): void;
  onNote(message: string): void;
}

export interface Telemetry {
  /** Stops sampling, kills the nvidia-smi children, and emits the hardware event if still due. */
  stop(): Promise<void>;
}

/** Below this, sampling would cost more than it tells. */
const MIN_INTERVAL_MS = 50;

async function openProcSampler(rootPid: number, notify: Notify): Promise<ProcSampler> {
  if (process.platform === 'linux') {
    try {
      return await LinuxProcSampler.open(rootPid);
    } catch (err) {
      notify('proc-unavailable', err instanceof Error ? err.message : String(err));
    }
  }
  return new PsProcSampler(rootPid, notify);
}

export function startTelemetry(options: TelemetryOptions): Telemetry {
  const intervalMs = Math.max(MIN_INTERVAL_MS, Math.round(options.intervalMs ?? 1000));
  const notes = createNoteSink(options.onNote);
  const gpu = new NvidiaSmiSampler(options.nvidiaSmi ?? 'nvidia-smi', intervalMs, notes.notify);
  gpu.start();
  const samplerReady = openProcSampler(options.rootPid, notes.notify);
  const hardwareDone = Promise.all([readHostFacts(notes.notify), gpu.facts]).then(([host, gpuFacts]) =>
    notes.guard(() => options.onHardware(hardwareEvent(host, gpuFacts))),
  );

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  let nextAtMs = performance.now() + intervalMs;

  const tick = async (): Promise<void> => {
    const sampler = await samplerReady;
    try {
      const reading = await sampler.read();
      if (stopped) return;
      const sample: TelemetryEvent = {
        type: 'telemetry',
        t: Date.now() - options.startedAtMs,
        proc: reading.proc,
        system: reading.system,
        ...gpu.snapshot(reading.pids),
      };
      notes.guard(() => options.onSample(sample));
    } catch (err) {
      notes.notify(err instanceof TelemetryError ? err.code : 'proc-unavailable', (err as Error).message);
    }
  };

  // Deadlines on a fixed grid, so the time a tick takes does not add up into drift; after a stall
  // (a suspended laptop) the missed ticks are skipped rather than fired in a burst.
  const schedule = (): void => {
    const now = performance.now();
    if (nextAtMs < now) nextAtMs = now;
    timer = setTimeout(() => {
      inFlight = tick().finally(() => {
        if (!stopped) schedule();
      });
    }, nextAtMs - now);
    nextAtMs += intervalMs;
  };
  schedule();

  return {
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        clearTimeout(timer);
        await inFlight;
        await gpu.stop();
        await (await samplerReady).close();
        await hardwareDone;
      })();
      return stopping;
    },
  };
}
