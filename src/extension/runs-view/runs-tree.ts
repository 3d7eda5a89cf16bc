/**
 * The Runs view's tree: the workspace's recordings, newest first, listed again when a recording
 * appears, ends or goes (a run in the editor or the CLI in a terminal alike; RunsFolderWatch), a
 * burst of changes debounced into one listing.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../core/editor-view/commands';
import { Debounce, REFRESH_DEBOUNCE_MS } from '../../core/editor-view/runs-refresh';
import { RECORDING_QUIET_MS, runRow, runsNewestFirst, runState, type RunOnDisk } from '../../core/editor-view/runs-rows';
import { RUNS_DIR } from '../../host/recording/recording-reader';
import { SUMMARY_FILE } from '../../host/recording/recording-writer';
import { DisposableStore } from '../disposables';
import { RunsFolderWatch } from './runs-folder-watch';
import { runsDirs, runsOnDisk } from './runs-on-disk';

/** Context value of a row; a run still recording has its own, so Delete is not offered on it. */
export const RUN_CONTEXT = { finished: 'trainlens.run', recording: 'trainlens.run.recording' } as const;

export class RunsTree implements vscode.TreeDataProvider<RunOnDisk>, vscode.Disposable {
  private readonly store = new DisposableStore();
  private readonly changed = this.store.add(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly debounce = this.store.add(new Debounce(REFRESH_DEBOUNCE_MS, () => this.changed.fire()));
  private watches: RunsFolderWatch[] = [];
  private recheck: ReturnType<typeof setTimeout> | undefined;
  /** What the tree shows now, for Compare with…'s list. */
  private listed: RunOnDisk[] = [];

  constructor() {
    this.watch();
    this.store.add(
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watch();
        this.refresh();
      }),
    );
  }

  get runs(): readonly RunOnDisk[] {
    return this.listed;
  }

  /** Lists again soon (after a burst of changes settles). */
  refresh(): void {
    this.debounce.request();
  }

  getTreeItem(run: RunOnDisk): vscode.TreeItem {
    const row = runRow(run, workspaceRootOf(run.item.dir), Date.now());
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = run.item.dir;
    item.description = row.description;
    item.tooltip = new vscode.MarkdownString(row.tooltip, true);
    item.iconPath = new vscode.ThemeIcon(row.icon, row.icon === 'error' ? new vscode.ThemeColor('list.errorForeground') : undefined);
    item.contextValue = row.state === 'recording' ? RUN_CONTEXT.recording : RUN_CONTEXT.finished;
    item.command = { command: COMMANDS.openRun, title: 'Open', arguments: [run] };
    return item;
  }

  async getChildren(parent?: RunOnDisk): Promise<RunOnDisk[]> {
    if (parent) return [];
    this.listed = runsNewestFirst(await runsOnDisk());
    this.followInProgress(Date.now());
    return this.listed;
  }

  dispose(): void {
    clearTimeout(this.recheck);
    for (const watch of this.watches) watch.dispose();
    this.store.dispose();
  }

  /**
   * Watches the summary.json of each run still recording, and lists again once the quietest of
   * them has been quiet long enough to be called cut off (a killed run writes no summary).
   */
  private followInProgress(nowMs: number): void {
    const recording = this.listed.filter((run) => runState(run, nowMs) === 'recording');
    for (const watch of this.watches) {
      watch.followRecordings(recording.map((run) => run.item.dir).filter((dir) => path.dirname(dir) === watch.runsDir), SUMMARY_FILE);
    }
    clearTimeout(this.recheck);
    if (recording.length === 0) return;
    const dueMs = Math.min(...recording.map((run) => (run.eventsModifiedMs ?? nowMs) + RECORDING_QUIET_MS - nowMs));
    this.recheck = setTimeout(() => this.refresh(), Math.max(0, dueMs) + 100);
  }

  private watch(): void {
    for (const watch of this.watches) watch.dispose();
    this.watches = (vscode.workspace.workspaceFolders ?? []).map((folder) => new RunsFolderWatch(folder.uri.fsPath, path.join(folder.uri.fsPath, RUNS_DIR), () => this.refresh()));
  }
}

/** The workspace folder a recording belongs to, for script labels relative to it. */
function workspaceRootOf(dir: string): string | undefined {
  return runsDirs().includes(path.dirname(dir)) ? path.resolve(dir, '..', '..', '..') : undefined;
}
