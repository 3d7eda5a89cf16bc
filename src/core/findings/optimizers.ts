/** The optimizers a run stepped, as the runner reported them: which optimizer fixes can apply. */
import type { OptimizerEvent } from '../../protocol/events';
import type { RunSummary } from '../summary';

/** torch.optim classes that take `foreach` (torch 1.12+); LBFGS and SparseAdam do not. */
export const FOREACH_OPTIMIZERS: ReadonlySet<string> = new Set(['Adadelta', 'Adagrad', 'Adam', 'AdamW', 'Adamax', 'ASGD', 'NAdam', 'RAdam', 'RMSprop', 'Rprop', 'SGD']);

/** "LBFGS" for "torch.optim.lbfgs.LBFGS". */
export function optimizerClass(optimizer: Pick<OptimizerEvent, 'kind'>): string {
  return optimizer.kind.split('.').pop() || optimizer.kind;
}

/**
 * Whether `foreach=True` could speed up an optimizer this run stepped: one with a foreach
 * implementation that does not already use it. A closure does not matter (Adam under Lightning
 * takes one; its update still runs per parameter); LBFGS has no foreach at all. Recordings made
 * before runners reported optimizers say nothing, and the fix checks the class when applied.
 */
export function foreachApplies(summary: RunSummary): boolean {
  if (summary.optimizers.length === 0) return true;
  return summary.optimizers.some((o) => FOREACH_OPTIMIZERS.has(optimizerClass(o)) && o.foreach !== true);
}

/**
 * Whether the update runs per parameter (one small kernel each, as torch.optim's first-order
 * optimizers do without foreach): what foreach and set_to_none cut. LBFGS works on one flattened
 * vector: its time is its own algorithm. Unknown (no optimizer reported) counts as per parameter.
 */
export function updatesPerParameter(summary: RunSummary): boolean {
  return summary.optimizers.length === 0 || summary.optimizers.some((o) => FOREACH_OPTIMIZERS.has(optimizerClass(o)));
}

/** Optimizers stepped with a closure: forward and backward ran inside their step(). */
export function closureOptimizers(summary: RunSummary): OptimizerEvent[] {
  return summary.optimizers.filter((o) => o.closure === true);
}
