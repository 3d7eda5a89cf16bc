/**
 * The Runs view's tree: the workspace's recordings, newest first, listed again when a recording
 * appears, ends or goes (a run in the editor or the CLI in a terminal alike: a file watcher on the
 * runs folders, debounced), and while one is still recording, once it has been quiet long enough
 * to tell whether it was cut off.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../core/editor-view/commands';
import { changeAltersList, Debounce, REFRESH_DEBOUNCE_MS, type FileChange } from '../../core/editor-view/runs-refresh';
import { RECORDING_QUIET_MS, runRow, runsNewestFirst, type RunOnDisk } from '../../core/editor-view/runs-rows';
import { RUNS_DIR } from '../../host/recording/recording-reader';
import { EVENTS_FILE, SUMMARY_FILE } from '../../host/recording/recording-writer';
import { DisposableStore } from '../disposables';
import { runsDirs, runsOnDisk } from './runs-on-disk';

/** Context value of a row; a run still recording has its own, so Delete is not offered on it. */
export const RUN_CONTEXT = { finished: 'trainlens.run', recording: 'trainlens.run.recording' } as const;

export class RunsTree implements vscode.TreeDataProvider<RunOnDisk>, vscode.Disposable {
  private readonly store = new DisposableStore();
  private readonly changed = this.store.add(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly debounce = this.store.add(new Debounce(REFRESH_DEBOUNCE_MS, () => this.changed.fire()));
  private watchers = new DisposableStore();
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
    this.scheduleRecheck(Date.now());
    return this.listed;
  }

  dispose(): void {
    clearTimeout(this.recheck);
    this.watchers.dispose();
    this.store.dispose();
  }

  /** A run still recording is listed again once it has been quiet long enough to be called cut off. */
  private scheduleRecheck(nowMs: number): void {
    clearTimeout(this.recheck);
    const recording = this.listed.filter((run) => !run.glance && run.eventsModifiedMs !== null && nowMs - run.eventsModifiedMs < RECORDING_QUIET_MS);
    if (recording.length === 0) return;
    const dueMs = Math.min(...recording.map((run) => (run.eventsModifiedMs ?? nowMs) + RECORDING_QUIET_MS - nowMs));
    this.recheck = setTimeout(() => this.refresh(), Math.max(0, dueMs) + 100);
  }

  private watch(): void {
    this.watchers.dispose();
    this.watchers = new DisposableStore();
    const pattern = `${RUNS_DIR.split(path.sep).join('/')}/**`;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const runsDir = path.join(folder.uri.fsPath, RUNS_DIR);
      const watcher = this.watchers.add(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, pattern)));
      const on = (change: FileChange) => (uri: vscode.Uri) => {
        const relative = path.relative(runsDir, uri.fsPath).split(path.sep).join('/');
        if (changeAltersList(relative, change, { events: EVENTS_FILE, summary: SUMMARY_FILE })) this.refresh();
      };
      this.watchers.add(watcher.onDidCreate(on('created')));
      this.watchers.add(watcher.onDidChange(on('changed')));
      this.watchers.add(watcher.onDidDelete(on('deleted')));
    }
  }
}

/** The workspace folder a recording belongs to, for script labels relative to it. */
function workspaceRootOf(dir: string): string | undefined {
  return runsDirs().includes(path.dirname(dir)) ? path.resolve(dir, '..', '..', '..') : undefined;
}
