/**
 * uneven-batches: ranks of one synchronous job train on different amounts of data per step or
 * take different numbers of steps. DistributedSampler gives every rank the same number of samples
 * (padding the last), so a difference comes from the script's own sharding: the ranks with more
 * samples per step are slower (the others wait for them), and a rank that runs out of batches
 * first leaves the others blocked in their next all-reduce.
 */
import { formatShare } from '../format';
import { sortRanks, type RankRecording } from '../ranks';
import type { Finding } from './finding';

/** Batches that differ by more than 5% (one sample in twenty) are not rounding. */
export const UNEVEN_BATCH_MIN_SPREAD = 0.05;

export function unevenBatches(ranks: readonly RankRecording[]): Finding | null {
  if (ranks.length < 2) return null;
  const sorted = sortRanks(ranks);
  const perStep = sorted.map((r) => {
    const { samplesPerSec, batchesPerSec } = r.summary.throughput;
    return samplesPerSec !== null && batchesPerSec ? samplesPerSec / batchesPerSec : null;
  });
  const steps = sorted.map((r) => r.summary.steps);
  const known = perStep.filter((v): v is number => v !== null);
  const [least, most] = known.length === sorted.length ? [Math.min(...known), Math.max(...known)] : [0, 0];
  const spread = least > 0 ? (most - least) / least : 0;
  const stepsDiffer = Math.min(...steps) !== Math.max(...steps);
  if (spread <= UNEVEN_BATCH_MIN_SPREAD && !stepsDiffer) return null;
  const rankOf = (i: number): number => sorted[i]?.hello.rank ?? i;
  const batches = known.length === sorted.length ? sorted.map((_, i) => `rank ${rankOf(i)}: ${Math.round(perStep[i] ?? 0)}`).join(', ') : '';
  const parts: string[] = [];
  if (spread > UNEVEN_BATCH_MIN_SPREAD) parts.push(`samples per step differ by ${formatShare(spread)} between ranks (${batches})`);
  if (stepsDiffer) parts.push(`ranks took different numbers of steps (${sorted.map((r, i) => `rank ${rankOf(i)}: ${steps[i]}`).join(', ')})`);
  return {
    code: 'uneven-batches',
    severity: 'moderate',
    title: 'Ranks get uneven batches',
    message: `In one synchronous job, ${parts.join('; ')}: every step waits for the rank with most work. Shard the data evenly (DistributedSampler).`,
    evidence: { batchSpread: spread, minSamplesPerStep: least, maxSamplesPerStep: most, minSteps: Math.min(...steps), maxSteps: Math.max(...steps) },
    locations: [],
    fixes: [],
    impact: spread / (1 + spread),
  };
}
