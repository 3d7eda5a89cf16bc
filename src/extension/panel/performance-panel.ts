/**
 * The host side of the performance panel: one webview panel at a time, showing one RunView.
 * The webview posts `ready` each time it loads (first show, and again after being hidden, since it
 * keeps its state with setState rather than retainContextWhenHidden); the host answers with a full
 * snapshot, then sends deltas against the version the webview holds, at most once a second.
 */
import * as vscode from 'vscode';
import type { RunView } from '../../core/view/run-view';
import { parseWebviewMessage, type CompareData, type HostToWebviewMessage } from '../../protocol/webview-messages';
import { Throttle } from '../../core/editor-view/throttle';
import { DisposableStore } from '../disposables';
import { bundleHtml } from '../webview-html';

/**
 * 1 Hz: the charts' series are one-second buckets (series-buckets.ts), so a faster refresh only
 * redraws the bucket still filling. Refreshed at every runner flush (4 a second), the open panel
 * kept Chromium's renderer and GPU processes at 0.25-0.26 of a core during a run of the fixed
 * input_bound.py in code-server; at 1 Hz, 0.17-0.19 (2-core VM, software rendering).
 */
const REFRESH_INTERVAL_MS = 1000;

export class PerformancePanel implements vscode.Disposable {
  static readonly viewType = 'trainlens.performance';
  static current: PerformancePanel | undefined;

  private readonly store = new DisposableStore();
  private readonly openEmitter = this.store.add(new vscode.EventEmitter<{ file: string; line: number }>());
  /** The user clicked a finding's location or a hot line; only locations the panel shows get here. */
  readonly onDidRequestOpen: vscode.Event<{ file: string; line: number }> = this.openEmitter.event;

  private readonly throttle = this.store.add(new Throttle(REFRESH_INTERVAL_MS, () => this.sendDelta()));
  /** Version of `view` the webview holds; undefined until it says `ready`, and while hidden. */
  private sentVersion: number | undefined;
  /** Bumped on every snapshot, so a late failure of an older post does not undo a newer one. */
  private generation = 0;
  private compare: CompareData | null = null;

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
    webview.html = bundleHtml(webview, extensionUri, 'webview', titleOf(view));
    this.store.add(panel.onDidDispose(() => this.dispose()));
    this.store.add(webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)));
    // A hidden webview is unloaded; it says `ready` again when shown.
    this.store.add(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.sentVersion = undefined;
      }),
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
    if (PerformancePanel.current === this) PerformancePanel.current = undefined;
    // The store first: its onDidDispose listener is gone before panel.dispose() would call back here.
    this.store.dispose();
    this.panel.dispose();
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
    if (this.sentVersion === undefined) return;
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
