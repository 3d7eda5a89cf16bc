/**
 * Reading Python trees (tree-sitter-python): names, imports, calls and statements. Imports are
 * resolved so `DL(...)`, `data.DataLoader(...)` and `torch.utils.data.DataLoader(...)` are one thing.
 */
import type { Node } from 'web-tree-sitter';
import { descendants, named } from './syntax';

/** `a.b.c` when the expression is made only of identifiers and attribute access. */
export function dottedName(node: Node): string | null {
  if (node.type === 'identifier') return node.text;
  if (node.type !== 'attribute') return null;
  const object = node.childForFieldName('object');
  const attribute = node.childForFieldName('attribute');
  const head = object ? dottedName(object) : null;
  return head && attribute ? `${head}.${attribute.text}` : null;
}

export interface ImportBindings {
  /** Local name -> the module or object it stands for, e.g. `DL` -> `torch.utils.data.DataLoader`. */
  names: Map<string, string>;
  /** Modules imported with `from m import *`. */
  wildcards: string[];
}

/** Every import in the file, local ones included: scripts import inside main() as often as not. */
export function importBindings(root: Node): ImportBindings {
  const names = new Map<string, string>();
  const wildcards: string[] = [];
  for (const statement of descendants(root, ['import_statement', 'import_from_statement'])) {
    const module = statement.childForFieldName('module_name');
    if (statement.type === 'import_from_statement' && module?.type !== 'dotted_name') continue; // relative
    for (const child of named(statement)) {
      if (child.type === 'wildcard_import' && module) wildcards.push(module.text);
      if (child.id === module?.id) continue;
      const target = child.type === 'aliased_import' ? child.childForFieldName('name') : child;
      const alias = child.type === 'aliased_import' ? child.childForFieldName('alias') : null;
      if (!target || target.type !== 'dotted_name') continue;
      if (module) names.set(alias?.text ?? target.text, `${module.text}.${target.text}`);
      // `import a.b.c` binds `a`; `import a.b.c as x` binds x to a.b.c.
      else if (alias) names.set(alias.text, target.text);
      else names.set(target.text.split('.')[0] as string, target.text.split('.')[0] as string);
    }
  }
  return { names, wildcards };
}

/** The fully qualified names a dotted expression may denote (several only through `import *`). */
export function qualifiedNames(node: Node, bindings: ImportBindings): string[] {
  const dotted = dottedName(node);
  if (!dotted) return [];
  const [head, ...rest] = dotted.split('.');
  const bound = bindings.names.get(head as string);
  if (bound) return [[bound, ...rest].join('.')];
  return bindings.wildcards.map((module) => `${module}.${dotted}`);
}

/** The local spelling of a module, e.g. `tf` for `tensorflow`, or null when it is not imported. */
export function localNameOf(bindings: ImportBindings, qualified: string): string | null {
  for (const [local, target] of bindings.names) if (target === qualified) return local;
  return null;
}

/** `receiver.name(...)` → its parts; null for any other expression. */
export function methodCall(node: Node): { receiver: Node; name: string; args: Node } | null {
  if (node.type !== 'call') return null;
  const fn = node.childForFieldName('function');
  const args = node.childForFieldName('arguments');
  if (fn?.type !== 'attribute' || !args) return null;
  const receiver = fn.childForFieldName('object');
  const attribute = fn.childForFieldName('attribute');
  return receiver && attribute ? { receiver, name: attribute.text, args } : null;
}

/** The call an expression statement consists of (`x.step()`), or null. */
export function statementCall(statement: Node): Node | null {
  if (statement.type !== 'expression_statement') return null;
  const only = named(statement);
  return only.length === 1 && only[0]?.type === 'call' ? only[0] : null;
}

/** The statement holding a node: the ancestor-or-self whose parent is a block or the module. */
export function statementOf(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.type !== 'block' && current.parent.type !== 'module') {
    current = current.parent;
  }
  return current;
}

/** Names a statement assigns at its top (`a = ...`, `a, b = ...`, `a += ...`). */
export function assignedNames(statement: Node): string[] {
  const expression = statement.type === 'expression_statement' ? named(statement)[0] : null;
  if (expression?.type !== 'assignment' && expression?.type !== 'augmented_assignment') return [];
  const left = expression.childForFieldName('left');
  if (!left) return [];
  return left.type === 'identifier' ? [left.text] : descendants(left, 'identifier').map((id) => id.text);
}

export function readsAny(node: Node, names: ReadonlySet<string>): boolean {
  return descendants(node, 'identifier').some((id) => names.has(id.text));
}

/** The function or module a node belongs to: names are looked up there. */
export function scopeOf(node: Node): Node {
  let current = node.parent;
  while (current && current.type !== 'function_definition' && current.type !== 'module') current = current.parent;
  return current ?? node;
}

/** The nearest enclosing for/while loop in the same function, or null. */
export function enclosingLoop(node: Node): Node | null {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === 'for_statement' || current.type === 'while_statement') return current;
    if (current.type === 'function_definition' || current.type === 'lambda') return null;
  }
  return null;
}

/** A name nobody in the scope uses yet, so the counter we introduce shadows nothing. */
export function freshName(scope: Node, candidates: readonly string[]): string {
  // `optimizer.step` and `f(step=1)` do not take the name `step`; variables and parameters do.
  const isVariable = (id: Node): boolean =>
    !(id.parent?.type === 'attribute' && id.parent.childForFieldName('attribute')?.id === id.id) &&
    !(id.parent?.type === 'keyword_argument' && id.parent.childForFieldName('name')?.id === id.id);
  const used = new Set(descendants(scope, 'identifier').filter(isVariable).map((id) => id.text));
  return candidates.find((name) => !used.has(name)) ?? `${candidates[0] ?? 'n'}_${used.size}`;
}

/** Integer literal value (`8`, `1_000`), or null for anything else. */
export function integerValue(node: Node): number | null {
  if (node.type !== 'integer') return null;
  const value = Number(node.text.split('_').join(''));
  return Number.isSafeInteger(value) ? value : null;
}
