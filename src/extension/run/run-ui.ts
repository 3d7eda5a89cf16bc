/** The editor surfaces a run reports to; created once in activate() and shared by all runs. */
import type * as vscode from 'vscode';
import type { EditorAnnotations } from '../editor/annotations';
import type { PanelHost } from '../panel-host';
import type { RunStatusBar } from '../status/status-bar';

export interface RunUi {
  readonly log: vscode.LogOutputChannel;
  readonly annotations: EditorAnnotations;
  readonly statusBar: RunStatusBar;
  readonly panel: PanelHost;
}
