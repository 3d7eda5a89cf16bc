/**
 * The thread count written into a script, as the tuning trial applied it (overrides.py): the
 * OpenMP, OpenBLAS and MKL thread pools sized in the environment before anything is imported, since
 * those libraries read their size once, when torch loads them (`torch.set_num_threads` after the
 * import does not reach OpenBLAS's pool, whose spinning threads starve DataLoader workers on a small
 * machine). No finding asks for a thread count, so the fix catalogue has no fix for it; tuning
 * writes it itself, parser-exact as the fixes are: the assignments go before the file's first
 * import (after its docstring and `from __future__` imports). A script that already sets one of
 * these variables is refused with a reason: the user's own setting is where the value belongs.
 */
import type { Node } from 'web-tree-sitter';
import { applyEdits, detectNewline, lineEnd, lineStart } from '../fixes/edits';
import type { Grammars } from '../fixes/grammars';
import { descendants, named, startLine } from '../fixes/syntax';
import type { FixResult } from '../fixes/types';

export const THREADS_EDIT_ID = 'thread-pools-env';

/** The same names, in the same order, as the runner's THREAD_ENV (overrides.py). */
export const THREAD_ENV = ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'] as const;

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
  const own = descendants(root, 'string').find((node) => (THREAD_ENV as readonly string[]).includes(stringContent(node)));
  if (own) return { ok: false, reason: `the script already names ${stringContent(own)} at line ${startLine(own)}: set ${threads} there` };
  const imports = named(root).filter((node) => node.type === 'import_statement' || node.type === 'import_from_statement');
  const first = imports.find((node) => node.type !== 'import_from_statement' || node.childForFieldName('module_name')?.text !== '__future__');
  if (!first) return { ok: false, reason: 'the file imports nothing at its top level, where the thread pools must be sized (before torch is imported)' };
  const newline = detectNewline(source);
  const lines = [
    ...(importsOsAlone(first) ? [] : ['import os']),
    `# Thread pools sized before torch loads them: ${threads} measured fastest on this machine by trainlens tune`,
    ...THREAD_ENV.map((name) => `os.environ["${name}"] = "${threads}"`),
  ];
  // After a lone `import os`, the block follows it; else it goes before the first import.
  const after = importsOsAlone(first);
  const at = after ? lineEnd(source, first.endIndex) : lineStart(source, first.startIndex);
  const text = after ? lines.map((line) => `${newline}${line}`).join('') : lines.map((line) => `${line}${newline}`).join('');
  return { ok: true, edits: [{ start: at, end: at, newText: text }], title: `Size the thread pools to ${threads} (${THREAD_ENV.join(', ')}) before the import at line ${startLine(first)}` };
}

function importsOsAlone(statement: Node): boolean {
  return statement.type === 'import_statement' && statement.text.replace(/\s+/g, ' ').trim() === 'import os';
}

/** A string literal's text without its quotes and prefix (`"X"`, `'X'`, `r"X"`). */
function stringContent(node: Node): string {
  return node.text.replace(/^[a-zA-Z]*("""|'''|"|')/, '').replace(/("""|'''|"|')$/, '');
}
