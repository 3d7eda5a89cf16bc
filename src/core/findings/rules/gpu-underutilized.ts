/** gpu-underutilized: the GPU idles while steps run, and missing data does not explain it. */
import { formatPct } from '../../format';
import type { RunFacts } from '../facts';
import type { Finding } from '../finding';
import { GPU_LOW_UTIL_PCT, runGpu } from '../gpu';
import { batchSite } from '../loaders';
import { HIGH_SHARE, stageShare } from '../measures';

export function gpuUnderutilized(facts: RunFacts): Finding | null {
  const { summary } = facts;
  const gpu = runGpu(facts);
  const util = gpu?.utilPctMean ?? null;
  if (!gpu || util === null || util >= GPU_LOW_UTIL_PCT) return null;
  // A highly input-bound GPU idles for want of data: input-bound reports it, with its fixes.
  if (stageShare(summary, 'data') >= HIGH_SHARE) return null;
  const idle = 1 - util / 100;
  const batch = batchSite(summary);
  return {
    code: 'gpu-underutilized',
    // Idle more than half the time is far past XProf's 20% "high" grade for time lost.
    severity: 'high',
    title: 'The GPU is underutilized',
    message: `The ${gpu.name ?? 'GPU'} was busy only ${formatPct(util)} of the time while steps ran (${gpu.utilSamples} telemetry samples); a larger batch${batch.phrase} and fewer host-device syncs keep it fed.`,
    evidence: { gpuUtilPct: util, utilSamples: gpu.utilSamples, idleShare: idle },
    locations: batch.locations,
    fixes: [],
    impact: idle,
  };
}
