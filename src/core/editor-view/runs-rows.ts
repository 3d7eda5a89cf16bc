/**
 * The Runs view's rows: each recording on disk as the tree shows it (script, status, throughput,
 * steps, start, duration), newest first. The status icon and word are the status bar's OUTCOMES,
 * the throughput and script label the Open Recording… picker's, so the three never disagree.
 */
import { escapeMarkdown, inlineCode } from './markdown';
import { scriptLabel, throughputText, type RecordingGlance, type RecordingItem } from './recording-list';
import { OUTCOMES } from './status-model';

/** A recording folder as listed from disk: what its id, summary.json and events.jsonl say. */
export interface RunOnDisk {
  item: RecordingItem;
  /** From summary.json; null while it is missing (a run in progress, or one cut off). */
  glance: RecordingGlance | null;
  /** summary.json's startedAtMs; null without one. */
  startedAtMs: number | null;
  /** events.jsonl's modification time; null when it could not be read. */
  eventsModifiedMs: number | null;
}

/**
 * A run without summary.json whose events were written this recently is still recording: the
 * writer flushes an open second of steps within 1.5 s and telemetry samples every second, so a
 * live run's file is never quiet this long, and one quiet for longer was cut off.
 */
export const RECORDING_QUIET_MS = 15_000;

export type RunState = 'finished' | 'recording' | 'cut-off';

export function runState(run: RunOnDisk, nowMs: number): RunState {
  if (run.glance) return run.glance.status === 'running' ? 'cut-off' : 'finished';
  return run.eventsModifiedMs !== null && nowMs - run.eventsModifiedMs < RECORDING_QUIET_MS ? 'recording' : 'cut-off';
}

export interface RunRow {
  /** The script, with its folder when not at the workspace root: `gpt/train.py`. */
  label: string;
  /** Status word first: `done · 42.1 batch/s · 410 steps · 10:54:31 · 8.1 s`. */
  description: string;
  /** Markdown: everything the row shortens, and the folder. */
  tooltip: string;
  /** A codicon id (`check`, `error`, `loading~spin`…). */
  icon: string;
  state: RunState;
}

const RECORDING = { icon: '$(loading~spin)', word: 'recording…' };

/** `nowMs` decides "recording" and whether the start reads as today's time or a date. */
export function runRow(run: RunOnDisk, workspaceRoot: string | undefined, nowMs: number): RunRow {
  const state = runState(run, nowMs);
  const { item, glance } = run;
  const label = glance?.script ? scriptLabel(glance.script, workspaceRoot) : item.name;
  const started = startText(item.startedAt, nowMs);
  const folder = inlineCode(item.dir);
  if (!glance) {
    const outcome = state === 'recording' ? RECORDING : OUTCOMES.running;
    const what = state === 'recording' ? 'recording…' : 'cut off · rebuilt from its events when opened';
    return {
      label,
      description: joinDefined([what, started]),
      tooltip: [`**${escapeMarkdown(label)}** · ${what}`, item.startedAt ? `Started ${item.startedAt}` : undefined, folder].filter(isDefined).join('\n\n'),
      icon: codiconId(outcome.icon),
      state,
    };
  }
  // A summary still "running" was cut off: OUTCOMES says so.
  const outcome = OUTCOMES[glance.status as keyof typeof OUTCOMES] ?? { icon: '$(circle-outline)', word: glance.status };
  const rate = throughputText(glance);
  const steps = `${glance.steps.toLocaleString('en-US')} ${glance.steps === 1 ? 'step' : 'steps'}`;
  const duration = durationText(glance.durationMs);
  const facts = [rate];
  // Both rates in the tooltip when a run counted tokens: the row shows only one.
  if (glance.tokensPerSec !== null && glance.batchesPerSec !== null) facts.push(throughputText({ ...glance, tokensPerSec: null }));
  facts.push(steps);
  return {
    label,
    description: joinDefined([outcome.word, rate, steps, started, duration]),
    tooltip: [
      `**${escapeMarkdown(label)}** · ${escapeMarkdown(outcome.word)}`,
      escapeMarkdown(facts.join(' · ')),
      `${item.startedAt ? `Started ${item.startedAt} · ` : ''}ran ${duration}`,
      folder,
    ].join('\n\n'),
    icon: codiconId(outcome.icon),
    state,
  };
}

/**
 * Newest first by when the run started: summary.json's clock, else the id's timestamp (local
 * time, as the writer names folders), else when its events were last written.
 */
export function runsNewestFirst(runs: readonly RunOnDisk[]): RunOnDisk[] {
  const key = (run: RunOnDisk): number => run.startedAtMs ?? idTimeMs(run.item) ?? run.eventsModifiedMs ?? 0;
  return [...runs].sort((a, b) => key(b) - key(a) || (a.item.id < b.item.id ? 1 : a.item.id > b.item.id ? -1 : 0));
}

/** `10:54:31` for a run started today, `2026-11-23 10:54` before; the id's local time either way. */
export function startText(startedAt: string | null, nowMs: number): string | undefined {
  if (!startedAt) return undefined;
  const [day, time] = startedAt.split(' ');
  return day === localDay(nowMs) ? time : `${day} ${time?.slice(0, 5) ?? ''}`.trim();
}

/** How long a run took, to the second: `8.1 s`, `4 min 12 s`, `2 h 05 min` (formatMs is for step times). */
export function durationText(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** `$(check)` → `check`: OUTCOMES are written for labels; a tree item takes the bare id. */
export function codiconId(label: string): string {
  return /^\$\(([^)]+)\)$/.exec(label)?.[1] ?? label;
}

function localDay(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function idTimeMs(item: RecordingItem): number | null {
  if (!item.startedAt) return null;
  const ms = new Date(item.startedAt.replace(' ', 'T')).getTime();
  return Number.isFinite(ms) ? ms : null;
}

function joinDefined(parts: ReadonlyArray<string | undefined>): string {
  return parts.filter(isDefined).join(' · ');
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
