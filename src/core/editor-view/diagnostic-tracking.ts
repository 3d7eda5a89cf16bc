/**
 * Where a diagnostic's line is after the user (or a quick fix) edits the document. The editor does
 * not move diagnostics with the text, so without this a finding would keep pointing at the line
 * that used to hold `num_workers=0` after the fix rewrote it, until the next run.
 */

/** One content change as the editor reports it: a replaced line range and the text put there. */
export interface LineChange {
  /** 0-based lines of the replaced range, in the document as it was before this change. */
  startLine0: number;
  startCharacter: number;
  endLine0: number;
  text: string;
}

/**
 * The diagnostic's new line, or undefined when the change touched its line (the evidence it shows
 * was about the old text, so it is dropped). Changes apply one after another, in order.
 */
export function lineAfterChanges(line0: number, changes: readonly LineChange[]): number | undefined {
  let line = line0;
  for (const change of changes) {
    const added = countNewlines(change.text) - (change.endLine0 - change.startLine0);
    // Whole lines inserted above, at the start of this line, leave its text as it was.
    const insertsAbove = change.startLine0 === change.endLine0 && change.startCharacter === 0 && change.text.endsWith('\n');
    if (change.endLine0 < line || (insertsAbove && change.startLine0 === line)) line += added;
    else if (change.startLine0 <= line) return undefined;
  }
  return line;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
