/**
 * metric-every-n: a metric or log line that costs a large share of every step (often through a
 * host sync such as `.item()`) runs every N steps instead, under `if step % N == 0:`.
 */
import type { Node } from 'web-tree-sitter';
import { ModelFlow, type ModelFeed } from '../findings/feeds-model';
import { indentAt, offsetOfLine } from './edits';
import { loopCounter, wrapStatements } from './python-blocks';
import { assignedNames, enclosingLoop, methodCall, readsAny, statementOf } from './python-syntax';
import { descendants, named, startLine } from './syntax';
import { finish, isRefusal, type Fix, type ParsedFile, type Refusal, type TargetEdit } from './types';

/** Cuts the line's cost tenfold while still reporting often enough to follow training. */
export const DEFAULT_EVERY_N = 10;

const TRAINING_CALLS = new Set(['backward', 'step', 'zero_grad']);

export const metricEveryN: Fix = {
  id: 'metric-every-n',
  title: `Compute the hot metric every N steps (default ${DEFAULT_EVERY_N}) instead of every step`,
  languages: ['python'],
  apply(file, ctx) {
    if (ctx.line === undefined) return { ok: false, reason: 'metric-every-n needs the line of the metric (a finding location or --line)' };
    const everyN = Math.max(2, Math.round(ctx.everyN ?? DEFAULT_EVERY_N));
    return finish(guard(file, ctx.line, everyN));
  },
};

function guard(file: ParsedFile, line: number, everyN: number): TargetEdit | Refusal {
  const statement = statementAtLine(file, line);
  if (!statement) return { refused: `no statement at line ${line}` };
  if (statement.type !== 'expression_statement') {
    return { refused: `line ${line} starts a ${statement.type.split('_').join(' ')}, not a metric or log call` };
  }
  const loop = enclosingLoop(statement);
  if (!loop) return { refused: `line ${line} is not inside a loop` };
  const siblings = named(statement.parent as Node).filter((s) => s.type !== 'comment');
  const first = siblings.findIndex((s) => s.id === statement.id);
  // A value computed here and read by the next lines moves with them under the same guard.
  let last = first;
  const names = new Set<string>();
  for (let i = first; i <= last; i++) {
    const current = siblings[i] as Node;
    if (named(current)[0]?.type === 'augmented_assignment') {
      return { refused: `line ${startLine(current)} adds to a running total every step; guarding it would change the total` };
    }
    for (const name of assignedNames(current)) names.add(name);
    const reader = lastIndexReading(siblings, names, i + 1);
    if (reader > last) last = reader;
  }
  const guarded = siblings.slice(first, last + 1);
  const training = guarded.flatMap((s) => descendants(s, 'call')).find((call) => TRAINING_CALLS.has(methodCall(call)?.name ?? ''));
  if (training) return { refused: `guarding line ${line} would also skip ${training.text} at line ${startLine(training)}` };
  // Beyond the lines the guard would hold: through the function's return value, around the loop, into a call given the model.
  const feed = feedsModel(file, line);
  if (feed?.kind === 'training') return { refused: `line ${line} updates the model, so it must run every step` };
  if (feed) return { refused: `line ${line} computes what the model is fed (${feed.name} reaches line ${feed.line}), so it must run every step` };
  const usedAfter = laterReaders(loop, names);
  if (usedAfter) return { refused: `the value computed at line ${line} is used after the loop, at line ${startLine(usedAfter)}` };
  const counter = loopCounter(file, loop, true);
  if (isRefusal(counter)) return counter;
  const wrapped = wrapStatements(file, guarded[0] as Node, guarded[guarded.length - 1] as Node, `if ${counter.name} % ${everyN} == 0`);
  if (isRefusal(wrapped)) return wrapped;
  const span = guarded.length > 1 ? `lines ${line}-${startLine(guarded[guarded.length - 1] as Node)}` : `line ${line}`;
  return { edits: [...counter.edits, wrapped], title: `Run ${span} every ${everyN} steps` };
}

/** The findings' data flow to the model (feeds-model.ts), over this one file. */
function feedsModel(file: ParsedFile, line: number): ModelFeed | null {
  const lines = file.source.split(/\r?\n/);
  const name = 'fixed.py';
  return new ModelFlow((_, n) => lines[n - 1], [name]).feeds(name, line) ?? null;
}

/** The outermost simple statement that contains `line`. */
function statementAtLine(file: ParsedFile, line: number): Node | null {
  const row = line - 1;
  const column = indentAt(file.source, offsetOfLine(file.source, line)).length;
  const node = file.root.descendantForPosition({ row, column });
  if (!node || node.type === 'module') return null;
  const statement = statementOf(node);
  return statement.type === 'module' || statement.type === 'block' ? null : statement;
}

function lastIndexReading(siblings: Node[], names: ReadonlySet<string>, from: number): number {
  let last = -1;
  if (names.size === 0) return last;
  for (let i = from; i < siblings.length; i++) if (readsAny(siblings[i] as Node, names)) last = i;
  return last;
}

function laterReaders(loop: Node, names: ReadonlySet<string>): Node | null {
  if (names.size === 0) return null;
  for (let next = loop.nextNamedSibling; next; next = next.nextNamedSibling) {
    if (readsAny(next, names)) return next;
  }
  return null;
}
