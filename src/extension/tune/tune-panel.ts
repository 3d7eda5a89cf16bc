/**
 * The host side of the tuning panel: one webview panel at a time ("TrainLens Tune"), showing the
 * state of the tuning going on or last ended. The webview posts `ready` each time it loads (it
 * keeps its state with setState, not retainContextWhenHidden); the host answers with the state and
 * sends it again on every change. Stop and Apply come back as events.
 */
import * as vscode from 'vscode';
import { parseTuneWebviewMessage, type TunePanelState } from '../../protocol/tune-messages';
import { DisposableStore } from '../disposables';
import { bundleHtml } from '../webview-html';

export class TunePanel implements vscode.Disposable {
  static readonly viewType = 'trainlens.tune';
  static current: TunePanel | undefined;

  private readonly store = new DisposableStore();
  private readonly stopEmitter = this.store.add(new vscode.EventEmitter<void>());
  private readonly applyEmitter = this.store.add(new vscode.EventEmitter<void>());
  readonly onDidRequestStop: vscode.Event<void> = this.stopEmitter.event;
  readonly onDidRequestApply: vscode.Event<void> = this.applyEmitter.event;
  private state: TunePanelState | undefined;

  /** Creates the panel, or reveals the existing one. */
  static show(extensionUri: vscode.Uri): TunePanel {
    if (TunePanel.current) {
      TunePanel.current.panel.reveal(undefined, true);
      return TunePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      TunePanel.viewType,
      'TrainLens Tune',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] },
    );
    TunePanel.current = new TunePanel(panel, extensionUri);
    return TunePanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
  ) {
    const webview = panel.webview;
    webview.html = bundleHtml(webview, extensionUri, 'tune-webview', 'TrainLens Tune');
    this.store.add(panel.onDidDispose(() => this.dispose()));
    this.store.add(webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)));
  }

  /** Shows `state` now (the whole state: it is small). */
  setState(state: TunePanelState): void {
    this.state = state;
    this.panel.title = `TrainLens Tune: ${state.title}`;
    this.post();
  }

  dispose(): void {
    if (TunePanel.current === this) TunePanel.current = undefined;
    // The store first: its onDidDispose listener is gone before panel.dispose() would call back here.
    this.store.dispose();
    this.panel.dispose();
  }

  private onMessage(raw: unknown): void {
    const message = parseTuneWebviewMessage(raw);
    switch (message?.type) {
      case 'ready':
        this.post();
        break;
      case 'stop':
        this.stopEmitter.fire();
        break;
      case 'apply':
        this.applyEmitter.fire();
        break;
    }
  }

  private post(): void {
    // A hidden webview drops the message; it says `ready` when shown and gets the state then.
    if (this.state) this.panel.webview.postMessage({ type: 'state', state: this.state }).then(undefined, () => undefined);
  }
}
