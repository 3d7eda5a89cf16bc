/** Markdown for hovers and tooltips: file names, messages and frames come from the user's program. */

/** Inline text only (never at a line start), so list and heading markers need no escaping. */
const SPECIAL = /[\\`*_{}[\]<>|~]/g;

export function escapeMarkdown(text: string): string {
  return text.replace(SPECIAL, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** Inline code that survives backticks inside the text. */
export function inlineCode(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A two-column table; cells are escaped. */
export function table(header: [string, string], rows: ReadonlyArray<[string, string]>): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => escapeMarkdown(c)).join(' | ')} |`;
  return [line(header), '|:--|--:|', ...rows.map(line)].join('\n');
}
