/** Which file Profile Training runs: the one the menu was opened on, else the active editor's. */
import path from 'node:path';
import * as vscode from 'vscode';
import { scriptKind } from '../../core/editor-view/script-kind';

/** Undefined after telling the user why there is nothing to run. */
export async function scriptToProfile(resource: unknown): Promise<vscode.Uri | undefined> {
  // Menus pass the resource's Uri; the palette passes nothing.
  const uri = resource instanceof vscode.Uri ? resource : vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showInformationMessage('TrainLens: open a training script (.py, .js or .ts) first, or right-click one in the Explorer.');
    return undefined;
  }
  const name = path.basename(uri.path);
  if (uri.scheme !== 'file') {
    void vscode.window.showWarningMessage(`TrainLens runs scripts saved on this machine's disk; save ${name} to a file first.`);
    return undefined;
  }
  if (!scriptKind(uri.fsPath)) {
    void vscode.window.showWarningMessage(`TrainLens profiles Python (.py) and Node (.js, .ts) training scripts; ${name} is neither.`);
    return undefined;
  }
  // The run reads the file from disk: unsaved edits would silently not be measured.
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (document?.isDirty && !(await document.save())) {
    void vscode.window.showWarningMessage(`TrainLens: ${name} has unsaved changes and could not be saved; nothing was run.`);
    return undefined;
  }
  return uri;
}
