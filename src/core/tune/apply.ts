/**
 * Writes tuned settings into a source file through the parser-exact fixes (and tuning's own edit
 * for the thread count): each runs on the text the previous one left (its target line mapped
 * through the earlier edits), and a refusal is kept as its reason. Pure: the caller reads and
 * writes the file.
 */
import { runFix } from '../fixes/catalogue';
import { applyEdits, mapLine } from '../fixes/edits';
import type { Grammars } from '../fixes/grammars';
import type { FixContext, SourceLanguage, TextEdit } from '../fixes/types';
import type { SettingFix } from './fixes';
import { THREADS_EDIT_ID, threadsEdit } from './threads-edit';

export interface SettingsEdit {
  /** The file's new text; null when no fix applied. */
  text: string | null;
  applied: string[];
  refused: string[];
}

export function editForSettings(grammars: Grammars, source: string, language: SourceLanguage, fixes: readonly SettingFix[], ctx: FixContext): SettingsEdit {
  let text = source;
  const applied: string[] = [];
  const refused: string[] = [];
  const history: Array<{ text: string; edits: TextEdit[] }> = [];
  for (const fix of fixes) {
    const line = ctx.line === undefined ? undefined : history.reduce((l, h) => mapLine(h.text, h.edits, l), ctx.line);
    const result =
      fix.fixId === THREADS_EDIT_ID
        ? language === 'python'
          ? threadsEdit(grammars, text, fix.threads)
          : { ok: false as const, reason: `threads are set in Python, not ${language}` }
        : runFix(grammars, fix.fixId, text, language, {
            ...ctx,
            line,
            ...(fix.workers !== undefined && { workers: fix.workers }),
            ...(fix.cuda !== undefined && { cuda: fix.cuda }),
          });
    if (!result.ok) {
      refused.push(`${fix.fixId}: ${result.reason}`);
      continue;
    }
    applied.push(result.title);
    history.push({ text, edits: result.edits });
    text = applyEdits(text, result.edits);
  }
  return { text: applied.length > 0 ? text : null, applied, refused };
}
