/**
 * Open Recording…: a recorded run shown like a finished one (panel, status bar, heat, diagnostics).
 * A trace file (PyTorch profiler, V8 .cpuprofile) is imported into a recording first. Export
 * Recording… writes one as a Chrome trace or speedscope file. Reading files runs no code, so this
 * works in untrusted workspaces too.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { newestFirst, recordingGlance, recordingItem, recordingRow, type RecordingGlance, type RecordingItem } from '../core/editor-view/recording-list';
import { statusView, summaryStatusInput } from '../core/editor-view/status-model';
import type { RunSummary } from '../core/summary';
import { RunView } from '../core/view/run-view';
import { leadRankEvents, loadJobSummary } from '../host/rank-recordings';
import { readRecording, RUNS_DIR } from '../host/recording/recording-reader';
import { EVENTS_FILE, SUMMARY_FILE } from '../host/recording/recording-writer';
import { defaultExportFile, exportRun, type ExportFormat } from '../host/trace/export-run';
import { importTrace, isTraceFile } from '../host/trace/import-trace';
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
    const chosen = resource instanceof vscode.Uri ? resource.fsPath : await this.pick();
    if (!chosen) return;
    const dir = isTraceFile(chosen) ? await this.importTrace(chosen) : recordingDirOf(chosen);
    if (dir) await this.show(dir, { reveal: true });
  }

  /** Export Recording…: `resource` is a run folder (a Uri, a path, or a Runs view row); asked for when absent. */
  async exportRecording(resource: unknown): Promise<void> {
    const dir = runDirOf(resource) ?? (await this.pick());
    if (!dir) return;
    const format = await vscode.window.showQuickPick(
      [
        { label: 'Chrome trace', description: 'Perfetto, chrome://tracing: steps, stages and telemetry on a timeline', format: 'chrome-trace' as ExportFormat },
        { label: 'speedscope', description: 'flame graph of the line samples with their call paths', format: 'speedscope' as ExportFormat },
      ],
      { title: 'TrainLens: Export Recording', placeHolder: 'Format' },
    );
    if (!format) return;
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(defaultExportFile(dir, format.format)), filters: { JSON: ['json'] }, title: 'Export to' });
    if (!target) return;
    try {
      const written = await exportRun(dir, format.format, target.fsPath);
      const reveal = await vscode.window.showInformationMessage(`TrainLens: exported ${path.basename(written)}`, 'Reveal');
      if (reveal) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(written));
    } catch (error) {
      this.fail(`cannot export the recording in ${dir}`, error);
    }
  }

  /** Imports a trace into the workspace's recordings (the trace's own folder without a workspace); its folder, or undefined after saying why not. */
  private async importTrace(file: string): Promise<string | undefined> {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(file);
    try {
      const { dir } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `TrainLens: importing ${path.basename(file)}` }, () => importTrace(file, path.join(root, RUNS_DIR)));
      return dir;
    } catch (error) {
      this.fail(`cannot import ${file}`, error);
      return undefined;
    }
  }

  private fail(what: string, error: unknown, reveal = true): void {
    // Typed errors (a category) carry a message meant for the user; anything else gets context.
    const message = error instanceof Error && 'category' in error ? error.message : `${what}: ${String(error)}`;
    this.ui.log.error(message);
    if (reveal) void vscode.window.showErrorMessage(`TrainLens: ${message}`);
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
      this.fail(`cannot open the recording in ${dir}`, error, reveal);
      return undefined;
    }
    const { view, summary, label } = loaded;
    // A run started while a restored recording was read: the run is newer; show nothing of the recording.
    if (!reveal && this.isRunActive()) return undefined;
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
    const trace = { label: '$(file) Import a trace…', description: 'PyTorch profiler .json / .json.gz, V8 .cpuprofile', item: undefined };
    const recordings = newestFirst(await recordedRuns());
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const rows = await Promise.all(recordings.map(async (item) => ({ ...recordingRow(item, await glanceAt(item.dir), root), item })));
    const picked = await vscode.window.showQuickPick(
      [...rows, browse, trace],
      { title: 'TrainLens: Open Recording', placeHolder: recordings.length > 0 ? 'Pick a recorded run' : 'No recordings in this workspace yet: browse for a run folder' },
    );
    if (!picked) return undefined;
    if (picked.item) return picked.item.dir;
    if (picked === trace) {
      const files = await vscode.window.showOpenDialog({
        canSelectFiles: true,
        openLabel: 'Import',
        title: 'A PyTorch profiler trace or a V8 CPU profile',
        filters: { Traces: ['json', 'gz', 'cpuprofile'] },
      });
      return files?.[0]?.fsPath;
    }
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
  const summary = loadJobSummary(dir, recording);
  const label = `${summary.script ? path.basename(summary.script) : path.basename(dir)} (recording)`;
  const view = new RunView(label);
  view.add(recording.events);
  // A distributed job's steps and lines are its ranks': the panel charts the lead rank's.
  view.add(leadRankEvents(dir));
  view.setSummary(summary);
  return { view, summary, label };
}

/** A run folder, or one of the files in it (the Explorer's context menu offers both). */
function recordingDirOf(file: string): string {
  const name = path.basename(file);
  return name === EVENTS_FILE || name === SUMMARY_FILE ? path.dirname(file) : file;
}

function runDirOf(resource: unknown): string | undefined {
  if (resource instanceof vscode.Uri) return recordingDirOf(resource.fsPath);
  if (typeof resource === 'string') return recordingDirOf(resource);
  // A Runs view row (RunOnDisk) holds its folder in item.dir.
  const row = resource as { dir?: unknown; item?: { dir?: unknown } } | null | undefined;
  const dir = row?.dir ?? row?.item?.dir;
  return typeof dir === 'string' ? dir : undefined;
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
