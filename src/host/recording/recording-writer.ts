/**
 * Writes a recording: `.trainlens/runs/<id>/events.jsonl`, append-only, written synchronously as
 * events arrive so that a kill -9 of the host loses nothing already received, and `summary.json`
 * at the end (atomically, via a temporary file).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RecordedEvent } from '../../protocol/recording';
import type { RunSummary } from '../../core/summary';
import { ignoreToolFolder } from './ignore-file';

export const EVENTS_FILE = 'events.jsonl';
export const SUMMARY_FILE = 'summary.json';

export class RecordingError extends Error {
  readonly category = 'recording';
}

export class RecordingWriter {
  private fd: number | undefined;

  private constructor(
    readonly id: string,
    readonly dir: string,
    fd: number,
  ) {
    this.fd = fd;
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
    if (this.fd === undefined || events.length === 0) return;
    fs.writeSync(this.fd, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }

  writeSummary(summary: RunSummary): void {
    writeSummaryFile(this.dir, summary);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
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
