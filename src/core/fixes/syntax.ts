/** Tree helpers that hold for every tree-sitter grammar. */
import type { Node } from 'web-tree-sitter';
import type { TextEdit } from './types';

export function named(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null);
}

export function descendants(node: Node, type: string | string[]): Node[] {
  return node.descendantsOfType(type).filter((child): child is Node => child !== null);
}

export function replaceNode(node: Node, newText: string): TextEdit {
  return { start: node.startIndex, end: node.endIndex, newText };
}

/** 1-based first line. */
export function startLine(node: Node): number {
  return node.startPosition.row + 1;
}

export function spansLine(node: Node, line: number): boolean {
  return node.startPosition.row + 1 <= line && line <= node.endPosition.row + 1;
}

/**
 * The innermost node spanning `line`, or every node when there is no line. Where a finding's line
 * is only a hint (a hot line near the code to change), `orAll` also falls back to every node.
 */
export function atLine(nodes: Node[], line: number | undefined, orAll: boolean): Node[] {
  if (line === undefined) return nodes;
  const spanning = nodes.filter((node) => spansLine(node, line));
  if (spanning.length === 0 && orAll) return nodes;
  return spanning.sort((a, b) => a.text.length - b.text.length).slice(0, 1);
}
