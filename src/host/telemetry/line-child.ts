/**
 * A long-lived child process read line by line, asynchronously. Buffers stay bounded: a line
 * longer than MAX_LINE_BYTES is dropped, and only the last stderr line is kept.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { LineSplitter } from '../../protocol/framing';

const MAX_LINE_BYTES = 8192;
const MAX_STDERR_CHARS = 300;
/** Grace between SIGTERM and SIGKILL on stop(). */
const KILL_GRACE_MS = 1000;

export type ChildEnd =
  /** The command could not be started; `reason` is the errno name (ENOENT: not on PATH) or spawn's message. */
  | { kind: 'spawn-failed'; reason: string }
  | { kind: 'exited'; exitCode: number | null; signal: NodeJS.Signals | null; lastStderr: string };

export interface LineChild {
  /** Kills the child (SIGTERM, then SIGKILL) and resolves once it is gone; onEnd is not called. */
  stop(): Promise<void>;
}

export function describeEnd(end: ChildEnd): string {
  if (end.kind === 'spawn-failed') return `could not start (${end.reason})`;
  const how = end.signal !== null ? `killed by ${end.signal}` : `exit code ${end.exitCode ?? 'unknown'}`;
  return end.lastStderr === '' ? how : `${how}: ${end.lastStderr}`;
}

function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  const splitter = new LineSplitter((line) => onLine(line.replace(/\r$/, '')), undefined, MAX_LINE_BYTES);
  stream.on('data', (chunk: Buffer) => splitter.push(chunk));
  stream.on('end', () => splitter.end());
}

export function runLineChild(
  command: string,
  args: readonly string[],
  onLine: (line: string) => void,
  onEnd: (end: ChildEnd) => void,
): LineChild {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  let lastStderr = '';
  let spawnError: string | null = null;
  let stopping = false;
  const closed = new Promise<void>((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) => {
      // 'close' still follows a spawn failure; a kill failure needs no report.
      if (child.pid === undefined) spawnError = err.code ?? 'EUNKNOWN';
    });
    child.on('close', (exitCode, signal) => {
      resolve();
      if (stopping) return;
      onEnd(spawnError !== null ? { kind: 'spawn-failed', reason: spawnError } : { kind: 'exited', exitCode, signal, lastStderr });
    });
  });
  forEachLine(child.stdout, (line) => {
    if (!stopping) onLine(line);
  });
  forEachLine(child.stderr, (line) => {
    lastStderr = line.trim().slice(0, MAX_STDERR_CHARS);
  });
  return {
    stop: async () => {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return closed;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      await closed;
      clearTimeout(force);
    },
  };
}
