/**
 * The nvidia-smi commands TrainLens runs and pure parsers for their output. The commands are
 * pinned here (and replayed by test/fixtures/nvidia-smi) because the parsers depend on the exact
 * field order.
 */
import type { GpuSample } from '../../protocol/recording';

const GPU_FIELDS = [
  'index',
  'name',
  'utilization.gpu',
  'utilization.memory',
  'memory.used',
  'memory.total',
  'power.draw',
  'clocks.sm',
  'temperature.gpu',
  'pcie.link.gen.current',
  'pcie.link.width.current',
  'pcie.link.gen.max',
  'pcie.link.width.max',
] as const;

const CSV = '--format=csv,noheader,nounits';

/** Long-lived: one line per GPU every loopMs. */
export function gpuQueryArgs(loopMs: number): string[] {
  return [`--query-gpu=${GPU_FIELDS.join(',')}`, CSV, `--loop-ms=${loopMs}`];
}

/** Long-lived: one line per process holding a CUDA context, every loopMs; nothing when none. */
export function computeAppsArgs(loopMs: number): string[] {
  return ['--query-compute-apps=pid,used_memory', CSV, `--loop-ms=${loopMs}`];
}

/** Once per run. */
export const NVLINK_STATUS_ARGS: readonly string[] = ['nvlink', '--status'];

/** One --query-gpu line: the live sample plus the static facts that come with it. */
export interface GpuRow {
  sample: GpuSample;
  name: string;
  pcieGenMax: number | null;
  pcieWidthMax: number | null;
}

export interface ComputeAppRow {
  pid: number;
  usedMiB: number | null;
}

/**
 * `[N/A]`, `[Not Supported]`, `[Unknown Error]`, `[GPU requires reset]` and friends all mean
 * "no value": anything that is not a plain number becomes null.
 */
function numberOrNull(field: string | undefined): number | null {
  const text = field?.trim() ?? '';
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : null;
}

function csvFields(line: string): string[] {
  return line.split(',').map((f) => f.trim());
}

/** Null for anything that is not a data line (driver errors, "Unable to determine the device handle…"). */
export function parseGpuRow(line: string): GpuRow | null {
  const f = csvFields(line);
  if (f.length !== GPU_FIELDS.length) return null;
  const index = numberOrNull(f[0]);
  const name = f[1] ?? '';
  if (index === null || !Number.isInteger(index) || name === '') return null;
  return {
    sample: {
      index,
      utilPct: numberOrNull(f[2]),
      memUtilPct: numberOrNull(f[3]),
      memUsedMiB: numberOrNull(f[4]),
      memTotalMiB: numberOrNull(f[5]),
      powerW: numberOrNull(f[6]),
      smClockMHz: numberOrNull(f[7]),
      tempC: numberOrNull(f[8]),
      pcieGen: numberOrNull(f[9]),
      pcieWidth: numberOrNull(f[10]),
    },
    name,
    pcieGenMax: numberOrNull(f[11]),
    pcieWidthMax: numberOrNull(f[12]),
  };
}

export function parseComputeAppRow(line: string): ComputeAppRow | null {
  const f = csvFields(line);
  if (f.length !== 2) return null;
  const pid = numberOrNull(f[0]);
  if (pid === null || !Number.isInteger(pid) || pid <= 0) return null;
  return { pid, usedMiB: numberOrNull(f[1]) };
}

/** `nvidia-smi --query-compute-apps` in a PID namespace (containers) prints this instead of rows. */
export function isNoProcessesMessage(line: string): boolean {
  return /No running processes found/i.test(line);
}

/**
 * `nvidia-smi nvlink --status` prints "GPU n: name (UUID: …)" then one "Link k: 26.562 GB/s" line
 * per active link ("<inactive>" otherwise). Cards without NVLink list the GPU lines only.
 * True: some link is up; false: GPUs listed, no link up; null: output not understood.
 */
export function parseNvlinkStatus(stdout: string): boolean | null {
  if (/Link \d+: [\d.]+ GB\/s/.test(stdout)) return true;
  return /^GPU \d+:/m.test(stdout) ? false : null;
}
