/** Hardware facts, read once per run. */
import { cpus, totalmem } from 'node:os';
import { cpu, mem } from 'systeminformation';
import type { HardwareEvent } from '../../protocol/recording';
import type { Notify } from './notes';
import type { GpuFacts } from './nvidia-smi';

/** systeminformation's cpu() runs lscpu and dmidecode; a hung one must not hold the run's end. */
const SI_TIMEOUT_MS = 5000;

export interface HostFacts {
  cpu: HardwareEvent['cpu'];
  memTotalBytes: number;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * CPU model, cores and RAM. systeminformation is used for physical cores (Node's os module only
 * knows logical ones); its graphics() is deliberately not called: it runs nvidia-smi with
 * execFileSync, and nvidia-smi's own query already gives the GPU facts.
 */
export async function readHostFacts(notify: Notify): Promise<HostFacts> {
  try {
    const [c, m] = await withTimeout(Promise.all([cpu(), mem()]), SI_TIMEOUT_MS);
    return {
      cpu: { model: `${c.manufacturer} ${c.brand}`.trim(), physicalCores: c.physicalCores, logicalCores: c.cores },
      memTotalBytes: m.total,
    };
  } catch (err) {
    const logical = cpus();
    notify('hardware-partial', `hardware facts partial: systeminformation failed (${(err as Error).message}); physical cores shown as logical`);
    return {
      cpu: { model: logical[0]?.model.trim() ?? 'unknown', physicalCores: logical.length, logicalCores: logical.length },
      memTotalBytes: totalmem(),
    };
  }
}

export function hardwareEvent(host: HostFacts, gpu: GpuFacts): HardwareEvent {
  return { type: 'hardware', cpu: host.cpu, memTotalBytes: host.memTotalBytes, gpus: gpu.gpus, nvlink: gpu.nvlink, gpuNote: gpu.note };
}
