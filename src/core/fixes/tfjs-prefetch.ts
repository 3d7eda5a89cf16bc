/**
 * tfjs-prefetch: `.prefetch(n)` on the dataset handed to `model.fitDataset(...)`, so the next
 * batches are produced (file reads, decoding, async generators) while the current one trains.
 */
import type { Node } from 'web-tree-sitter';
import { atLine, descendants, named, startLine } from './syntax';
import { combine, type Fix, type ParsedFile, type Refusal, type TargetEdit } from './types';

/**
 * tfjs has no AUTOTUNE. Two batches double-buffer: one being trained on, one being produced; more
 * only help bursty producers and each holds a batch of tensors in memory.
 */
export const TFJS_PREFETCH_BATCHES = 2;

/** Expressions `.prefetch(...)` can follow without parentheses. */
const PRIMARY = new Set(['identifier', 'member_expression', 'call_expression', 'parenthesized_expression', 'subscript_expression', 'this']);

export const tfjsPrefetch: Fix = {
  id: 'tfjs-prefetch',
  title: `Prefetch the dataset passed to fitDataset (.prefetch(${TFJS_PREFETCH_BATCHES}))`,
  languages: ['javascript', 'typescript', 'tsx'],
  candidates: (file) => fitDatasetCalls(file).map(startLine),
  apply(file, ctx) {
    const targets = atLine(fitDatasetCalls(file), ctx.line, true);
    if (targets.length === 0) {
      return { ok: false, reason: 'no fitDataset(...) call in this file' };
    }
    return combine(targets.map((call) => prefetchArgument(file, call)));
  },
};

function prefetchArgument(file: ParsedFile, call: Node): TargetEdit | Refusal {
  const args = call.childForFieldName('arguments');
  const dataset = args ? named(args).find((arg) => arg.type !== 'comment') : undefined;
  const where = startLine(call);
  if (!dataset) return { refused: `the fitDataset call at line ${where} has no dataset argument` };
  if (dataset.type === 'spread_element') return { refused: `the fitDataset call at line ${where} spreads its arguments` };
  const existing = prefetchIn(dataset) ?? (dataset.type === 'identifier' ? prefetchInDefinitions(file, dataset.text) : null);
  if (existing) return { refused: `the dataset is already prefetched at line ${startLine(existing)}` };
  const step = `.prefetch(${TFJS_PREFETCH_BATCHES})`;
  const edits = PRIMARY.has(dataset.type)
    ? [{ start: dataset.endIndex, end: dataset.endIndex, newText: step }]
    : [
        { start: dataset.startIndex, end: dataset.startIndex, newText: '(' },
        { start: dataset.endIndex, end: dataset.endIndex, newText: ')' + step },
      ];
  return { edits, title: `Prefetch ${TFJS_PREFETCH_BATCHES} batches of the dataset passed to fitDataset at line ${where}` };
}

function fitDatasetCalls(file: ParsedFile): Node[] {
  return descendants(file.root, 'call_expression').filter((call) => methodName(call) === 'fitDataset');
}

function methodName(call: Node): string | null {
  const fn = call.childForFieldName('function');
  return fn?.type === 'member_expression' ? (fn.childForFieldName('property')?.text ?? null) : null;
}

function prefetchIn(expression: Node): Node | null {
  const calls = expression.type === 'call_expression' ? [expression] : [];
  return [...calls, ...descendants(expression, 'call_expression')].find((call) => methodName(call) === 'prefetch') ?? null;
}

/** Where the dataset variable gets its value: `const ds = ...` or `ds = ...`, anywhere in the file. */
function prefetchInDefinitions(file: ParsedFile, name: string): Node | null {
  for (const node of descendants(file.root, ['variable_declarator', 'assignment_expression'])) {
    const target = node.childForFieldName(node.type === 'variable_declarator' ? 'name' : 'left');
    const value = node.childForFieldName(node.type === 'variable_declarator' ? 'value' : 'right');
    const found = target?.text === name && value ? prefetchIn(value) : null;
    if (found) return found;
  }
  return null;
}
