/** other-heavy: every step spends much of its time outside data and math (metrics, logging, glue). */
import { formatMs, formatShare } from '../../format';
import { median, sum } from '../../stats';
import type { RunFacts } from '../facts';
import type { Finding } from '../finding';
import { gpuBusy, runGpu } from '../gpu';
import { hotLinesIn, lineStepShare, steadySteps, where } from '../measures';
import { syncLines } from './host-sync';

/** Issue 5's threshold: glue past a quarter of the step is worth cutting. */
export const OTHER_HEAVY_SHARE = 0.25;
/** From half the step, glue costs more than the data and the math together. */
export const OTHER_HIGH_SHARE = 0.5;
const MAX_LINES = 3;

export function otherHeavy(facts: RunFacts): Finding | null {
  const steps = steadySteps(facts);
  // A typical (median) step: a stall every N steps is periodic-stall's to report, not glue.
  const stepMs = median(steps.map((s) => s.ms)) ?? 0;
  if (stepMs <= 0 || gpuBusy(runGpu(facts))) return null;
  const otherMs = median(steps.map((s) => s.stages.other ?? 0)) ?? 0;
  // On CUDA the wait for the GPU lands in `other` at a sync: host-sync reports that, it is not glue.
  const syncs = syncLines(facts);
  const syncShare = sum(syncs.map((s) => lineStepShare(facts, s.line, ['other'])));
  const share = Math.max(0, otherMs / stepMs - syncShare);
  if (share < OTHER_HEAVY_SHARE) return null;
  const syncing = new Set(syncs.map((s) => s.line));
  const lines = hotLinesIn(facts.summary, ['other'], MAX_LINES + syncing.size)
    .filter((l) => !syncing.has(l))
    .slice(0, MAX_LINES);
  const hottest = lines[0] ? `; the hottest is ${where(lines[0].file, lines[0].line)}` : '';
  return {
    code: 'other-heavy',
    severity: share >= OTHER_HIGH_SHARE ? 'high' : 'moderate',
    title: 'Metrics, logging and glue take much of each step',
    message: `Metrics, logging and other glue take ${formatShare(share)} of a typical step (${formatMs(share * stepMs)} of ${formatMs(stepMs)})${hottest}.`,
    evidence: { otherShare: share, otherMs: share * stepMs, stepMs, syncShare },
    locations: lines.map((l) => ({ file: l.file, line: l.line, why: `hot in the other stage, ${formatShare(l.share)} of samples` })),
    // Guarding the hot call needs a hot call to guard.
    fixes: facts.summary.framework === 'pytorch' && lines.length > 0 ? ['metric-every-n'] : [],
    impact: share,
  };
}
