/**
 * Reading and editing a Python call's arguments: an argument may be given by keyword, by position,
 * or hidden in `*args` / `**kwargs`; a new keyword follows the call's own layout.
 */
import type { Node } from 'web-tree-sitter';
import { indentAt, lineEnd, lineStart } from './edits';
import { named } from './syntax';
import type { ParsedFile, TextEdit } from './types';

export interface CallArguments {
  list: Node;
  /** Plain positional arguments, in order. */
  positional: Node[];
  keywords: Map<string, Node>;
  /** How many positional arguments precede the first `*args`; null without one. */
  listSplatAt: number | null;
  dictSplat: Node | null;
}

/** null for `f(x for x in y)`, whose argument is a bare generator. */
export function callArguments(call: Node): CallArguments | null {
  const list = call.childForFieldName('arguments');
  if (list?.type !== 'argument_list') return null;
  const result: CallArguments = { list, positional: [], keywords: new Map(), listSplatAt: null, dictSplat: null };
  for (const item of named(list)) {
    if (item.type === 'comment') continue;
    if (item.type === 'keyword_argument') {
      const name = item.childForFieldName('name');
      if (name) result.keywords.set(name.text, item);
    } else if (item.type === 'list_splat') {
      result.listSplatAt ??= result.positional.length;
    } else if (item.type === 'dictionary_splat') {
      result.dictSplat ??= item;
    } else {
      result.positional.push(item);
    }
  }
  return result;
}

export type ArgumentLookup =
  | { kind: 'given'; value: Node }
  | { kind: 'absent' }
  /** The argument may be set where we cannot see it; `reason` says where. */
  | { kind: 'hidden'; reason: string };

/** Finds `name`, which the callee also accepts at `position` (null: keyword-only). */
export function findArgument(args: CallArguments, name: string, position: number | null): ArgumentLookup {
  const keyword = args.keywords.get(name)?.childForFieldName('value');
  if (keyword) return { kind: 'given', value: keyword };
  if (position !== null) {
    const covered = args.listSplatAt === null || position < args.listSplatAt;
    const value = args.positional[position];
    if (covered && value) return { kind: 'given', value };
    if (!covered) return { kind: 'hidden', reason: `${name} may come from the *args unpacked into the call` };
  }
  // Python rejects a keyword given twice, so an explicit one is safe next to **kwargs; a new one is not.
  if (args.dictSplat) return { kind: 'hidden', reason: `${name} may come from ${args.dictSplat.text}, so adding it could pass it twice` };
  return { kind: 'absent' };
}

/** Adds `name=value` after the last argument, one per line if the call is laid out that way. */
export function addKeyword(file: ParsedFile, args: CallArguments, text: string): TextEdit[] {
  const items = named(args.list).filter((item) => item.type !== 'comment');
  const last = items[items.length - 1];
  const open = args.list.child(0);
  if (!last) return open ? [{ start: open.endIndex, end: open.endIndex, newText: text }] : [];
  const comma = trailingComma(args.list, last);
  const close = args.list.child(args.list.childCount - 1);
  const ownLine =
    last.startPosition.row > args.list.startPosition.row &&
    file.source.slice(lineStart(file.source, last.startIndex), last.startIndex).trim() === '';
  if (!ownLine) {
    return comma
      ? [{ start: comma.endIndex, end: comma.endIndex, newText: ` ${text},` }]
      : [{ start: last.endIndex, end: last.endIndex, newText: `, ${text}` }];
  }
  const newLine = file.newline + indentAt(file.source, last.startIndex) + text;
  const anchor = comma ?? last;
  const closeBelow = close !== null && close.startPosition.row > anchor.endPosition.row;
  // With `)` on a later line, a comment may end the last argument's line: the new one goes after it.
  const at = closeBelow ? lineEnd(file.source, anchor.endIndex) : anchor.endIndex;
  if (comma) return [{ start: at, end: at, newText: newLine + ',' }];
  if (at === last.endIndex) return [{ start: at, end: at, newText: ',' + newLine }];
  return [
    { start: last.endIndex, end: last.endIndex, newText: ',' },
    { start: at, end: at, newText: newLine },
  ];
}

function trailingComma(list: Node, last: Node): Node | null {
  for (let i = 0; i < list.childCount; i++) {
    const child = list.child(i);
    if (child && child.startIndex >= last.endIndex && child.type === ',') return child;
  }
  return null;
}
