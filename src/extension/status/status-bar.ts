/**
 * The one TrainLens status bar item (id and name, so users can hide it). Callers may render as
 * often as they like; the item changes at most once a second. A finished run's "2 min ago" is
 * rendered again when the view asks (once a minute), and only while it is shown.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../../core/editor-view/commands';
import type { StatusView } from '../../core/editor-view/status-model';
import { Throttle } from '../../core/editor-view/throttle';
import { affectsStatusBar, statusBarEnabled } from '../settings';

const RENDER_INTERVAL_MS = 1000;

/** Builds the view when the item actually changes, so callers can ask on every event for free. */
export type StatusSource = () => StatusView | undefined;

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('trainlens.status', vscode.StatusBarAlignment.Left, 10);
  private readonly throttle = new Throttle(RENDER_INTERVAL_MS, () => this.apply());
  private readonly configuration: vscode.Disposable;
  private source: StatusSource = () => undefined;
  private ageTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.item.name = 'TrainLens';
    this.item.command = COMMANDS.showPanel;
    this.configuration = vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsStatusBar(event)) this.apply();
    });
  }

  /** Shows what `source` returns (throttled); a source returning undefined hides the item. */
  render(source: StatusSource): void {
    this.source = source;
    this.throttle.request();
  }

  dispose(): void {
    clearTimeout(this.ageTimer);
    this.throttle.dispose();
    this.configuration.dispose();
    this.item.dispose();
  }

  private apply(): void {
    clearTimeout(this.ageTimer);
    const view = this.source();
    if (!view || !statusBarEnabled()) {
      this.item.hide();
      return;
    }
    this.item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    // Command links work only for commands the string trusts; exactly the ones it links to.
    tooltip.isTrusted = { enabledCommands: view.linkedCommands };
    this.item.tooltip = tooltip;
    this.item.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
    if (view.refreshMs !== null) this.ageTimer = setTimeout(() => this.apply(), view.refreshMs);
  }
}
