/**
 * The composition root. Activation comes from the contributed commands, and from opening a Python,
 * JavaScript or TypeScript file (quick fixes before any run); nothing here spawns a process or reads
 * a file: the components only register listeners until a command or a code action is asked for.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { EditorAnnotations } from './editor/annotations';
import { Parsers } from './fixes/parsers';
import { QuickFixProvider } from './fixes/quick-fix-provider';
import { RerunAndCompare } from './fixes/rerun-compare';
import { PanelHost } from './panel-host';
import { RecordingOpener } from './recordings';
import { RunController } from './run/run-controller';
import type { RunUi } from './run/run-ui';
import { RunRestore } from './runs-view/restore';
import { registerRunsView } from './runs-view/runs-view';
import { RunStatusBar } from './status/status-bar';
import { registerTuneTraining } from './tune/tune-training';

/** deactivate() must await the run's stop; the controller is the one thing it needs. */
let controller: RunController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('TrainLens', { log: true });
  const panel = new PanelHost(context.extensionUri, log);
  const ui: RunUi = { log, panel, annotations: new EditorAnnotations(), statusBar: new RunStatusBar() };
  const runs = new RunController(context.extensionUri, ui);
  const recordings = new RecordingOpener(ui, () => runs.active);
  const quickFixes = new QuickFixProvider(new Parsers(context.extensionUri, log), ui.annotations.diagnostics);
  const rerun = new RerunAndCompare(runs, ui);
  const restore = new RunRestore(context.workspaceState, recordings, () => !runs.active && !runs.lastFinished && !recordings.hasShown, log);
  controller = runs;
  context.subscriptions.push(registerTuneTraining(context.extensionUri, log, () => runs.active));
  context.subscriptions.push(log, ui.annotations, ui.statusBar, panel, runs, quickFixes, restore, registerRunsView(recordings, ui), registerCommands(runs, recordings, panel, ui, rerun, restore));
}

export async function deactivate(): Promise<void> {
  await controller?.shutdown();
  controller = undefined;
}
