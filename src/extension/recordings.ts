/**
 * Open Recording…: a recorded run shown like a finished one (panel, status bar, heat, diagnostics).
 * Reading files runs no code, so this works in untrusted workspaces too.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { newestFirst, recordingGlance, recordingItem, recordingRow, type RecordingGlance, type RecordingItem } from '../core/editor-view/recording-list';
import { statusView, summaryStatusInput } from '../core/editor-view/status-model';
import type { RunSummary } from '../core/summary';
import { RunView } from '../core/view/run-view';
import { loadSummary, readRecording, RUNS_DIR } from '../host/recording/recording-reader';
import { EVENTS_FILE, SUMMARY_FILE } from '../host/recording/recording-writer';
import type { RunUi } from './run/run-ui';

export class RecordingOpener {
  private shown = false;

  constructor(
    private readonly ui: RunUi,
    /** While a run is live, the editor keeps showing it; the recording goes to the panel only. */
    private readonly isRunActive: () => boolean,
  ) {}

  /** Whether a recording was shown in this window (a restored run counts too). */
  get hasShown(): boolean {
    return this.shown;
  }

  async open(resource: unknown): Promise<void> {
    const dir = resource instanceof vscode.Uri ? recordingDirOf(resource) : await this.pick();
    if (dir) await this.show(dir, { reveal: true });
  }

  /**
   * Shows the recording in `dir` as a finished run. `reveal: false` (a run restored after a reload)
   * opens no panel and no message: the panel shows it when asked. Resolves with its summary, or
   * undefined when it could not be read.
   */
  async show(dir: string, { reveal }: { reveal: boolean }): Promise<RunSummary | undefined> {
    let loaded: { view: RunView; summary: RunSummary; label: string };
    try {
      loaded = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'TrainLens: reading recording' }, async () => load(dir));
    } catch (error) {
      const message = error instanceof Error && 'category' in error ? error.message : `cannot open the recording in ${dir}: ${String(error)}`;
      this.ui.log.error(message);
      if (reveal) void vscode.window.showErrorMessage(`TrainLens: ${message}`);
      return undefined;
    }
    const { view, summary, label } = loaded;
    this.shown = true;
    // A comparison shown before was about other runs.
    this.ui.panel.setCompare(null);
    this.ui.panel.setView(view);
    if (reveal) this.ui.panel.show();
    if (this.isRunActive()) {
      if (reveal) void vscode.window.showInformationMessage('TrainLens: the panel shows the recording; the editor keeps showing the run in progress.');
      return summary;
    }
    this.ui.annotations.clear();
    this.ui.annotations.showSummary(summary);
    const input = summaryStatusInput('done', label, summary);
    this.ui.statusBar.render(() => statusView(input));
    return summary;
  }

  private async pick(): Promise<string | undefined> {
    const browse = { label: '$(folder-opened) Browse…', item: undefined };
    const recordings = newestFirst(await recordedRuns());
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const rows = await Promise.all(recordings.map(async (item) => ({ ...recordingRow(item, await glanceAt(item.dir), root), item })));
    const picked = await vscode.window.showQuickPick(
      [...rows, browse],
      { title: 'TrainLens: Open Recording', placeHolder: recordings.length > 0 ? 'Pick a recorded run' : 'No recordings in this workspace yet: browse for a run folder' },
    );
    if (!picked) return undefined;
    if (picked.item) return picked.item.dir;
    const folder = vscode.workspace.workspaceFolders?.[0];
    const chosen = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Open Recording',
      title: 'A TrainLens run folder (it holds events.jsonl)',
      defaultUri: folder ? vscode.Uri.joinPath(folder.uri, RUNS_DIR) : undefined,
    });
    return chosen?.[0]?.fsPath;
  }
}

function load(dir: string): { view: RunView; summary: RunSummary; label: string } {
  const recording = readRecording(dir);
  // The events are read once: a recording cut off without summary.json rebuilds it from them.
  const summary = loadSummary(dir, recording);
  const label = `${summary.script ? path.basename(summary.script) : path.basename(dir)} (recording)`;
  const view = new RunView(label);
  view.add(recording.events);
  view.setSummary(summary);
  return { view, summary, label };
}

/** A run folder, or one of the files in it (the Explorer's context menu offers both). */
function recordingDirOf(uri: vscode.Uri): string {
  const name = path.basename(uri.fsPath);
  return name === EVENTS_FILE || name === SUMMARY_FILE ? path.dirname(uri.fsPath) : uri.fsPath;
}

/** The run's summary.json, parsed only for the list; null when it is missing or unreadable. */
async function glanceAt(dir: string): Promise<RecordingGlance | null> {
  try {
    return recordingGlance(JSON.parse(await fs.readFile(path.join(dir, SUMMARY_FILE), 'utf8')));
  } catch {
    return null;
  }
}

/** Every folder in the workspace folders' runs folders (recordings, and whatever else is there). */
export async function recordedRuns(): Promise<RecordingItem[]> {
  const perFolder = await Promise.all(
    (vscode.workspace.workspaceFolders ?? []).map(async (folder) => {
      const runsDir = path.join(folder.uri.fsPath, RUNS_DIR);
      const entries = await fs.readdir(runsDir, { withFileTypes: true }).catch(() => []);
      return entries.filter((e) => e.isDirectory()).map((e) => recordingItem(e.name, path.join(runsDir, e.name)));
    }),
  );
  return perFolder.flat();
}
