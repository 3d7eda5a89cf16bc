/** Recorded runs as the Open Recording… picker lists them: newest first, with a readable date. */
import path from 'node:path';
import { formatCompactRate, formatMs, formatRate } from '../format';
import type { RunSummary } from '../summary';
import { OUTCOMES } from './status-model';

export interface RecordingItem {
  id: string;
  dir: string;
  /** e.g. "train"; the script name the id was made from. */
  name: string;
  /** e.g. "2026-11-23 10:54:31"; null when the id is not one TrainLens wrote. */
  startedAt: string | null;
}

const RUN_ID = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-(.+)-[0-9a-f]{4}$/;

/** Reads the host's run ids (`20261123-105431-train-3f9c`, see runId in the recording writer). */
export function recordingItem(id: string, dir: string): RecordingItem {
  const match = RUN_ID.exec(id);
  if (!match) return { id, dir, name: id, startedAt: null };
  const [, y, mo, d, h, mi, s, name] = match;
  return { id, dir, name: name ?? id, startedAt: `${y}-${mo}-${d} ${h}:${mi}:${s}` };
}

/** Ids start with their timestamp, so newest first is a reverse sort by id. */
export function newestFirst(items: readonly RecordingItem[]): RecordingItem[] {
  return [...items].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** The few summary fields a list of runs shows; read from summary.json without rebuilding anything. */
export interface RecordingGlance {
  script: string | null;
  status: string;
  steps: number;
  durationMs: number;
  batchesPerSec: number | null;
  tokensPerSec: number | null;
}

export interface RecordingRow {
  /** The script, with the folder it is in when that is not the workspace root: `gpt/train.py`. */
  label: string;
  /** Status first, so a failed run stands out: `$(error) failed · 12.3 batch/s · 410 steps`. */
  description: string;
  /** When it started and for how long. */
  detail: string;
}

/**
 * How a recorded run reads in a list. `glance` is null when the run has no summary.json (cut off by
 * a crash of the host): it still opens, rebuilt from its events, and says so.
 */
export function recordingRow(item: RecordingItem, glance: RecordingGlance | null, workspaceRoot: string | undefined): RecordingRow {
  const started = item.startedAt ?? item.id;
  if (!glance) return { label: item.name, description: '$(warning) cut off · rebuilt from its events when opened', detail: started };
  const label = glance.script ? scriptLabel(glance.script, workspaceRoot) : item.name;
  const rate = throughputText(glance);
  const steps = `${glance.steps} ${glance.steps === 1 ? 'step' : 'steps'}`;
  // The status bar's words for a finished run (a summary still "running" was cut off).
  const outcome = OUTCOMES[glance.status as RunSummary['status']] ?? { icon: '$(circle-outline)', word: glance.status };
  return { label, description: `${outcome.icon} ${outcome.word} · ${rate} · ${steps}`, detail: `${started} · ${formatMs(glance.durationMs)}` };
}

/** A language model's pace in tokens, else batches: `51.2k tok/s`, `3.21 batch/s`. */
export function throughputText(glance: Pick<RecordingGlance, 'batchesPerSec' | 'tokensPerSec'>): string {
  if (glance.tokensPerSec !== null) return `${formatCompactRate(glance.tokensPerSec)} tok/s`;
  return glance.batchesPerSec !== null ? `${formatRate(glance.batchesPerSec)} batch/s` : 'no throughput';
}

export function scriptLabel(script: string, workspaceRoot: string | undefined): string {
  if (workspaceRoot) {
    const relative = path.relative(workspaceRoot, script);
    if (relative && !relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).join('/');
  }
  return path.basename(script);
}

/** The glance of a parsed summary.json, or null when it is not one (hand-edited, another tool's). */
export function recordingGlance(value: unknown): RecordingGlance | null {
  if (typeof value !== 'object' || value === null) return null;
  const s = value as Record<string, unknown>;
  const throughput = (typeof s.throughput === 'object' && s.throughput !== null ? s.throughput : {}) as Record<string, unknown>;
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  if (typeof s.status !== 'string') return null;
  return {
    script: typeof s.script === 'string' ? s.script : null,
    status: s.status,
    steps: num(s.steps) ?? 0,
    durationMs: num(s.durationMs) ?? 0,
    batchesPerSec: num(throughput.batchesPerSec),
    tokensPerSec: num(throughput.tokensPerSec),
  };
}
