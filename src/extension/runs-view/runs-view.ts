/**
 * The Runs view and its actions: open a recording (panel, status bar, heat, diagnostics, as Open
 * Recording… does), compare two (the earlier is "before"), reveal its folder, delete it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { compareRuns } from '../../core/compare';
import { COMMANDS, RUNS_VIEW } from '../../core/editor-view/commands';
import { compareNotification } from '../../core/editor-view/compare-message';
import { beforeAndAfter, comparedRunsTitle, isRecordingFolder } from '../../core/editor-view/runs-actions';
import { runRow, runState, startText, type RunOnDisk } from '../../core/editor-view/runs-rows';
import { loadSummary } from '../../host/recording/recording-reader';
import type { RecordingOpener } from '../recordings';
import type { RunUi } from '../run/run-ui';
import { runsDirs } from './runs-on-disk';
import { RunsTree } from './runs-tree';

const SHOW_PANEL = 'Show Panel';

export function registerRunsView(opener: RecordingOpener, ui: RunUi): vscode.Disposable {
  const tree = new RunsTree();
  const view = vscode.window.createTreeView(RUNS_VIEW, { treeDataProvider: tree, canSelectMany: true });
  const actions = new RunsActions(tree, opener, ui);
  return vscode.Disposable.from(
    tree,
    view,
    vscode.commands.registerCommand(COMMANDS.refreshRuns, () => tree.refresh()),
    vscode.commands.registerCommand(COMMANDS.openRun, (run?: RunOnDisk) => actions.open(run ?? view.selection[0])),
    vscode.commands.registerCommand(COMMANDS.compareRuns, (run?: RunOnDisk, selected?: RunOnDisk[]) => actions.compareSelected(selected ?? (run ? [run] : view.selection))),
    vscode.commands.registerCommand(COMMANDS.compareRunWith, (run?: RunOnDisk) => actions.compareWith(run ?? view.selection[0])),
    vscode.commands.registerCommand(COMMANDS.revealRun, (run?: RunOnDisk) => actions.reveal(run ?? view.selection[0])),
    vscode.commands.registerCommand(COMMANDS.deleteRun, (run?: RunOnDisk, selected?: RunOnDisk[]) => actions.delete(selected ?? (run ? [run] : view.selection))),
  );
}

class RunsActions {
  constructor(
    private readonly tree: RunsTree,
    private readonly opener: RecordingOpener,
    private readonly ui: RunUi,
  ) {}

  async open(run: RunOnDisk | undefined): Promise<void> {
    if (run) await this.opener.open(vscode.Uri.file(run.item.dir));
  }

  /** Two rows selected: compared at once; one: Compare with… */
  async compareSelected(selected: readonly RunOnDisk[]): Promise<void> {
    const [a, b] = selected;
    if (selected.length === 2 && a && b) return this.compare(a, b);
    if (selected.length === 1) return this.compareWith(a);
    void vscode.window.showInformationMessage(`TrainLens: select two runs to compare (${selected.length} selected), or use Compare with… on one.`);
  }

  async compareWith(run: RunOnDisk | undefined): Promise<void> {
    if (!run) return;
    const others = this.tree.runs.filter((other) => other.item.dir !== run.item.dir && runState(other, Date.now()) !== 'recording');
    if (others.length === 0) {
      void vscode.window.showInformationMessage('TrainLens: no other recording to compare with yet.');
      return;
    }
    const nowMs = Date.now();
    const picked = await vscode.window.showQuickPick(
      others.map((other) => {
        const row = runRow(other, undefined, nowMs);
        return { label: `$(${row.icon}) ${row.label}`, description: row.description, run: other };
      }),
      { title: `TrainLens: Compare ${runRow(run, undefined, nowMs).label} with…`, placeHolder: 'The earlier of the two runs is "before"' },
    );
    if (picked) await this.compare(run, picked.run);
  }

  reveal(run: RunOnDisk | undefined): Thenable<unknown> | undefined {
    return run && vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(run.item.dir));
  }

  /** After a modal confirmation; only folders that are one recording, never one still recording. */
  async delete(selected: readonly RunOnDisk[]): Promise<void> {
    const nowMs = Date.now();
    const targets = selected.filter((run) => runState(run, nowMs) !== 'recording');
    if (targets.length < selected.length) void vscode.window.showInformationMessage('TrainLens: a run still recording is not deleted.');
    const first = targets[0];
    if (!first) return;
    const what =
      targets.length === 1 ? `the recording of ${runRow(first, undefined, nowMs).label} (${first.item.startedAt ?? first.item.id})` : `${targets.length} recordings`;
    const remove = 'Delete';
    const choice = await vscode.window.showWarningMessage(
      `Delete ${what}?`,
      { modal: true, detail: `${targets.map((run) => run.item.dir).join('\n')}\n\nThe folder${targets.length === 1 ? ' is' : 's are'} removed from disk; this cannot be undone.` },
      remove,
    );
    if (choice !== remove) return;
    const allowed = runsDirs();
    for (const run of targets) {
      try {
        const stat = await fs.lstat(run.item.dir);
        if (!stat.isDirectory() || !isRecordingFolder(run.item.dir, allowed)) throw new Error('not a recording folder in this workspace');
        await fs.rm(run.item.dir, { recursive: true });
        this.ui.log.info(`deleted recording ${run.item.dir}`);
      } catch (error) {
        this.ui.log.error(`cannot delete ${run.item.dir}: ${(error as Error).message}`);
        void vscode.window.showErrorMessage(`TrainLens: cannot delete ${run.item.dir}: ${(error as Error).message}`);
      }
    }
    this.tree.refresh();
  }

  private async compare(a: RunOnDisk, b: RunOnDisk): Promise<void> {
    const { before, after } = beforeAndAfter(a, b);
    let beforeSummary;
    try {
      beforeSummary = loadSummary(before.item.dir);
    } catch (error) {
      void vscode.window.showErrorMessage(`TrainLens: cannot read ${before.item.dir}: ${(error as Error).message}`);
      return;
    }
    // The "after" run is what the panel and the editor show, with the comparison above it.
    const afterSummary = await this.opener.show(after.item.dir, { reveal: true });
    if (!afterSummary) return;
    const comparison = compareRuns(beforeSummary, afterSummary);
    const nowMs = Date.now();
    const name = (run: RunOnDisk) => ({ label: runRow(run, undefined, nowMs).label, started: startText(run.item.startedAt, nowMs) });
    const title = comparedRunsTitle(name(before), name(after));
    this.ui.log.info(`compare ${path.basename(before.item.dir)} → ${path.basename(after.item.dir)}: ${comparison.sentence}`);
    this.ui.panel.setCompare({ title, ...comparison });
    const message = compareNotification(comparison);
    const show = comparison.verdict === 'faster' ? vscode.window.showInformationMessage(message, SHOW_PANEL) : vscode.window.showWarningMessage(message, SHOW_PANEL);
    if ((await show) === SHOW_PANEL) this.ui.panel.show();
  }
}
