/** memory-headroom (informational): an underused GPU with most of its memory free can take a larger batch. */
import { formatBytes, formatPct, formatShare, MIB } from '../../format';
import type { RunFacts } from '../facts';
import type { Finding } from '../finding';
import { GPU_LOW_UTIL_PCT, runGpu } from '../gpu';
import { batchSite } from '../loaders';

/** Issue 5's threshold. Under half the card, twice the batch fits: activations grow with the batch,
 * weights and optimizer state do not. */
export const MEMORY_HEADROOM_SHARE = 0.5;

export function memoryHeadroom(facts: RunFacts): Finding | null {
  // tfjs-node-gpu's TensorFlow reserves nearly the whole card up front (tensorflow/tfjs#671).
  if (facts.summary.framework !== 'pytorch') return null;
  const gpu = runGpu(facts);
  const util = gpu?.utilPctMean ?? null;
  if (!gpu || util === null || util >= GPU_LOW_UTIL_PCT || gpu.memPeakMiB === null || !gpu.memTotalMiB) return null;
  const share = gpu.memPeakMiB / gpu.memTotalMiB;
  if (share >= MEMORY_HEADROOM_SHARE) return null;
  const batch = batchSite(facts.summary);
  return {
    code: 'memory-headroom',
    severity: 'info',
    title: 'Room for a larger batch',
    message: `Peak GPU memory was ${formatBytes(gpu.memPeakMiB * MIB)} of ${formatBytes(gpu.memTotalMiB * MIB)} (${formatShare(share)}) while the GPU was busy ${formatPct(util)}: there is room for a larger batch${batch.phrase}.`,
    evidence: { memPeakMiB: gpu.memPeakMiB, memTotalMiB: gpu.memTotalMiB, memShare: share, gpuUtilPct: util },
    locations: batch.locations,
    fixes: [],
    // The time at stake is gpu-underutilized's; this says the remedy fits.
    impact: 0,
  };
}
