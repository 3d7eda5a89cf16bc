/** other-heavy: every step spends much of its time outside data and math (metrics, logging, glue). */
import { formatMs, formatShare } from '../../format';
import { median, sum } from '../../stats';
import { isStaged } from '../../staged-steps';
import type { RunFacts } from '../facts';
import type { Finding } from '../finding';
import { gpuBusy, runGpu } from '../gpu';
import type { ModelFeed } from '../feeds-model';
import { hotLinesIn, lineStepShare, steadySteps, where } from '../measures';
import { modelFlow } from '../sources';
import { syncLines } from './host-sync';

/** Issue 5's threshold: glue past a quarter of the step is worth cutting. */
export const OTHER_HEAVY_SHARE = 0.25;
/** From half the step, glue costs more than the data and the math together. */
export const OTHER_HIGH_SHARE = 0.5;
const MAX_LINES = 3;

export function otherHeavy(facts: RunFacts): Finding | null {
  // Steps whose stages were timed: an unstaged step's `other` was not measured (staged-steps.ts).
  const steps = steadySteps(facts).filter(isStaged);
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
  const flow = modelFlow(facts);
  const feeds = lines.map((l) => flow.feeds(l.file, l.line));
  const first = lines[0];
  const firstFeed = feeds[0];
  const typical = `${formatShare(share)} of a typical step (${formatMs(share * stepMs)} of ${formatMs(stepMs)})`;
  // The polynomial-regression shape: features built by hand each step look like glue to the stages, but are the model's input.
  const input = first && firstFeed?.kind === 'input';
  const message = input
    ? `Code outside the data loader and the model takes ${typical}; the hottest, ${where(first.file, first.line)}, computes what the model is fed (it ${feedWords(firstFeed)}): input built by hand every step, not glue that could run less often.`
    : `Metrics, logging and other glue take ${typical}${first ? `; the hottest is ${where(first.file, first.line)}${firstFeed ? `, which ${feedWords(firstFeed)}` : ''}` : ''}.`;
  return {
    code: 'other-heavy',
    severity: share >= OTHER_HIGH_SHARE ? 'high' : 'moderate',
    title: input ? "Building the model's input takes much of each step" : 'Metrics, logging and glue take much of each step',
    message,
    evidence: { otherShare: share, otherMs: share * stepMs, stepMs, syncShare },
    locations: lines.map((l, i) => {
      const feed = feeds[i];
      return { file: l.file, line: l.line, why: `hot in the other stage, ${formatShare(l.share)} of samples${feed ? `; ${feedWords(feed)}` : ''}` };
    }),
    // Guarding a hot call needs one that only measures or logs: what the model is fed, or a manual update, must run every step.
    fixes: facts.summary.framework === 'pytorch' && feeds.some((f) => !f) ? ['metric-every-n'] : [],
    impact: share,
  };
}

function feedWords(feed: ModelFeed): string {
  return feed.kind === 'input' ? `reaches the model at ${where(feed.file, feed.line)} through ${feed.name}` : 'updates the model by hand';
}
