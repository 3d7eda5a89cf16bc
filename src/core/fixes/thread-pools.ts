/**
 * The OpenMP, OpenBLAS and MKL thread pools sized in the environment before anything is imported.
 * Those libraries read their size once, when torch loads them, so `torch.set_num_threads` after the
 * import does not reach OpenBLAS's pool, whose idle threads spin after each call. While the main
 * thread loads data in Python they keep a core busy that DataLoader workers need (input-bound
 * measures it: `spinningCores`), so the workers fix writes this edit with its count where they did;
 * tuning writes its measured count with it too (tune/threads-edit.ts). The assignments go before the
 * file's first import (after its docstring and `from __future__` imports), with `import os` unless
 * the file starts with it. A file that already names one of these variables is refused with the
 * reason: the user's own setting is where the value belongs. The edit goes into the file it is
 * given (the DataLoader's, usually the script itself): in a module imported after torch it would
 * come too late, which no parse of one file can tell.
 */
import type { Node } from 'web-tree-sitter';
import { lineEnd, lineStart } from './edits';
import { descendants, named, startLine } from './syntax';
import type { FixResult, ParsedFile } from './types';

/** The same names, in the same order, as the runner's THREAD_ENV (overrides.py). */
export const THREAD_ENV = ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'] as const;

/** The edit that sizes the pools to `threads`, with `why` in the comment above the assignments. */
export function threadPoolsEdit(file: ParsedFile, threads: number, why: string): FixResult {
  const { root, source, newline } = file;
  const own = descendants(root, 'string').find((node) => (THREAD_ENV as readonly string[]).includes(stringContent(node)));
  if (own) return { ok: false, reason: `the script already names ${stringContent(own)} at line ${startLine(own)}: set ${threads} there` };
  const imports = named(root).filter((node) => node.type === 'import_statement' || node.type === 'import_from_statement');
  const first = imports.find((node) => node.type !== 'import_from_statement' || node.childForFieldName('module_name')?.text !== '__future__');
  if (!first) return { ok: false, reason: 'the file imports nothing at its top level, where the thread pools must be sized (before torch is imported)' };
  const lines = [
    ...(importsOsAlone(first) ? [] : ['import os']),
    `# Thread pools sized before torch loads them: ${why}`,
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
