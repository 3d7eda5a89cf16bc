/**
 * The host side of the performance panel: one webview panel at a time, showing one RunView.
 * The webview posts `ready` each time it loads (first show, and again after being hidden, since it
 * keeps its state with setState rather than retainContextWhenHidden); the host answers with a full
 * snapshot, then sends deltas against the version the webview holds, at most 10 times a second.
 */
import * as vscode from 'vscode';
import type { RunView } from '../../core/view/run-view';
import { parseWebviewMessage, type CompareData, type HostToWebviewMessage } from '../../protocol/webview-messages';
import { makeNonce, panelHtml } from './panel-html';
import { Throttle } from '../../core/editor-view/throttle';

/** ≤ 10 Hz: smooth enough for live charts, cheap for the extension host. */
const REFRESH_INTERVAL_MS = 100;

export class PerformancePanel implements vscode.Disposable {
  static readonly viewType = 'trainlens.performance';
  static current: PerformancePanel | undefined;

  private readonly openEmitter = new vscode.EventEmitter<{ file: string; line: number }>();
  /** The user clicked a finding's location or a hot line; only locations the panel shows get here. */
  readonly onDidRequestOpen: vscode.Event<{ file: string; line: number }> = this.openEmitter.event;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly throttle = new Throttle(REFRESH_INTERVAL_MS, () => this.sendDelta());
  /** Version of `view` the webview holds; undefined until it says `ready`, and while hidden. */
  private sentVersion: number | undefined;
  /** Bumped on every snapshot, so a late failure of an older post does not undo a newer one. */
  private generation = 0;
  private compare: CompareData | null = null;
  private disposed = false;

  /** Creates the panel, or reveals the existing one and shows `view` in it. */
  static show(extensionUri: vscode.Uri, view: RunView): PerformancePanel {
    const existing = PerformancePanel.current;
    if (existing) {
      existing.setView(view);
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      PerformancePanel.viewType,
      titleOf(view),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] },
    );
    PerformancePanel.current = new PerformancePanel(panel, extensionUri, view);
    return PerformancePanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private view: RunView,
  ) {
    const webview = panel.webview;
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      nonce: makeNonce(),
      title: titleOf(view),
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      // A hidden webview is unloaded; it says `ready` again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.sentVersion = undefined;
      }),
      this.openEmitter,
      this.throttle,
    );
  }

  /** The view changed: a delta goes out within REFRESH_INTERVAL_MS. */
  refresh(): void {
    if (this.sentVersion !== undefined) this.throttle.request();
  }

  /** Before/after of a fix (null hides it); kept and resent whenever the webview reloads. */
  setCompare(compare: CompareData | null): void {
    this.compare = compare;
    if (this.sentVersion !== undefined) this.post({ type: 'compare', compare });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (PerformancePanel.current === this) PerformancePanel.current = undefined;
    this.panel.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }

  private setView(view: RunView): void {
    if (view === this.view) return;
    this.view = view;
    this.panel.title = titleOf(view);
    if (this.sentVersion !== undefined) this.sendSnapshot();
  }

  private onMessage(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) return;
    switch (message.type) {
      case 'ready':
        this.sendSnapshot();
        break;
      case 'open':
        // The webview is untrusted: open only what the panel itself listed.
        if (this.view.knowsLocation(message.file, message.line)) this.openEmitter.fire({ file: message.file, line: message.line });
        break;
    }
  }

  private sendSnapshot(): void {
    this.generation++;
    this.sentVersion = this.view.version;
    this.post(this.view.snapshot());
    if (this.compare) this.post({ type: 'compare', compare: this.compare });
  }

  private sendDelta(): void {
    if (this.sentVersion === undefined || this.disposed) return;
    const delta = this.view.deltaSince(this.sentVersion);
    if (!delta) return;
    this.sentVersion = delta.version;
    this.post(delta);
  }

  private post(message: HostToWebviewMessage): void {
    const generation = this.generation;
    const lost = (): void => {
      // Not delivered (hidden or gone): the webview will ask for a snapshot when it loads again.
      if (generation === this.generation) this.sentVersion = undefined;
    };
    this.panel.webview.postMessage(message).then((delivered) => {
      if (!delivered) lost();
    }, lost);
  }
}

function titleOf(view: RunView): string {
  return `TrainLens: ${view.title}`;
}
