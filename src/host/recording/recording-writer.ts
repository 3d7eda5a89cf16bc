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

/** How a recording that could not be written any further is announced (a note in the run's log and summary). */
export const RECORDING_FAULT_PREFIX = 'recording stopped';

export class RecordingWriter {
  private onFault: ((message: string) => void) | undefined;
  private fd: number | undefined;
  private fault: string | undefined;
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
      throw new RecordingError(`cannot write the recording in ${runsDir}: ${whyNotWritable(runsDir, error as Error)}`);
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

  /** `listener` is told once, when the disk refuses a write (full, read-only, over a size limit), or now if it already has. */
  watchFaults(listener: (message: string) => void): void {
    this.onFault = listener;
    if (this.fault) listener(this.fault);
  }

  /** Writes summary.json; when the disk refuses it, the summary that is returned says so instead. */
  writeSummary(summary: RunSummary): void {
    try {
      writeSummaryFile(this.dir, summary);
    } catch (error) {
      this.failed(error, SUMMARY_FILE);
      if (this.fault && !summary.notes.includes(this.fault)) summary.notes.push(this.fault);
    }
  }

  close(): void {
    clearInterval(this.openRowCheck);
    this.write(this.flushOpenRows());
    this.closeFile();
  }

  private flushOpenRows(): RecordingLine[] {
    return [...this.steps.flush(), ...this.lines.flush()];
  }

  private write(lines: readonly RecordingLine[]): void {
    if (this.fd === undefined || lines.length === 0) return;
    try {
      fs.writeSync(this.fd, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    } catch (error) {
      // A throw here would escape into the IPC socket's handler and end the host, and the training
      // run with it (seen on a full disk: the CLI died of ENOSPC). What was written stays readable;
      // a line cut by the failed write is skipped by the reader like a line torn by a kill.
      this.closeFile();
      this.failed(error, EVENTS_FILE);
    }
  }

  private failed(error: unknown, file: string): void {
    if (this.fault) return;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EFBIG' ? 'the file size limit was reached' : code === 'EROFS' || code === 'EACCES' || code === 'EPERM' ? 'the folder is not writable' : (error as Error).message;
    this.fault = `${RECORDING_FAULT_PREFIX}: cannot write ${path.join(this.dir, file)} (${code ?? 'error'}: ${why}). The run goes on and its figures are kept in memory, but the recording holds only what was written before.`;
    this.onFault?.(this.fault);
  }

  private closeFile(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fs.closeSync(fd);
    } catch {
      // Closing after a failed write may report the same error again: already told.
    }
  }
}

/**
 * A recursive mkdir on a read-only file system fails with ENOENT, which reads as if the folder were
 * missing: ask the nearest folder that exists for the real reason (EROFS, EACCES).
 */
function whyNotWritable(dir: string, error: Error): string {
  let existing = dir;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    fs.accessSync(existing, fs.constants.W_OK);
  } catch (access) {
    return (access as Error).message;
  }
  return error.message;
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
  try {
    fs.writeFileSync(temp, JSON.stringify(summary, null, 2) + '\n');
    fs.renameSync(temp, target);
  } catch (error) {
    // A full disk leaves a half-written temporary file: nothing of it may stay behind.
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
