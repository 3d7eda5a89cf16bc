/**
 * The composition root. Activation is implied by the contributed commands; nothing here spawns a
 * process or reads a file: the components only register listeners until a command is used.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { EditorAnnotations } from './editor/annotations';
import { PanelHost } from './panel-host';
import { RecordingOpener } from './recordings';
import { RunController } from './run/run-controller';
import type { RunUi } from './run/run-ui';
import { RunStatusBar } from './status/status-bar';

/** deactivate() must await the run's stop; the controller is the one thing it needs. */
let controller: RunController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('TrainLens', { log: true });
  const panel = new PanelHost(context.extensionUri, log);
  const ui: RunUi = { log, panel, annotations: new EditorAnnotations(), statusBar: new RunStatusBar() };
  const runs = new RunController(context.extensionUri, ui);
  const recordings = new RecordingOpener(ui, () => runs.active);
  controller = runs;
  context.subscriptions.push(log, ui.annotations, ui.statusBar, panel, runs, registerCommands(runs, recordings, panel, ui));
}

export async function deactivate(): Promise<void> {
  await controller?.shutdown();
  controller = undefined;
}
