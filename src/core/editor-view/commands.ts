/** Command ids: contributed in package.json (a test checks the two lists agree) and used in links. */
export const COMMANDS = {
  profile: 'trainlens.profile',
  stop: 'trainlens.stop',
  showPanel: 'trainlens.showPanel',
  openRecording: 'trainlens.openRecording',
  clearAnnotations: 'trainlens.clearAnnotations',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Context keys the extension sets for `when` clauses in package.json. */
export const CONTEXT_KEYS = {
  running: 'trainlens.running',
  hasAnnotations: 'trainlens.hasAnnotations',
} as const;

/** A Markdown link that runs a command (the MarkdownString must trust that command). */
export function commandLink(label: string, command: CommandId): string {
  return `[${label}](command:${command})`;
}
