/**
 * `torch.set_num_threads(n)` written into a script. No finding asks for a thread count, so the fix
 * catalogue has no fix for it; tuning writes it itself, parser-exact as the fixes are: an existing
 * `torch.set_num_threads(<int>)` call gets the new count, else the call goes on the line after the
 * file's top-level `import torch`. Anything else is refused with a reason.
 */
import type { Node } from 'web-tree-sitter';
import { applyEdits, detectNewline, lineEnd } from '../fixes/edits';
import type { Grammars } from '../fixes/grammars';
import { importBindings, integerValue, localNameOf, qualifiedNames } from '../fixes/python-syntax';
import { descendants, named, replaceNode, startLine } from '../fixes/syntax';
import type { FixResult } from '../fixes/types';

export const THREADS_EDIT_ID = 'torch-set-num-threads';

export function threadsEdit(grammars: Grammars, source: string, threads: number): FixResult {
  const tree = grammars.parse('python', source);
  try {
    const root = tree.rootNode;
    if (root.hasError) return { ok: false, reason: 'the file has a syntax error; fix it before setting the threads' };
    const result = editIn(root, source, threads);
    if (!result.ok) return result;
    const after = grammars.parse('python', applyEdits(source, result.edits));
    try {
      return after.rootNode.hasError ? { ok: false, reason: 'setting the threads would leave the file unparsable, so it was withheld' } : result;
    } finally {
      after.delete();
    }
  } finally {
    tree.delete();
  }
}

function editIn(root: Node, source: string, threads: number): FixResult {
  const bindings = importBindings(root);
  const existing = descendants(root, 'call').find((call) => {
    const fn = call.childForFieldName('function');
    return fn !== null && qualifiedNames(fn, bindings).includes('torch.set_num_threads');
  });
  if (existing) {
    const args = named(existing.childForFieldName('arguments') ?? existing);
    const value = args.length === 1 ? args[0]! : null;
    const current = value ? integerValue(value) : null;
    if (!value || current === null) return { ok: false, reason: `torch.set_num_threads at line ${startLine(existing)} takes \`${value?.text ?? '…'}\`: set ${threads} where that value comes from` };
    if (current === threads) return { ok: false, reason: `torch.set_num_threads(${threads}) is already there` };
    return { ok: true, edits: [replaceNode(value, String(threads))], title: `Set torch.set_num_threads(${threads}) at line ${startLine(existing)} (was ${current})` };
  }
  const torch = localNameOf(bindings, 'torch');
  const statement = named(root).find((node) => node.type === 'import_statement' && bindsTorch(node));
  if (!torch || !statement) return { ok: false, reason: 'torch is not imported at the top of the file (import torch), where the thread count belongs' };
  const end = lineEnd(source, statement.endIndex);
  const call = `${torch}.set_num_threads(${threads})  # measured fastest on this machine by trainlens tune`;
  return { ok: true, edits: [{ start: end, end, newText: `${detectNewline(source)}${call}` }], title: `Call ${torch}.set_num_threads(${threads}) after the import at line ${startLine(statement)}` };
}

/** `import torch` or `import torch as t` (not `import torch.nn as nn`, which binds no torch). */
function bindsTorch(statement: Node): boolean {
  return named(statement).some((child) => {
    const target = child.type === 'aliased_import' ? child.childForFieldName('name') : child;
    return target?.text === 'torch';
  });
}
