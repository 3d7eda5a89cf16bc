/**
 * dataloader-workers: load batches in worker processes: raised to the count a run's loading and
 * step times call for when the loader is input-bound (else, before any run, from the cores),
 * lowered when workers outnumber the cores.
 */
import type { Node } from 'web-tree-sitter';
import { DATALOADER_POSITION, dataLoaderCalls, editDataLoaders } from './dataloader-calls';
import { addKeyword, callArguments, findArgument } from './python-args';
import { integerValue } from './python-syntax';
import { descendants, named, replaceNode, startLine } from './syntax';
import { threadPoolsEdit } from './thread-pools';
import type { Fix, FixContext, FixResult, ParsedFile } from './types';
import { formatSpeedup, suggestedWorkers } from '../findings/loaders';

export const dataloaderWorkers: Fix = {
  id: 'dataloader-workers',
  title: 'Load batches in parallel: set DataLoader num_workers from the available cores',
  languages: ['python'],
  candidates: loadersWithoutWorkers,
  apply(file, ctx) {
    const unsharded = unshardedIterableDataset(file);
    if (unsharded) return { ok: false, reason: unsharded };
    const target = ctx.workers ?? suggestedWorkers(ctx.cores);
    if (target === 0) return { ok: false, reason: `with ${ctx.cores} core, worker processes would compete with the training loop for it` };
    const gain = expectedGain(ctx);
    const workers = editDataLoaders(file, ctx, (args, call) => {
      const hazard = spawnHazard(call, ctx);
      if (hazard) return { refused: hazard };
      const found = findArgument(args, 'num_workers', DATALOADER_POSITION.num_workers);
      if (found.kind === 'hidden') return { refused: found.reason };
      const where = `on the DataLoader at line ${startLine(call)}`;
      if (found.kind === 'absent') {
        return { edits: addKeyword(file, args, `num_workers=${target}`), title: `Set num_workers=${target} ${where}${gain}` };
      }
      const current = integerValue(found.value);
      if (current === null) {
        return { refused: `num_workers is \`${found.value.text}\`: set it where that value comes from (${target} suits ${ctx.cores} cores)` };
      }
      // Busy workers beyond the cores take turns on them (worker-oversubscription).
      if (current > target && current > ctx.cores) {
        const title = `Lower num_workers from ${current} to ${target} ${where}: ${current} workers outnumber ${ctx.cores} cores`;
        return { edits: [replaceNode(found.value, String(target))], title };
      }
      if (current >= target) {
        return { refused: `num_workers is already ${current}, at or above the ${target} that ${ctx.workers === undefined ? `${ctx.cores} cores allow` : 'the run measured as enough'}` };
      }
      return { edits: [replaceNode(found.value, String(target))], title: `Raise num_workers from ${current} to ${target} ${where}${gain}` };
    });
    return workers.ok && ctx.threadPools !== undefined ? withThreadPools(file, workers, ctx.threadPools) : workers;
  },
};

/**
 * The run measured torch's pools spinning on the cores the workers need, and the expected gain
 * assumes them gone: one action writes both. The pools' edits come first, so the last number in the
 * edits is still the worker count (quick-fixes.ts reads it from there).
 */
function withThreadPools(file: ParsedFile, workers: FixResult & { ok: true }, threads: number): FixResult {
  const pools = threadPoolsEdit(file, threads, `their idle threads spun on the cores the DataLoader workers need (measured by TrainLens)`);
  if (!pools.ok) return { ...workers, title: `${workers.title} (the thread pools are left as they are: ${pools.reason})` };
  return { ok: true, edits: [...pools.edits, ...workers.edits], title: `${workers.title}; ${pools.title[0]!.toLowerCase()}${pools.title.slice(1)}, which the gain assumes` };
}

/** What the run's figures predict for the count, when a run measured it (the finding's evidence). */
function expectedGain(ctx: FixContext): string {
  if (ctx.workers === undefined || ctx.workersSpeedup === undefined || ctx.workersSpeedup <= 1) return '';
  return `: expected up to ${formatSpeedup(ctx.workersSpeedup)} faster, from the last run's loading and step times`;
}

/**
 * Before any run, only loaders that load in the main process: raising 0 workers is safe to suggest
 * from the cores alone, while a number the user chose is changed only when a run shows it is wrong.
 */
function loadersWithoutWorkers(file: ParsedFile): number[] {
  return dataLoaderCalls(file)
    .filter((call) => {
      const args = callArguments(call);
      const found = args && findArgument(args, 'num_workers', DATALOADER_POSITION.num_workers);
      return found && (found.kind === 'absent' || (found.kind === 'given' && integerValue(found.value) === 0));
    })
    .map(startLine);
}

/**
 * An IterableDataset hands every worker the whole stream: without get_worker_info() to split it,
 * each sample would arrive once per worker.
 */
function unshardedIterableDataset(file: ParsedFile): string | null {
  const iterable = descendants(file.root, 'class_definition').find((cls) => {
    const bases = cls.childForFieldName('superclasses');
    return bases !== null && named(bases).some((base) => base.text.endsWith('IterableDataset'));
  });
  if (!iterable) return null;
  if (descendants(file.root, 'identifier').some((id) => id.text === 'get_worker_info')) return null;
  return `the IterableDataset at line ${startLine(iterable)} does not split its stream with get_worker_info(), so every worker would yield every sample`;
}

/**
 * macOS and Windows start workers by spawn, which re-runs the script's top level in each worker:
 * a loader built there must sit under `if __name__ == "__main__":` or in a function.
 */
function spawnHazard(call: Node, ctx: FixContext): string | null {
  const system = ctx.platform === 'darwin' ? 'macOS' : ctx.platform === 'win32' ? 'Windows' : null;
  if (!system || !atTopLevel(call)) return null;
  return `on ${system} workers re-run the script's top level, where this DataLoader is built; move it under if __name__ == "__main__": first`;
}

function atTopLevel(node: Node): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === 'function_definition') return false;
    if (current.type === 'if_statement' && isMainGuard(current)) return false;
  }
  return true;
}

function isMainGuard(statement: Node): boolean {
  const condition = statement.childForFieldName('condition');
  return condition !== null && descendants(condition, 'identifier').some((id) => id.text === '__name__');
}
