/**
 * optimizer-foreach: update all parameters with a few multi-tensor kernels instead of a Python loop
 * of small kernels per parameter. `foreach=True` where torch has it; on CUDA with torch 2.x, where
 * foreach is already the default, Adam and AdamW can go further with `fused=True`.
 */
import type { Node } from 'web-tree-sitter';
import { FOREACH_OPTIMIZERS } from '../findings/optimizers';
import { addKeyword, callArguments, findArgument } from './python-args';
import { importBindings, methodCall, qualifiedNames, statementOf, type ImportBindings } from './python-syntax';
import { descendants, spansLine, startLine } from './syntax';
import { combine, versionAtLeast, type Fix, type FixContext, type ParsedFile, type Refusal, type TargetEdit } from './types';

/** Fused CUDA kernels since torch 2.0. */
const FUSED_OPTIMIZERS = new Set(['Adam', 'AdamW']);

export const optimizerForeach: Fix = {
  id: 'optimizer-foreach',
  title: 'Update all parameters in a few kernels (optimizer foreach=True, or fused=True on CUDA)',
  languages: ['python'],
  apply(file, ctx) {
    if (!versionAtLeast(ctx.torchVersion, 1, 12)) {
      return { ok: false, reason: `the foreach option needs torch 1.12 or later, and this run has ${ctx.torchVersion}` };
    }
    const bindings = importBindings(file.root);
    const targets = optimizersAt(file, bindings, ctx.line);
    if (targets.length === 0) {
      return { ok: false, reason: 'no torch.optim optimizer is built in this file' };
    }
    return combine(targets.map((call) => speedUp(file, ctx, bindings, call)));
  },
};

function speedUp(file: ParsedFile, ctx: FixContext, bindings: ImportBindings, call: Node): TargetEdit | Refusal {
  const name = optimizerClass(call, bindings) ?? '';
  const where = `the ${name} at line ${startLine(call)}`;
  const args = callArguments(call);
  if (!args) return { refused: `${where} has no argument list to edit` };
  if (!FOREACH_OPTIMIZERS.has(name)) return { refused: `${name} has no foreach implementation` };
  const modern = ctx.torchVersion ? versionAtLeast(ctx.torchVersion, 2, 0) : false;
  const option = ctx.cuda && modern ? (FUSED_OPTIMIZERS.has(name) ? 'fused' : null) : 'foreach';
  if (!option) return { refused: `torch ${ctx.torchVersion} already runs ${name} with foreach on CUDA, and it has no fused version` };
  for (const existing of ['foreach', 'fused']) {
    const found = findArgument(args, existing, null);
    if (found.kind === 'hidden') return { refused: found.reason };
    if (found.kind === 'given') return { refused: `${where} already sets ${existing}=${found.value.text}` };
  }
  return { edits: addKeyword(file, args, `${option}=True`), title: `Set ${option}=True on ${where}` };
}

/** Optimizer constructors at `line`, or the one stepped or zeroed there, else (a hint) all of them. */
function optimizersAt(file: ParsedFile, bindings: ImportBindings, line: number | undefined): Node[] {
  const built = descendants(file.root, 'call').filter((call) => optimizerClass(call, bindings) !== null);
  if (line === undefined) return built;
  const here = built.filter((call) => spansLine(call, line));
  if (here.length > 0) return here;
  const used = descendants(file.root, 'call').find((call) => spansLine(statementOf(call), line) && ['step', 'zero_grad'].includes(methodCall(call)?.name ?? ''));
  const receiver = used ? methodCall(used)?.receiver.text : undefined;
  // The last optimizer assigned to that name before the line.
  const assigned = built.filter((call) => {
    const assignment = call.parent;
    return assignment?.type === 'assignment' && assignment.childForFieldName('left')?.text === receiver && startLine(call) <= line;
  });
  return assigned.length > 0 ? assigned.slice(-1) : built;
}

function optimizerClass(call: Node, bindings: ImportBindings): string | null {
  const fn = call.childForFieldName('function');
  const name = fn ? qualifiedNames(fn, bindings).find((q) => q.startsWith('torch.optim.') && !q.startsWith('torch.optim.lr_scheduler.')) : undefined;
  return name ? (name.split('.').pop() ?? null) : null;
}
