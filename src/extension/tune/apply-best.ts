/**
 * Apply: writes a tuning's best settings into the code through the parser-exact fixes, as one
 * undoable workspace edit (the same edit `trainlens tune --apply-best` writes to the file).
 */
import * as vscode from 'vscode';
import { languageOfPath } from '../../core/fixes/catalogue';
import { editForSettings } from '../../core/tune/apply';
import type { TuneOutcome } from '../../core/tune/report';
import type { Parsers } from '../fixes/parsers';

/** Applies, tells the user in a notification, and returns that sentence (the panel shows it too). */
export async function applyBest(outcome: TuneOutcome, parsers: Parsers, output: vscode.OutputChannel): Promise<string> {
  const target = outcome.fixTarget;
  if (outcome.fixes.length === 0 || target === null) return tell('nothing to apply: the script’s own settings stay best.');
  const language = languageOfPath(target.file);
  const grammars = language ? await parsers.for(language) : undefined;
  if (!language || !grammars) return tell(`cannot edit ${target.file}: no parser for it.`, 'warning');
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(target.file));
  const edit = editForSettings(grammars, document.getText(), language, outcome.fixes, {
    cores: (await import('../../host/analysis.js')).availableCores(),
    cuda: target.cuda,
    torchVersion: target.torchVersion,
    platform: process.platform,
    ...(target.line !== null && { line: target.line }),
  });
  for (const reason of edit.refused) output.appendLine(`refused: ${reason}`);
  if (edit.text !== null) {
    const workspaceEdit = new vscode.WorkspaceEdit();
    workspaceEdit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), edit.text);
    await vscode.workspace.applyEdit(workspaceEdit);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
    for (const title of edit.applied) output.appendLine(`applied: ${title}`);
  }
  const byHand = outcome.unwritable.length > 0 ? ` No fix writes ${outcome.unwritable.join(', ')}: set it by hand.` : '';
  const refused = edit.refused.length > 0 ? ` ${edit.refused.length} fix(es) refused: see the TrainLens Tune output.` : '';
  return tell(`${edit.applied.length > 0 ? `applied ${edit.applied.join('; ')}` : 'nothing applied'}.${refused}${byHand} Profile Training confirms the gain.`);
}

function tell(sentence: string, level: 'info' | 'warning' = 'info'): string {
  const text = `TrainLens: ${sentence}`;
  void (level === 'info' ? vscode.window.showInformationMessage(text) : vscode.window.showWarningMessage(text));
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
