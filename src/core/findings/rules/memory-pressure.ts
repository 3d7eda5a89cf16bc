/** memory-pressure: the run's peak GPU memory is close to the card's capacity. */
import { formatBytes, formatShare, MIB } from '../../format';
import type { RunFacts } from '../facts';
import type { Finding } from '../finding';
import { runGpu } from '../gpu';
import { batchSite } from '../loaders';
import { median } from '../../stats';
import { MODERATE_SHARE, steadySteps } from '../measures';

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
  // A loop that already accumulates gradients needs more micro-batches, not the fix that adds accumulation.
  const micro = median(steadySteps(facts).map((s) => s.micro ?? 1)) ?? 1;
  const remedy =
    micro > 1
      ? `more micro-batches per step (now ${micro}), each of them smaller${batch.phrase}`
      : `a smaller batch${batch.phrase} with gradient accumulation`;
  return {
    code: 'memory-pressure',
    severity: 'moderate',
    title: 'GPU memory is nearly full',
    message: `Peak GPU memory reached ${formatBytes(gpu.memPeakMiB * MIB)} of ${formatBytes(gpu.memTotalMiB * MIB)} (${formatShare(share)}); ${remedy}, or activation checkpointing, leaves room before an out-of-memory error.`,
    evidence: { memPeakMiB: gpu.memPeakMiB, memTotalMiB: gpu.memTotalMiB, memShare: share, ...(micro > 1 && { microBatches: micro }) },
    locations: batch.locations,
    fixes: micro > 1 ? [] : ['grad-accumulation'],
    impact: MEMORY_PRESSURE_IMPACT,
  };
}
