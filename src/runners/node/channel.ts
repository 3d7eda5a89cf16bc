/**
 * The runner's end of the per-run socket: newline-delimited JSON, batched.
 *
 * During the run, `flush()` hands batches to the socket (asynchronous, never blocks training).
 * At process exit the event loop is gone, so `flushSync()` writes the last batch with a bounded
 * synchronous write on the socket's file descriptor. That also works when the script finished
 * before the loop ever turned (a top-level throw, a short synchronous script): libuv calls
 * connect(2) inside net.createConnection, so the descriptor is connected even while Node still
 * reports `connecting`. We only bypass the stream when nothing is queued in it, so line order holds;
 * where there is no descriptor (Windows named pipes) we fall back to socket.write, which libuv also
 * tries synchronously first. The same holds for a loop that never lets the event loop turn (an
 * awaited trainOnBatch on tfjs's CPU backends runs from microtasks alone): the socket's 'connect'
 * event never comes, so until it does `flush()` writes on the descriptor too, without blocking: what
 * the host has no room for yet waits in `unsent`, ahead of everything after it.
 *
 * Events are queued as they are sent and encoded when a batch goes out: between two steps of a tiny
 * model tfjs pushes our code out of the CPU caches, and a JSON encode run cold once a step measured
 * ~6 µs of main-thread time, several times its cost in a batch. Senders hand over fresh objects and
 * never change them afterwards. Steps, the one event sent thousands of times a second, are queued
 * as rows of numbers (step-rows.ts); the queue keeps their place among the other events.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { encodeLine, type RunnerEvent } from '../../protocol/index';
import { StepRows, type StepRecord } from './step-rows';

/** Above this many unsent bytes in the stream (host not reading) new batches are dropped. */
const MAX_BACKLOG_BYTES = 16 * 1024 * 1024;
/** Longest the exit flush may wait for a full socket buffer to drain. */
const EXIT_WRITE_BUDGET_MS = 1000;

export class Channel {
  private readonly socket: net.Socket;
  /** Events in order; a number n stands for the next n rows of `steps`. */
  private queue: Array<RunnerEvent | number> = [];
  private readonly steps = new StepRows();
  private connected = false;
  /** Bytes a descriptor write could not hand over yet (a line may be cut): they go out first. */
  private unsent: Buffer | null = null;
  private closed = false;
  private droppedBatches = 0;

  /** `onLost` runs once if the socket fails; the caller disables instrumentation. */
  constructor(socketPath: string, private readonly onLost: (reason: string) => void) {
    this.socket = net.createConnection(socketPath);
    this.socket.unref(); // never keeps the user's process alive
    this.socket.on('connect', () => {
      this.connected = true;
      if (this.unsent) this.socket.write(this.unsent);
      this.unsent = null;
      this.flush();
    });
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.lose(`socket ${socketPath}: ${error.code ?? error.message}`));
  }

  send(event: RunnerEvent): void {
    if (!this.closed) this.queue.push(event);
  }

  /** Queues a `step` event; the record is copied. */
  sendStep(step: StepRecord): void {
    if (this.closed) return;
    this.steps.push(step);
    const last = this.queue.length - 1;
    if (typeof this.queue[last] === 'number') (this.queue[last] as number)++;
    else this.queue.push(1);
  }

  flush(): void {
    if (this.closed || this.queue.length === 0) return;
    if ((this.connected ? this.socket.writableLength : (this.unsent?.length ?? 0)) > MAX_BACKLOG_BYTES) {
      this.droppedBatches++;
      this.clear();
      return;
    }
    if (this.droppedBatches > 0) {
      const message = `trainlens: dropped ${this.droppedBatches} event batches: the host did not keep up`;
      this.queue.unshift({ type: 'log', level: 'warn', message });
      this.droppedBatches = 0;
    }
    if (!this.connected) {
      this.writeToDescriptor();
      return;
    }
    this.socket.write(this.encoded());
    this.clear();
  }

  /** Before 'connect': a non-blocking write of the batch on the descriptor (see the file comment). */
  private writeToDescriptor(): void {
    const fd = this.descriptor();
    if (fd === null) return; // it waits for 'connect'
    const batch = Buffer.from(this.encoded());
    this.clear();
    const data = this.unsent ? Buffer.concat([this.unsent, batch]) : batch;
    let offset = 0;
    try {
      while (offset < data.length) offset += fs.writeSync(fd, data, offset);
    } catch {
      // Full (EAGAIN), or not connected after all: the rest waits for the next flush or 'connect';
      // a lost socket says so through its 'error' event.
    }
    this.unsent = offset < data.length ? data.subarray(offset) : null;
  }

  /** The socket's descriptor, connected since createConnection, while nothing waits in the stream. */
  private descriptor(): number | null {
    const fd = (this.socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
    return typeof fd === 'number' && fd >= 0 && this.socket.writableLength === 0 ? fd : null;
  }

  /** Last write at process exit; see the file comment. */
  flushSync(): void {
    if (this.closed || (this.queue.length === 0 && this.unsent === null)) return;
    const batch = Buffer.from(this.encoded());
    const data = this.unsent ? Buffer.concat([this.unsent, batch]) : batch;
    this.clear();
    this.unsent = null;
    const fd = this.descriptor();
    if (fd !== null) {
      const failure = writeAllSync(fd, data);
      if (failure !== null) this.lose(`socket write at exit: ${failure}`);
    } else if (this.connected) {
      this.socket.write(data);
    }
  }

  /** Ends the connection after what was already handed to the socket (the exit flush included). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clear();
    this.socket.end();
  }

  private encoded(): string {
    let text = '';
    let row = 0;
    for (const item of this.queue) {
      if (typeof item !== 'number') {
        text += encodeLine(item);
        continue;
      }
      text += this.steps.encode(row, row + item);
      row += item;
    }
    return text;
  }

  private clear(): void {
    this.queue = [];
    this.steps.clear();
  }

  private lose(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.clear();
    this.socket.destroy();
    this.onLost(reason);
  }
}

/** Returns null when all was written, else why not. */
function writeAllSync(fd: number, data: Buffer): string | null {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + EXIT_WRITE_BUDGET_MS;
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += fs.writeSync(fd, data, offset);
    } catch (error) {
      // The descriptor is non-blocking: wait a moment for the host to read, but never hang the exit.
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      if (code !== 'EAGAIN') return code;
      if (Date.now() > deadline) return 'the host did not read in time';
      Atomics.wait(pause, 0, 0, 1);
    }
  }
  return null;
}
