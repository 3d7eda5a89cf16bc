/** optimizer-heavy: the optimizer step and zero_grad take a large share of each step. */
import { formatMs, formatShare } from '../../format';
import type { RunFacts } from '../facts';
import type { Finding, FixId } from '../finding';
import { frameworkAtLeast, hotLinesIn, meanStepMs, MODERATE_SHARE, stageShare } from '../measures';
import { closureOptimizers, foreachApplies, optimizerClass, updatesPerParameter } from '../optimizers';
import { filesMention, runFiles } from '../sources';

/** Issue 5's threshold: an optimizer past 30% of the step usually runs one kernel per parameter. */
export const OPTIMIZER_HEAVY_SHARE = 0.3;
/** From half the step, updating the weights costs more than computing the gradients. */
export const OPTIMIZER_HIGH_SHARE = 0.5;
const MAX_LINES = 2;

/** A closure passed to step() in the code: `optimizer.step(closure)`, `opt.step(lambda: …)`. */
const CLOSURE_STEP = /\.step\(\s*(?:lambda\b|\w*closure\w*\s*[,)])/i;
const ZERO_GRAD = /\.zero_grad\(/;

export function optimizerHeavy(facts: RunFacts): Finding | null {
  const { summary } = facts;
  const optimizer = summary.stages.optimizer;
  if (!optimizer || optimizer.share < OPTIMIZER_HEAVY_SHARE) return null;
  const closures = closureOptimizers(summary).length;
  if (closureNotSplit(facts, closures)) return null;
  const stepMs = meanStepMs(summary);
  const lines = hotLinesIn(summary, ['optimizer'], MAX_LINES);
  const what =
    summary.framework !== 'pytorch'
      ? 'The optimizer update'
      : closures > 0
        ? "The optimizer update (step without its closure's forward and backward, and zero_grad)"
        : 'The optimizer (step and zero_grad)';
  const evidence: Record<string, number> = { optimizerShare: optimizer.share, optimizerMs: optimizer.ms, stepMs };
  if (closures > 0) evidence.closureOptimizers = closures;
  return {
    code: 'optimizer-heavy',
    severity: optimizer.share >= OPTIMIZER_HIGH_SHARE ? 'high' : 'moderate',
    title: 'The optimizer takes much of each step',
    message: `${what} takes ${formatShare(optimizer.share)} of each step (${formatMs(optimizer.ms)} of ${formatMs(stepMs)})${ownAlgorithm(facts)}.`,
    evidence,
    locations: lines.map((l) => ({ file: l.file, line: l.line, why: `hot in the optimizer stage, ${formatShare(l.share)} of samples` })),
    fixes: summary.framework === 'pytorch' ? torchFixes(facts) : [],
    impact: optimizer.share,
  };
}

/**
 * Forward and backward run inside a closure optimizer's step() (LBFGS, Lightning). The runner counts
 * them in their own stages; where a recording shows next to no forward or backward time beside a
 * closure, they were measured as the optimizer's, and its share is the closure's, not the update's.
 */
function closureNotSplit(facts: RunFacts, closures: number): boolean {
  const { summary } = facts;
  const gradients = stageShare(summary, 'forward') + stageShare(summary, 'backward') + stageShare(summary, 'forwardBackward');
  if (gradients >= MODERATE_SHARE) return false;
  // Recordings made before runners reported optimizers: the code says whether step() takes a closure.
  return closures > 0 || (summary.optimizers.length === 0 && filesMention(facts, runFiles(facts), CLOSURE_STEP) === true);
}

function torchFixes(facts: RunFacts): FixId[] {
  const { summary } = facts;
  const fixes: FixId[] = [];
  // Both cut per-parameter kernels: nothing to cut where the update is one optimizer's own algorithm (LBFGS).
  if (!updatesPerParameter(summary)) return fixes;
  // foreach implementations (one op over all parameters) are in torch 1.13; fused CUDA ones in 2.0.
  if (frameworkAtLeast(summary, 1, 13) && foreachApplies(summary)) fixes.push('optimizer-foreach');
  // torch 2.0 made set_to_none=True zero_grad's default; a loop that never calls zero_grad has nothing to change.
  if (!frameworkAtLeast(summary, 2, 0) && filesMention(facts, runFiles(facts), ZERO_GRAD) === true) fixes.push('zero-grad-set-to-none');
  return fixes;
}

/** What the time is when no option speeds the update up: LBFGS's line search and history. */
function ownAlgorithm(facts: RunFacts): string {
  const { summary } = facts;
  if (updatesPerParameter(summary)) return '';
  const lbfgs = summary.optimizers.some((o) => optimizerClass(o) === 'LBFGS');
  const names = [...new Set(summary.optimizers.map(optimizerClass))].join(', ');
  return lbfgs
    ? `; that is mostly LBFGS's own line search and history update, which no option speeds up: fewer iterations per step (max_iter) or a shorter history (history_size) cut it`
    : `; ${names} has no multi-tensor (foreach) implementation to switch to`;
}
