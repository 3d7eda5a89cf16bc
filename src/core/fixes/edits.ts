/** Text edits as data: applying them, and the line arithmetic fixes need to place new lines. */
import type { TextEdit } from './types';

/** Sorted by start; throws on overlap, which would be a bug in a fix, never a user error. */
function sortedEdits(edits: readonly TextEdit[]): TextEdit[] {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1] as TextEdit;
    const current = sorted[i] as TextEdit;
    if (current.start < previous.end) throw new Error(`overlapping edits at ${current.start}`);
  }
  return sorted;
}

export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  let result = '';
  let cursor = 0;
  for (const edit of sortedEdits(edits)) {
    result += source.slice(cursor, edit.start) + edit.newText;
    cursor = edit.end;
  }
  return result + source.slice(cursor);
}

/**
 * Where 1-based `line` of the source is after the edits: a finding's line stays right when an
 * earlier fix in the same file inserted lines above it. A line inside an edit maps to its start.
 */
export function mapLine(source: string, edits: readonly TextEdit[], line: number): number {
  const offset = offsetOfLine(source, line);
  let delta = 0;
  for (const edit of sortedEdits(edits)) {
    // Text inserted exactly at the line's start lands above it; anything else from there on is below.
    const insertedAbove = edit.start === offset && edit.end === offset;
    if (edit.start > offset || (edit.start === offset && !insertedAbove)) break;
    if (edit.end > offset) return lineOfOffset(source, edit.start) + delta;
    delta += countNewlines(edit.newText) - countNewlines(source.slice(edit.start, edit.end));
  }
  return line + delta;
}

export function detectNewline(source: string): '\n' | '\r\n' {
  const first = source.indexOf('\n');
  return first > 0 && source[first - 1] === '\r' ? '\r\n' : '\n';
}

export function lineStart(source: string, offset: number): number {
  return source.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset of the end of the line holding `offset`, before its line ending. */
export function lineEnd(source: string, offset: number): number {
  const newline = source.indexOf('\n', offset);
  if (newline < 0) return source.length;
  return newline > 0 && source[newline - 1] === '\r' ? newline - 1 : newline;
}

/** The whitespace that starts the line holding `offset`. */
export function indentAt(source: string, offset: number): string {
  const start = lineStart(source, offset);
  let end = start;
  while (source[end] === ' ' || source[end] === '\t') end++;
  return source.slice(start, end);
}

export function offsetOfLine(source: string, line: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const newline = source.indexOf('\n', offset);
    if (newline < 0) return source.length;
    offset = newline + 1;
  }
  return offset;
}

/** 1-based line of an offset. */
function lineOfOffset(source: string, offset: number): number {
  return countNewlines(source.slice(0, offset)) + 1;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
