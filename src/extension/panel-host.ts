/**
 * Decides what the performance panel shows (the latest run or the recording opened last) and
 * handles the panel's requests to open a file at a line.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../core/editor-view/commands';
import type { RunView } from '../core/view/run-view';
import type { CompareData } from '../protocol/webview-messages';
import { PerformancePanel } from './panel/performance-panel';

export class PanelHost implements vscode.Disposable {
  private view: RunView | undefined;
  private compare: CompareData | null = null;
  private listening: { panel: PerformancePanel; subscription: vscode.Disposable } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Makes this the view "Show Performance Panel" shows; an open panel switches to it at once. */
  setView(view: RunView): void {
    this.view = view;
    if (PerformancePanel.current) this.show();
  }

  /** A before/after comparison shown above the view (null hides it); a panel opened later gets it too. */
  setCompare(compare: CompareData | null): void {
    this.compare = compare;
    PerformancePanel.current?.setCompare(compare);
  }

  /** After `view` changed; the panel throttles its own updates. */
  refresh(view: RunView): void {
    if (view === this.view) PerformancePanel.current?.refresh();
  }

  show(): void {
    if (!this.view) {
      void this.offerSomethingToShow();
      return;
    }
    const panel = PerformancePanel.show(this.extensionUri, this.view);
    if (this.listening?.panel === panel) return;
    panel.setCompare(this.compare);
    // A new panel (the previous one was closed): listen to this one instead.
    this.listening?.subscription.dispose();
    this.listening = { panel, subscription: panel.onDidRequestOpen((target) => void this.open(target.file, target.line)) };
  }

  dispose(): void {
    this.listening?.subscription.dispose();
    this.listening = undefined;
  }

  /** `line` is 1-based, as in findings and hot lines. */
  private async open(file: string, line: number): Promise<void> {
    const position = new vscode.Position(Math.max(0, line - 1), 0);
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(position, position), viewColumn: vscode.ViewColumn.One });
    } catch (error) {
      this.log.warn(`cannot open ${file}: ${(error as Error).message}`);
      void vscode.window.showWarningMessage(`TrainLens: cannot open ${file}.`);
    }
  }

  private async offerSomethingToShow(): Promise<void> {
    const profile = 'Profile Training';
    const open = 'Open Recording…';
    const choice = await vscode.window.showInformationMessage('TrainLens has no run to show yet: profile a training script or open a recording.', profile, open);
    if (choice === profile) await vscode.commands.executeCommand(COMMANDS.profile);
    if (choice === open) await vscode.commands.executeCommand(COMMANDS.openRecording);
  }
}
