/**
 * A unified diff (`diff -u`, `git apply` style) of two versions of a file, for `trainlens fix`.
 * Line ending characters stay in the lines ("\r" of CRLF files too), so the patch applies as is.
 */

interface Line {
  text: string;
  /** False only for a last line without a line ending. */
  eol: boolean;
}

type Op = { kind: ' ' | '-' | '+'; line: Line };

const DEFAULT_CONTEXT = 3;
/** Past this many cells the middle is shown replaced wholesale: still a correct patch, just longer. */
const MAX_LCS_CELLS = 4_000_000;

export function unifiedDiff(before: string, after: string, fromName: string, toName: string, context = DEFAULT_CONTEXT): string {
  if (before === after) return '';
  const ops = diffLines(splitLines(before), splitLines(after));
  const out = [`--- ${fromName}`, `+++ ${toName}`];
  for (const hunk of hunks(ops, context)) out.push(...hunk);
  return out.join('\n') + '\n';
}

function splitLines(text: string): Line[] {
  if (text === '') return [];
  const parts = text.split('\n');
  const eolAtEnd = parts[parts.length - 1] === '';
  if (eolAtEnd) parts.pop();
  return parts.map((part, i) => ({ text: part, eol: eolAtEnd || i < parts.length - 1 }));
}

function same(a: Line | undefined, b: Line | undefined): boolean {
  return a !== undefined && b !== undefined && a.text === b.text && a.eol === b.eol;
}

/** Edit script: common prefix and suffix, then a longest common subsequence of the middle. */
function diffLines(a: Line[], b: Line[]): Op[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && same(a[prefix], b[prefix])) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && same(a[a.length - 1 - suffix], b[b.length - 1 - suffix])) suffix++;
  const midA = a.slice(prefix, a.length - suffix);
  const midB = b.slice(prefix, b.length - suffix);
  const keep = (line: Line): Op => ({ kind: ' ', line });
  return [...a.slice(0, prefix).map(keep), ...middle(midA, midB), ...a.slice(a.length - suffix).map(keep)];
}

function middle(a: Line[], b: Line[]): Op[] {
  if ((a.length + 1) * (b.length + 1) > MAX_LCS_CELLS) {
    return [...a.map((line): Op => ({ kind: '-', line })), ...b.map((line): Op => ({ kind: '+', line }))];
  }
  // lcs[i][j]: length of the LCS of a[i..] and b[j..], in one flat array.
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = same(a[i], b[j])
        ? (lcs[(i + 1) * width + j + 1] as number) + 1
        : Math.max(lcs[(i + 1) * width + j] as number, lcs[i * width + j + 1] as number);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && same(a[i], b[j])) {
      ops.push({ kind: ' ', line: a[i++] as Line });
      j++;
    } else if (i < a.length && (j === b.length || (lcs[(i + 1) * width + j] as number) >= (lcs[i * width + j + 1] as number))) {
      ops.push({ kind: '-', line: a[i++] as Line }); // removals before additions, as diff prints them
    } else {
      ops.push({ kind: '+', line: b[j++] as Line });
    }
  }
  return ops;
}

/** Groups changes with `context` unchanged lines around them; close groups merge. */
function hunks(ops: Op[], context: number): string[][] {
  const changed = ops.map((op, index) => (op.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  const result: string[][] = [];
  let start = 0;
  while (start < changed.length) {
    let end = start;
    while (end + 1 < changed.length && (changed[end + 1] as number) - (changed[end] as number) <= 2 * context) end++;
    const from = Math.max(0, (changed[start] as number) - context);
    const to = Math.min(ops.length, (changed[end] as number) + context + 1);
    result.push(hunk(ops, from, to));
    start = end + 1;
  }
  return result;
}

function hunk(ops: Op[], from: number, to: number): string[] {
  let oldLine = 1;
  let newLine = 1;
  for (const op of ops.slice(0, from)) {
    if (op.kind !== '+') oldLine++;
    if (op.kind !== '-') newLine++;
  }
  const body: string[] = [];
  let oldCount = 0;
  let newCount = 0;
  for (const op of ops.slice(from, to)) {
    if (op.kind !== '+') oldCount++;
    if (op.kind !== '-') newCount++;
    body.push(op.kind + op.line.text);
    if (!op.line.eol) body.push('\\ No newline at end of file');
  }
  // An empty side is numbered by the line before it, as diff -u does.
  const range = (line: number, count: number): string => `${count === 0 ? line - 1 : line},${count}`;
  return [`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@`, ...body];
}
