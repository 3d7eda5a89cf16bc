/**
 * Element building without innerHTML: paths, messages and function names come from the user's
 * program and are only ever inserted as text.
 */
import type { PanelLocation } from '../protocol/webview-messages';

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  title?: string;
  /** data-* attributes (the end-to-end tests read figures from them). */
  data?: Record<string, string>;
  attrs?: Record<string, string>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  if (props.title) element.title = props.title;
  for (const [key, value] of Object.entries(props.data ?? {})) element.dataset[key] = value;
  for (const [key, value] of Object.entries(props.attrs ?? {})) element.setAttribute(key, value);
  append(element, children);
  return element;
}

function append(parent: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

/** Replaces a section's content. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A link that asks the host to open file:line (see main.ts for the click handling). */
export function openLink(file: string, line: number, text: string): HTMLAnchorElement {
  return h('a', { class: 'open', title: `${file}:${line}`, data: { openFile: file, openLine: String(line) }, attrs: { href: '#' } }, text);
}

/**
 * A location by its file's name, `main.py:158`, with its folder in the tooltip: a path never wraps
 * a few letters a line in a narrow panel, and two files of one name still tell apart on hover.
 */
export function locationLink(location: PanelLocation): HTMLAnchorElement {
  const { file, line, displayPath } = location;
  const cut = Math.max(displayPath.lastIndexOf('/'), displayPath.lastIndexOf('\\'));
  const folder = cut >= 0 ? displayPath.slice(0, cut) : '';
  const link = openLink(file, line, `${displayPath.slice(cut + 1)}:${line}`);
  link.title = `${file}:${line}`;
  link.dataset.folder = folder;
  return link;
}

/** Elapsed run time: 0:42, 12:05, 1:02:09. */
export function formatElapsed(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
