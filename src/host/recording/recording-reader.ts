/**
 * Opens a recording, including one cut off at any moment (kill -9): a torn last line or a
 * missing summary.json is expected, and the summary is rebuilt from the events.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RunAggregator } from '../../core/aggregator';
import { cachedSourceLines, findingsFor } from '../analysis';
import { withStartupCode } from '../../core/startup';
import { SUMMARY_FORMAT, type RunSummary } from '../../core/summary';
import { BAD_LINES_ENTRY } from '../../protocol/decode';
import { decodeRecordedLine } from './recorded-line';
import { EVENTS_FILE, RecordingError, SUMMARY_FILE } from './recording-writer';
import { restoreSteps } from './restore-steps';
import type { RecordedEvent, RecordingLine } from '../../protocol/recording';

export const RUNS_DIR = path.join('.trainlens', 'runs');

export interface LoadedRecording {
  dir: string;
  /** As the run produced them: `steps` rows are steps again. */
  events: RecordedEvent[];
  /** Lines that could not be read (torn by a kill, or corrupt). */
  skippedLines: number;
  /** Bad entries left out of `lines` events that were read (an edited file; the host records only good ones). */
  skippedEntries: number;
}

export function readRecording(dir: string): LoadedRecording {
  const file = path.join(dir, EVENTS_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new RecordingError(`not a TrainLens recording: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseRecording(dir, text);
}

/** A recording's text, read: throws only a RecordingError (no run header first), else skips what it cannot read. */
export function parseRecording(dir: string, text: string): LoadedRecording {
  const file = path.join(dir, EVENTS_FILE);
  const lines: RecordingLine[] = [];
  let skippedLines = 0;
  let skippedEntries = 0;
  const countEntries = (count: number): void => void (skippedEntries += count);
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const decoded = decodeRecordedLine(line, countEntries);
    if (decoded) lines.push(decoded);
    else skippedLines++;
  }
  if (lines.length === 0 || lines[0]?.type !== 'run') {
    throw new RecordingError(`not a TrainLens recording: ${file} does not start with a run header`);
  }
  return { dir, events: restoreSteps(lines), skippedLines, skippedEntries };
}

/** Rebuilds an aggregator from a recording's events. */
export function replay(recording: LoadedRecording): RunAggregator {
  const aggregator = new RunAggregator();
  for (const event of recording.events) aggregator.add(event);
  if (recording.skippedLines > 0) aggregator.countDropped('unreadable-recording-line', recording.skippedLines);
  if (recording.skippedEntries > 0) aggregator.countDropped(BAD_LINES_ENTRY, recording.skippedEntries);
  return aggregator;
}

/** summary.json when present and readable; otherwise rebuilt from the events (`recording`, when the caller has already read them). */
export function loadSummary(dir: string, recording?: LoadedRecording): RunSummary {
  try {
    const summary = JSON.parse(fs.readFileSync(path.join(dir, SUMMARY_FILE), 'utf8')) as RunSummary;
    if (summary.summaryFormat === SUMMARY_FORMAT) return { ...summary, recording: dir };
  } catch {
    // Missing (the run was cut off) or corrupt: the events are the truth.
  }
  const aggregator = replay(recording ?? readRecording(dir));
  const summary = aggregator.summary(dir);
  const sources = cachedSourceLines();
  summary.findings = findingsFor(aggregator, summary, sources);
  summary.startup = withStartupCode(summary.startup, sources);
  if (summary.status === 'running') {
    summary.notes.push('the recording was cut off before the run ended; figures cover what was recorded');
  }
  return summary;
}

/** `latest` → the newest run under cwd/.trainlens/runs; anything else is a directory path. */
export function resolveRunDir(arg: string, cwd: string): string {
  if (arg !== 'latest') return path.resolve(cwd, arg);
  const runsDir = path.join(cwd, RUNS_DIR);
  let ids: string[] = [];
  try {
    ids = fs.readdirSync(runsDir).filter((name) => fs.existsSync(path.join(runsDir, name, EVENTS_FILE)));
  } catch {
    // No runs yet.
  }
  const newest = ids.sort().at(-1);
  if (!newest) throw new RecordingError(`no recorded runs in ${runsDir}`);
  return path.join(runsDir, newest);
}
