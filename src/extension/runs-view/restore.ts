/**
 * After a window reload the last finished run of the active script is shown again (status bar in
 * its finished state, heat, diagnostics; the panel shows it when asked), unless the user cleared
 * the annotations after it ended: that is remembered in the workspace's state across reloads.
 * Not in Restricted Mode: an untrusted folder's recordings are files its author wrote, and the
 * window shows nothing TrainLens did not run in it (it runs nothing there).
 */
import * as vscode from 'vscode';
import { runToRestore } from '../../core/editor-view/runs-actions';
import { scriptKind } from '../../core/editor-view/script-kind';
import type { RecordingOpener } from '../recordings';
import { runsOnDisk } from './runs-on-disk';

/** workspaceState key: when Clear Annotations last ran (epoch ms). */
const CLEARED_AT_KEY = 'trainlens.clearedAtMs';

export class RunRestore implements vscode.Disposable {
  private waiting: vscode.Disposable | undefined;
  private done = false;

  constructor(
    private readonly state: vscode.Memento,
    private readonly opener: RecordingOpener,
    /** False once this window ran something or opened a recording: those are newer than any restore. */
    private readonly nothingShown: () => boolean,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // A window restores its editors after activation: the first script that becomes active decides.
    void this.consider(vscode.window.activeTextEditor);
    this.waiting = vscode.window.onDidChangeActiveTextEditor((editor) => void this.consider(editor));
  }

  /** Clear Annotations: what ended before now stays cleared after a reload. */
  cleared(): void {
    void this.state.update(CLEARED_AT_KEY, Date.now());
  }

  dispose(): void {
    this.waiting?.dispose();
    this.waiting = undefined;
  }

  private async consider(editor: vscode.TextEditor | undefined): Promise<void> {
    if (this.done || !vscode.workspace.isTrusted || !editor || editor.document.uri.scheme !== 'file' || !scriptKind(editor.document.fileName)) return;
    if (!this.nothingShown()) return this.finish();
    const script = editor.document.uri.fsPath;
    const run = runToRestore(await runsOnDisk(), script, this.state.get<number>(CLEARED_AT_KEY) ?? null);
    // Checked again: a run or a recording may have been started while the folder was read.
    if (!run || this.done || !this.nothingShown()) return;
    this.finish();
    this.log.info(`showing the last run of ${script} again: ${run.item.dir}`);
    await this.opener.show(run.item.dir, { reveal: false });
  }

  private finish(): void {
    this.done = true;
    this.dispose();
  }
}
