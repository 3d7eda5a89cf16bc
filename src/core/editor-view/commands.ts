/** Command ids: contributed in package.json (a test checks the two lists agree) and used in links. */
export const COMMANDS = {
  profile: 'trainlens.profile',
  stop: 'trainlens.stop',
  showPanel: 'trainlens.showPanel',
  openRecording: 'trainlens.openRecording',
  clearAnnotations: 'trainlens.clearAnnotations',
  rerunAndCompare: 'trainlens.rerunAndCompare',
  exportRecording: 'trainlens.exportRecording',
  tune: 'trainlens.tune',
  // The Runs view's: its title bar and its rows' context menu (hidden from the palette).
  refreshRuns: 'trainlens.refreshRuns',
  openRun: 'trainlens.openRun',
  compareRuns: 'trainlens.compareRuns',
  compareRunWith: 'trainlens.compareRunWith',
  revealRun: 'trainlens.revealRun',
  deleteRun: 'trainlens.deleteRun',
} as const;

/** The Runs view (package.json `views`), in the TrainLens activity bar container. */
export const RUNS_VIEW = 'trainlens.runs';

/**
 * Registered but not contributed (never in the palette): a quick fix runs it after its edit, so the
 * extension learns which fix was applied to which file.
 */
export const FIX_APPLIED_COMMAND = 'trainlens.fixApplied';

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Context keys the extension sets for `when` clauses in package.json. */
export const CONTEXT_KEYS = {
  running: 'trainlens.running',
  hasAnnotations: 'trainlens.hasAnnotations',
  /** A finished run exists to repeat and none is in progress. */
  canRerun: 'trainlens.canRerun',
} as const;

/** A Markdown link that runs a command (the MarkdownString must trust that command). */
export function commandLink(label: string, command: CommandId): string {
  return `[${label}](command:${command})`;
}
