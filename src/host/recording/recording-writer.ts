/**
 * Writes a recording: `.trainlens/runs/<id>/events.jsonl`, append-only, written synchronously as
 * events arrive, and `summary.json` at the end (atomically, via a temporary file). So that the file
 * grows with time, not with the step rate, a fast run's steps past the first are summed into a
 * `steps` row per second (step-compactor.ts) and line samples are merged over 5 s, up to a minute
 * for heavy ones (lines-coalescer.ts): a kill -9 of the host loses what those still hold open, the
 * last second of steps and the line samples of the open window, never anything already written.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RecordedEvent, RecordingLine } from '../../protocol/recording';
import type { RunSummary } from '../../core/summary';
import { LinesCoalescer, WINDOW_MS as LINES_WINDOW_MS } from './lines-coalescer';
import { StepCompactor } from './step-compactor';
import { ignoreToolFolder } from './ignore-file';

export const EVENTS_FILE = 'events.jsonl';
export const SUMMARY_FILE = 'summary.json';

export class RecordingError extends Error {
  readonly category = 'recording';
}

/**
 * A second's `steps` row is written when a step of a later second arrives; when none comes (the
 * run paused, or ended without a word) it is written after this long anyway.
 */
const OPEN_STEPS_ROW_MAX_MS = 1500;
const OPEN_ROW_CHECK_MS = 500;

export class RecordingWriter {
  private fd: number | undefined;
  private readonly steps = new StepCompactor();
  private readonly lines = new LinesCoalescer();
  private readonly openRowCheck: NodeJS.Timeout;

  private constructor(
    readonly id: string,
    readonly dir: string,
    fd: number,
  ) {
    this.fd = fd;
    this.openRowCheck = setInterval(() => {
      const now = Date.now();
      this.write([...this.steps.flushOlderThan(OPEN_STEPS_ROW_MAX_MS, now), ...this.lines.flushOlderThan(LINES_WINDOW_MS, now)]);
    }, OPEN_ROW_CHECK_MS);
    this.openRowCheck.unref();
  }

  /** Creates a new run directory under runsDir; fails with a clear message when it cannot. */
  static create(runsDir: string, scriptName: string, now = new Date()): RecordingWriter {
    const id = runId(scriptName, now);
    const dir = path.join(runsDir, id);
    try {
      fs.mkdirSync(dir, { recursive: true });
      ignoreToolFolder(runsDir);
      const fd = fs.openSync(path.join(dir, EVENTS_FILE), 'a', 0o600);
      return new RecordingWriter(id, dir, fd);
    } catch (error) {
      throw new RecordingError(`cannot write the recording in ${runsDir}: ${(error as Error).message}`);
    }
  }

  append(events: readonly RecordedEvent[]): void {
    if (this.fd === undefined) return;
    const now = Date.now();
    const rows: RecordingLine[] = [];
    for (const event of events) {
      if (event.type === 'step') rows.push(...this.steps.add(event, now));
      else if (event.type === 'lines') rows.push(...this.lines.add(event, now));
      else {
        // The run's last words stay its last lines.
        if (event.type === 'bye' || event.type === 'exit') rows.push(...this.flushOpenRows());
        rows.push(event);
      }
    }
    this.write(rows);
  }

  writeSummary(summary: RunSummary): void {
    writeSummaryFile(this.dir, summary);
  }

  close(): void {
    clearInterval(this.openRowCheck);
    this.write(this.flushOpenRows());
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private flushOpenRows(): RecordingLine[] {
    return [...this.steps.flush(), ...this.lines.flush()];
  }

  private write(lines: readonly RecordingLine[]): void {
    if (this.fd === undefined || lines.length === 0) return;
    fs.writeSync(this.fd, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  }
}

/** Sortable by time, readable, unique: 20261123-105431-train-3f9c. */
export function runId(scriptName: string, now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-` +
    `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const base = path.basename(scriptName).replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40) || 'run';
  return `${stamp}-${base}-${randomBytes(2).toString('hex')}`;
}

/** Atomic: a reader sees the old summary or the new one, never half of one. */
export function writeSummaryFile(dir: string, summary: RunSummary): void {
  const target = path.join(dir, SUMMARY_FILE);
  const temp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(summary, null, 2) + '\n');
  fs.renameSync(temp, target);
}
