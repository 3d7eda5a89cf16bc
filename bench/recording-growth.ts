/**
 * How fast a recording grows once a run is past the steps every recording writes one by one: the
 * figure the README's "at most ~1 MB per minute of training, at any step rate" is about.
 */
import fs from 'node:fs';
import { FIRST_STEPS } from '../src/host/recording/step-compactor';

interface TimedRow {
  type: string;
  t?: number;
  ms?: number;
  endT?: number;
}

/** Bytes per minute of training past the first FIRST_STEPS steps; null when the run had no more. */
export function recordingBytesPerMin(eventsFile: string): number | null {
  const lines = fs.readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean);
  let stepRows = 0;
  let from: { line: number; endMs: number } | undefined;
  let lastEndMs = 0;
  lines.forEach((line, i) => {
    const row = JSON.parse(line) as TimedRow;
    const endMs = row.type === 'step' ? (row.t ?? 0) + (row.ms ?? 0) : row.type === 'steps' ? (row.endT ?? 0) : null;
    if (endMs === null) return;
    lastEndMs = Math.max(lastEndMs, endMs);
    if (row.type === 'step' && ++stepRows === FIRST_STEPS) from = { line: i, endMs };
  });
  if (!from || lastEndMs <= from.endMs) return null;
  const bytes = lines.slice(from.line + 1).reduce((total, line) => total + Buffer.byteLength(line) + 1, 0);
  return bytes / ((lastEndMs - from.endMs) / 60_000);
}
