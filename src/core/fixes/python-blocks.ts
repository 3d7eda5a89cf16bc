/**
 * Editing Python statements in the file's own style: new lines take the indentation and line
 * ending around them, wrapped statements move in by the file's own indent unit (spaces or tabs).
 */
import type { Node } from 'web-tree-sitter';
import { indentAt, lineEnd, lineStart } from './edits';
import { freshName, scopeOf } from './python-syntax';
import { descendants, named, replaceNode } from './syntax';
import type { ParsedFile, Refusal, TextEdit } from './types';

/** What one level of indentation is in this block: its indent minus its header's. */
function indentUnit(file: ParsedFile, block: Node): string {
  const inner = indentAt(file.source, block.startIndex);
  const outer = block.parent ? indentAt(file.source, block.parent.startIndex) : '';
  const unit = inner.startsWith(outer) ? inner.slice(outer.length) : '';
  return unit.length > 0 ? unit : '    ';
}

/** A new line with `text`, just above the statement, at its indentation. */
export function insertLineBefore(file: ParsedFile, statement: Node, text: string): TextEdit {
  const start = lineStart(file.source, statement.startIndex);
  return { start, end: start, newText: indentAt(file.source, statement.startIndex) + text + file.newline };
}

/** A new line with `text` just below the statement (after its trailing comment, if any). */
export function insertLineAfter(file: ParsedFile, statement: Node, text: string): TextEdit {
  const end = lineEnd(file.source, statement.endIndex);
  return { start: end, end, newText: file.newline + indentAt(file.source, statement.startIndex) + text };
}

/**
 * Puts the sibling statements first..last under `header` (e.g. `if step % 10 == 0`), moving their
 * lines in by one indent unit. Refuses when that would change more than indentation.
 */
export function wrapStatements(file: ParsedFile, first: Node, last: Node, header: string): TextEdit | Refusal {
  const block = first.parent;
  if (!block || block.type !== 'block' || last.parent?.id !== block.id) {
    return { refused: `line ${first.startPosition.row + 1} is not in an indented block` };
  }
  if (block.startPosition.row === block.parent?.startPosition.row) {
    return { refused: `the block at line ${block.startPosition.row + 1} is on one line with its header` };
  }
  const siblings = named(block);
  const outside = siblings.filter((s) => s.endIndex <= first.startIndex || s.startIndex >= last.endIndex);
  const sharing = outside.find(
    (s) =>
      s.type !== 'comment' &&
      (s.endPosition.row === first.startPosition.row || s.startPosition.row === last.endPosition.row),
  );
  if (sharing) return { refused: `line ${sharing.startPosition.row + 1} joins statements with ';'` };
  const start = lineStart(file.source, first.startIndex);
  const end = lineEnd(file.source, last.endIndex);
  const multiLineString = descendants(block, 'string').find(
    (s) => s.startIndex >= start && s.endIndex <= end && s.startPosition.row !== s.endPosition.row,
  );
  if (multiLineString) {
    return { refused: `moving the multi-line string at line ${multiLineString.startPosition.row + 1} would change its text` };
  }
  const unit = indentUnit(file, block);
  const moved = file.source
    .slice(start, end)
    .split('\n')
    .map((line) => (line.trim() === '' ? line : unit + line))
    .join('\n');
  const newText = indentAt(file.source, first.startIndex) + header + ':' + file.newline + moved;
  return { start, end, newText };
}

/** The outermost loop around `loop` in the same function: setup lines go above it, run once. */
export function outermostLoop(loop: Node): Node {
  let outermost = loop;
  for (let current = loop.parent; current; current = current.parent) {
    if (current.type === 'function_definition' || current.type === 'lambda') break;
    if (current.type === 'for_statement' || current.type === 'while_statement') outermost = current;
  }
  return outermost;
}

export interface Counter {
  /** Name of a variable that grows by one per iteration. */
  name: string;
  /** Edits that introduce it (empty when the loop already has one). */
  edits: TextEdit[];
}

const COUNTER_NAMES = ['step', 'batch_idx', 'batch_index'];

/**
 * A per-iteration counter for `loop`: the one it has (`enumerate`, `range`, and when
 * `manualCounterOk` a `name += 1` in its body) or a new one through `enumerate(...)`.
 * Manual counters are only good where the guard's phase does not matter.
 */
export function loopCounter(file: ParsedFile, loop: Node, manualCounterOk: boolean): Counter | Refusal {
  const body = loop.childForFieldName('body');
  if (manualCounterOk && body) {
    const manual = named(body).find(isIncrementByOne);
    const target = manual ? named(manual)[0]?.childForFieldName('left') : null;
    if (target) return { name: target.text, edits: [] };
  }
  if (loop.type !== 'for_statement') {
    return { refused: `the while loop at line ${loop.startPosition.row + 1} has no step counter to use` };
  }
  if (loop.children.some((child) => child?.type === 'async')) {
    return { refused: `the async for loop at line ${loop.startPosition.row + 1} cannot be wrapped in enumerate()` };
  }
  const left = loop.childForFieldName('left');
  const right = loop.childForFieldName('right');
  if (!left || !right) return { refused: `the for loop at line ${loop.startPosition.row + 1} is incomplete` };
  const builtin = right.type === 'call' ? right.childForFieldName('function')?.text : null;
  const firstTarget = named(left)[0];
  if (builtin === 'enumerate' && (left.type === 'pattern_list' || left.type === 'tuple_pattern')) {
    if (firstTarget?.type === 'identifier') return { name: firstTarget.text, edits: [] };
  }
  if (builtin === 'range' && left.type === 'identifier') {
    const bodyReadsIt = body ? descendants(body, 'identifier').some((id) => id.text === left.text) : true;
    if (left.text !== '_' || bodyReadsIt) return { name: left.text, edits: [] };
    // `for _ in range(n)` already counts; it only needs a name to be read by.
    const name = freshName(scopeOf(loop), COUNTER_NAMES);
    return { name, edits: [replaceNode(left, name)] };
  }
  const name = freshName(scopeOf(loop), COUNTER_NAMES);
  const target = left.type === 'pattern_list' ? `(${left.text})` : left.text;
  const iterable = right.type === 'expression_list' ? `(${right.text})` : right.text;
  return {
    name,
    edits: [
      replaceNode(left, `${name}, ${target}`),
      replaceNode(right, `enumerate(${iterable})`),
    ],
  };
}

function isIncrementByOne(statement: Node): boolean {
  const expression = statement.type === 'expression_statement' ? named(statement)[0] : null;
  if (expression?.type !== 'augmented_assignment') return false;
  const operator = expression.childForFieldName('operator')?.text;
  return (
    operator === '+=' &&
    expression.childForFieldName('left')?.type === 'identifier' &&
    expression.childForFieldName('right')?.text === '1'
  );
}
