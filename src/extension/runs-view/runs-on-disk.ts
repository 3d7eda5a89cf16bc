/** The workspace's recordings as the Runs view and the restore read them: ids, summaries, file times. */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { recordingGlance, type RecordingItem } from '../../core/editor-view/recording-list';
import type { RunOnDisk } from '../../core/editor-view/runs-rows';
import { RUNS_DIR } from '../../host/recording/recording-reader';
import { EVENTS_FILE, SUMMARY_FILE } from '../../host/recording/recording-writer';
import { recordedRuns } from '../recordings';

/** Each workspace folder's runs folder, whether or not it exists yet. */
export function runsDirs(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((folder) => path.join(folder.uri.fsPath, RUNS_DIR));
}

/** Folders holding neither file are not recordings (one being deleted, or something else). */
export async function runsOnDisk(): Promise<RunOnDisk[]> {
  const runs = await Promise.all((await recordedRuns()).map(readRun));
  return runs.filter((run): run is RunOnDisk => run !== undefined);
}

async function readRun(item: RecordingItem): Promise<RunOnDisk | undefined> {
  const [summary, events] = await Promise.all([readSummary(item.dir), fs.stat(path.join(item.dir, EVENTS_FILE)).catch(() => undefined)]);
  if (summary === undefined && !events) return undefined;
  const glance = summary === undefined ? null : recordingGlance(summary);
  const startedAtMs = glance && typeof summary === 'object' && summary !== null ? (summary as { startedAtMs?: unknown }).startedAtMs : undefined;
  return {
    item,
    glance,
    startedAtMs: typeof startedAtMs === 'number' && Number.isFinite(startedAtMs) ? startedAtMs : null,
    eventsModifiedMs: events?.mtimeMs ?? null,
  };
}

/** summary.json parsed; undefined when missing or unreadable (a torn write reads as missing). */
async function readSummary(dir: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, SUMMARY_FILE), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}
