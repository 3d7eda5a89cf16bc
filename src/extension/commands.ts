/** The palette/menu commands, each a one-line hand-off to the component that does the work. */
import * as vscode from 'vscode';
import { COMMANDS, FIX_APPLIED_COMMAND } from '../core/editor-view/commands';
import type { AppliedFix } from './fixes/quick-fix-provider';
import type { RerunAndCompare } from './fixes/rerun-compare';
import type { PanelHost } from './panel-host';
import type { RecordingOpener } from './recordings';
import type { RunController } from './run/run-controller';
import type { RunUi } from './run/run-ui';
import type { RunRestore } from './runs-view/restore';

export function registerCommands(controller: RunController, recordings: RecordingOpener, panel: PanelHost, ui: RunUi, rerun: RerunAndCompare, restore: RunRestore): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMANDS.profile, (resource?: unknown) => controller.profile(resource)),
    vscode.commands.registerCommand(COMMANDS.stop, () => controller.stop()),
    vscode.commands.registerCommand(COMMANDS.showPanel, () => panel.show()),
    vscode.commands.registerCommand(COMMANDS.openRecording, (resource?: unknown) => recordings.open(resource)),
    vscode.commands.registerCommand(COMMANDS.exportRecording, (resource?: unknown) => recordings.exportRecording(resource)),
    vscode.commands.registerCommand(COMMANDS.clearAnnotations, () => {
      ui.annotations.clear();
      restore.cleared();
      // A finished run's figures go with its annotations; a live run keeps its status.
      if (!controller.active) ui.statusBar.render(() => undefined);
    }),
    vscode.commands.registerCommand(COMMANDS.rerunAndCompare, () => rerun.run()),
    vscode.commands.registerCommand(FIX_APPLIED_COMMAND, (fix: AppliedFix) => rerun.fixApplied(fix)),
  );
}
