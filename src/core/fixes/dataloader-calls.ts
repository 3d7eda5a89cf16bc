/**
 * What the four DataLoader fixes share: finding `DataLoader(...)` calls however DataLoader was
 * imported, choosing the one a finding points at, and reading its arguments.
 */
import type { Node } from 'web-tree-sitter';
import { addKeyword, callArguments, findArgument, type CallArguments } from './python-args';
import { importBindings, integerValue, qualifiedNames } from './python-syntax';
import { atLine, descendants, replaceNode, startLine } from './syntax';
import { combine, isRefusal, type FixContext, type FixResult, type ParsedFile, type Refusal, type TargetEdit } from './types';

const DATALOADER_NAMES = new Set(['torch.utils.data.DataLoader', 'torch.utils.data.dataloader.DataLoader']);

/** DataLoader's positional parameters, in torch's order; prefetch_factor and later are keyword-only. */
export const DATALOADER_POSITION = {
  dataset: 0,
  batch_size: 1,
  shuffle: 2,
  sampler: 3,
  batch_sampler: 4,
  num_workers: 5,
  collate_fn: 6,
  pin_memory: 7,
  drop_last: 8,
  timeout: 9,
  worker_init_fn: 10,
  multiprocessing_context: 11,
  generator: 12,
} as const;

export function dataLoaderCalls(file: ParsedFile): Node[] {
  const bindings = importBindings(file.root);
  return descendants(file.root, 'call').filter((call) => {
    const fn = call.childForFieldName('function');
    return fn !== null && qualifiedNames(fn, bindings).some((name) => DATALOADER_NAMES.has(name));
  });
}

export function dataLoaderLines(file: ParsedFile): number[] {
  return dataLoaderCalls(file).map(startLine);
}

/**
 * Runs `edit` on the DataLoader at ctx.line (the innermost call spanning it) or, without a line,
 * on every DataLoader in the file. Succeeds when any call could be edited.
 */
export function editDataLoaders(
  file: ParsedFile,
  ctx: FixContext,
  edit: (args: CallArguments, call: Node) => TargetEdit | Refusal,
): FixResult {
  const line = ctx.line;
  const targets = atLine(dataLoaderCalls(file), line, false);
  if (targets.length === 0) {
    return { ok: false, reason: line === undefined ? 'no DataLoader(...) call in this file' : `no DataLoader(...) call at line ${line}` };
  }
  return combine(
    targets.map((call) => {
      const args = callArguments(call);
      const result = args ? edit(args, call) : { refused: 'the DataLoader call has no argument list to edit' };
      return isRefusal(result) && targets.length > 1 ? { refused: `line ${startLine(call)}: ${result.refused}` } : result;
    }),
  );
}

/** num_workers as a number, for the fixes that only make sense with worker processes. */
function workerCount(args: CallArguments): number | Refusal {
  const found = findArgument(args, 'num_workers', DATALOADER_POSITION.num_workers);
  if (found.kind === 'hidden') return { refused: found.reason };
  if (found.kind === 'absent') return 0;
  const value = integerValue(found.value);
  return value ?? { refused: `num_workers is \`${found.value.text}\`, not a number, so it may be 0` };
}

/** Refusal for the worker-only options when a loader runs without workers. */
export function needsWorkers(args: CallArguments, option: string): Refusal | null {
  const workers = workerCount(args);
  if (isRefusal(workers)) return { refused: `${option} needs num_workers > 0, and ${workers.refused}` };
  if (workers > 0) return null;
  return { refused: `${option} needs num_workers > 0 (DataLoader rejects it without workers); apply dataloader-workers first` };
}

/** Sets a boolean option to True: added when absent, changed from False, left alone otherwise. */
export function enableOption(file: ParsedFile, args: CallArguments, call: Node, name: string, position: number | null): TargetEdit | Refusal {
  const found = findArgument(args, name, position);
  if (found.kind === 'hidden') return { refused: found.reason };
  const title = `Set ${name}=True on the DataLoader at line ${startLine(call)}`;
  if (found.kind === 'absent') return { edits: addKeyword(file, args, `${name}=True`), title };
  if (found.value.type === 'true') return { refused: `${name} is already True` };
  if (found.value.type !== 'false') return { refused: `${name} is \`${found.value.text}\`, which may already be True; set it where that value comes from` };
  return { edits: [replaceNode(found.value, 'True')], title };
}
