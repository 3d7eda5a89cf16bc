/** optimizer-heavy: the optimizer step and zero_grad take a large share of each step. */
import { formatMs, formatShare } from '../../format';
import type { RunFacts } from '../facts';
import type { Finding, FixId } from '../finding';
import { frameworkAtLeast, hotLinesIn, meanStepMs } from '../measures';

/** Issue 5's threshold: an optimizer past 30% of the step usually runs one kernel per parameter. */
export const OPTIMIZER_HEAVY_SHARE = 0.3;
/** From half the step, updating the weights costs more than computing the gradients. */
export const OPTIMIZER_HIGH_SHARE = 0.5;
const MAX_LINES = 2;

export function optimizerHeavy(facts: RunFacts): Finding | null {
  const { summary } = facts;
  const optimizer = summary.stages.optimizer;
  if (!optimizer || optimizer.share < OPTIMIZER_HEAVY_SHARE) return null;
  const stepMs = meanStepMs(summary);
  const lines = hotLinesIn(summary, ['optimizer'], MAX_LINES);
  return {
    code: 'optimizer-heavy',
    severity: optimizer.share >= OPTIMIZER_HIGH_SHARE ? 'high' : 'moderate',
    title: 'The optimizer takes much of each step',
    message: `The optimizer (step and zero_grad) takes ${formatShare(optimizer.share)} of each step (${formatMs(optimizer.ms)} of ${formatMs(stepMs)}).`,
    evidence: { optimizerShare: optimizer.share, optimizerMs: optimizer.ms, stepMs },
    locations: lines.map((l) => ({ file: l.file, line: l.line, why: `hot in the optimizer stage, ${formatShare(l.share)} of samples` })),
    fixes: summary.framework === 'pytorch' ? torchFixes(facts) : [],
    impact: optimizer.share,
  };
}

function torchFixes(facts: RunFacts): FixId[] {
  const fixes: FixId[] = [];
  // foreach implementations (one op over all parameters) are in torch 1.13; fused CUDA ones in 2.0.
  if (frameworkAtLeast(facts.summary, 1, 13)) fixes.push('optimizer-foreach');
  // torch 2.0 made set_to_none=True zero_grad's default.
  if (!frameworkAtLeast(facts.summary, 2, 0)) fixes.push('zero-grad-set-to-none');
  return fixes;
}
