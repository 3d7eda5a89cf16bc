/** Shared by the telemetry tests: run startTelemetry for a while and keep what it reported. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { HardwareEvent, TelemetryEvent } from '../../src/protocol/recording';
import { startTelemetry, type TelemetryOptions } from '../../src/host/telemetry';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');
export const FAKE_NVIDIA_SMI_DIR = path.join(FIXTURES, 'nvidia-smi');
/** Not on any PATH: what a machine without NVIDIA drivers looks like. */
export const MISSING_NVIDIA_SMI = 'trainlens-test-no-such-nvidia-smi';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Collected {
  samples: TelemetryEvent[];
  hardware: HardwareEvent[];
  notes: string[];
}

/** Slow child start-ups on a loaded 2-core box must not fail a test, a hang must. */
const UNTIL_CAP_MS = 10_000;

/** Runs telemetry for at least minMs, then until `until` holds (checked every 50 ms, capped). */
export async function collect(
  options: Omit<TelemetryOptions, 'startedAtMs' | 'onSample' | 'onHardware' | 'onNote'>,
  minMs: number,
  until: (got: Collected) => boolean = () => true,
): Promise<Collected> {
  const got: Collected = { samples: [], hardware: [], notes: [] };
  const telemetry = startTelemetry({
    startedAtMs: Date.now(),
    ...options,
    onSample: (e) => got.samples.push(e),
    onHardware: (e) => got.hardware.push(e),
    onNote: (m) => got.notes.push(m),
  });
  await sleep(minMs);
  for (const giveUpAt = Date.now() + UNTIL_CAP_MS; !until(got) && Date.now() < giveUpAt; ) await sleep(50);
  await telemetry.stop();
  return got;
}

/** A process group of its own, so the whole tree can be killed at once. */
export function spawnGroup(command: string, args: string[]): ChildProcess & { pid: number } {
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  return child as ChildProcess & { pid: number };
}

export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Prepends the fake nvidia-smi to PATH and selects its scenario for the duration of a test file. */
export function useFakeNvidiaSmi(): { scenario(name: string, pids: number[], logFile?: string): void; restore(): void } {
  const saved = { PATH: process.env.PATH };
  process.env.PATH = `${FAKE_NVIDIA_SMI_DIR}${path.delimiter}${process.env.PATH ?? ''}`;
  return {
    scenario(name, pids, logFile) {
      process.env.FAKE_NVIDIA_SMI_SCENARIO = name;
      process.env.FAKE_NVIDIA_SMI_PIDS = pids.join(',');
      if (logFile === undefined) delete process.env.FAKE_NVIDIA_SMI_LOG;
      else process.env.FAKE_NVIDIA_SMI_LOG = logFile;
    },
    restore() {
      process.env.PATH = saved.PATH;
      delete process.env.FAKE_NVIDIA_SMI_SCENARIO;
      delete process.env.FAKE_NVIDIA_SMI_PIDS;
      delete process.env.FAKE_NVIDIA_SMI_LOG;
    },
  };
}
