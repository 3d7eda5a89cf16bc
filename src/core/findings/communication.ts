/**
 * communication-bound: every rank waits in collectives for a large share of each step, beyond what
 * backward hides. When only some ranks wait, they wait for a straggler (straggler.ts), not for
 * the network; so the share graded is the least any rank waits.
 */
import { formatMs, formatShare } from '../format';
import { alignedSteps, communicationOf, sortRanks, type RankRecording } from '../ranks';
import type { Finding } from './finding';
import { HIGH_SHARE, MODERATE_SHARE } from './measures';

/** The stage-share grades every other rule uses: 20% of the step is high, 5% worth a look. */
export const COMMUNICATION_HIGH_SHARE = HIGH_SHARE;
export const COMMUNICATION_MODERATE_SHARE = MODERATE_SHARE;

export function communicationBound(ranks: readonly RankRecording[]): Finding | null {
  if (ranks.length < 2) return null;
  const sorted = sortRanks(ranks);
  const comms = alignedSteps(sorted).map((steps) => communicationOf(steps));
  if (comms.length === 0 || comms.some((c) => c === null)) return null;
  const measured = comms as NonNullable<(typeof comms)[number]>[];
  const least = Math.min(...measured.map((c) => c.exposedShare));
  if (least < COMMUNICATION_MODERATE_SHARE) return null;
  const leastRank = sorted[measured.findIndex((c) => c.exposedShare === least)]?.hello.rank ?? 0;
  const meanMs = measured.reduce((a, c) => a + c.exposedMsPerStep, 0) / measured.length;
  const totalMs = measured.reduce((a, c) => a + c.msPerStep, 0) / measured.length;
  return {
    code: 'communication-bound',
    severity: least >= COMMUNICATION_HIGH_SHARE ? 'high' : 'moderate',
    title: 'Ranks wait for communication',
    message:
      `Every rank waits in collectives for at least ${formatShare(least)} of each step (rank ${leastRank} the least; ${formatMs(meanMs)} a step on average, ` +
      `of ${formatMs(totalMs)} spent in them): gradients are exchanged after backward rather than behind it. Fewer, larger exchanges ` +
      `(gradient accumulation with no_sync), a larger batch per rank, or a faster interconnect shorten the wait.`,
    evidence: { leastExposedShare: least, exposedMsPerStep: meanMs, commMsPerStep: totalMs, ranks: measured.length },
    locations: [],
    fixes: [],
    impact: least,
  };
}
