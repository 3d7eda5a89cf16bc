/** memory-pressure: the run's peak GPU memory is close to the card's capacity. */
import { formatBytes, formatShare, MIB } from '../../format';
import type { RunFacts } from '../facts';
import type { Finding } from '../finding';
import { runGpu } from '../gpu';
import { batchSite } from '../loaders';
import { MODERATE_SHARE } from '../measures';

/**
 * Issue 5's threshold. memory.used includes PyTorch's cache, but the caching allocator only grows
 * when a request does not fit what it holds, so a card this full is one spike from out-of-memory.
 */
export const MEMORY_PRESSURE_SHARE = 0.9;
/** No step time is at stake, a crash is: rank it with findings that cost a few percent. */
const MEMORY_PRESSURE_IMPACT = MODERATE_SHARE;

export function memoryPressure(facts: RunFacts): Finding | null {
  // tfjs-node-gpu's TensorFlow reserves nearly the whole card up front (tensorflow/tfjs#671).
  if (facts.summary.framework !== 'pytorch') return null;
  const gpu = runGpu(facts);
  if (!gpu || gpu.memPeakMiB === null || !gpu.memTotalMiB) return null;
  const share = gpu.memPeakMiB / gpu.memTotalMiB;
  if (share <= MEMORY_PRESSURE_SHARE) return null;
  const batch = batchSite(facts.summary);
  return {
    code: 'memory-pressure',
    severity: 'moderate',
    title: 'GPU memory is nearly full',
    message: `Peak GPU memory reached ${formatBytes(gpu.memPeakMiB * MIB)} of ${formatBytes(gpu.memTotalMiB * MIB)} (${formatShare(share)}); a smaller batch${batch.phrase} with gradient accumulation, or activation checkpointing, leaves room before an out-of-memory error.`,
    evidence: { memPeakMiB: gpu.memPeakMiB, memTotalMiB: gpu.memTotalMiB, memShare: share },
    locations: batch.locations,
    fixes: ['grad-accumulation'],
    impact: MEMORY_PRESSURE_IMPACT,
  };
}
