/**
 * The per-run channel: a Unix domain socket in a private (0700) temp directory, socket file 0600.
 * A connection's first line must be a `hello` with this run's token and protocol version, or the
 * connection is dropped. After that, malformed or unknown lines are dropped and counted, never
 * fatal; so are a `lines` event's bad entries, while its good ones are delivered.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BAD_LINES_ENTRY, decodeRunnerLine, LineSplitter, PROTOCOL_VERSION, type RejectReason, type RunnerEvent } from '../../protocol';
import type { HelloEvent } from '../../protocol/events';

export type DropReason = RejectReason | 'bad-token' | 'bad-version' | 'too-long' | typeof BAD_LINES_ENTRY;

export interface ChannelListener {
  /**
   * Accepted events of one data chunk, in order (lets the recorder write them in one go), with the
   * hello of the connection they came on: a distributed job's ranks each connect on their own.
   */
  onEvents(events: RunnerEvent[], sender: HelloEvent): void;
  /** `count` things dropped for one reason: a whole line, or a delivered `lines` event's bad entries. */
  onDrop(reason: DropReason, detail: string, count: number): void;
}

export class RunChannel {
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly dir: string,
    readonly socketPath: string,
    readonly token: string,
    private readonly server: net.Server,
  ) {}

  static async open(listener: ChannelListener): Promise<RunChannel> {
    // mkdtemp creates the directory 0700: only our user can reach the socket inside it.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'trainlens-'));
    const socketPath = path.join(dir, 'ipc.sock');
    const token = randomBytes(16).toString('hex');
    const server = net.createServer();
    const channel = new RunChannel(dir, socketPath, token, server);
    server.on('connection', (socket) => channel.accept(socket, listener));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    await fs.chmod(socketPath, 0o600);
    server.unref();
    return channel;
  }

  /** Runner connections still open (the runner closes its side when it has sent everything). */
  get openConnections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  private accept(socket: net.Socket, listener: ChannelListener): void {
    this.sockets.add(socket);
    let hello: HelloEvent | undefined;
    let batch: RunnerEvent[] = [];
    const splitter = new LineSplitter(
      (line) => {
        if (socket.destroyed) return;
        const decoded = decodeRunnerLine(line);
        if (!hello) {
          const first = decoded.ok ? decoded.event : undefined;
          const refusal = this.checkHello(first);
          if (refusal || first?.type !== 'hello') {
            if (refusal) listener.onDrop(refusal.reason, refusal.detail, 1);
            socket.destroy();
            return;
          }
          hello = first;
        }
        if (!decoded.ok) return listener.onDrop(decoded.reason, decoded.detail, 1);
        batch.push(decoded.event);
        if (decoded.dropped) listener.onDrop(BAD_LINES_ENTRY, decoded.dropped.detail, decoded.dropped.count);
      },
      () => listener.onDrop('too-long', 'line over the size limit', 1),
    );
    const deliver = (): void => {
      if (batch.length === 0 || !hello) return;
      const events = batch;
      batch = [];
      listener.onEvents(events, hello);
    };
    socket.on('data', (chunk: Buffer) => {
      splitter.push(chunk);
      deliver();
    });
    socket.on('end', () => {
      splitter.end();
      deliver();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private checkHello(event: RunnerEvent | undefined): { reason: DropReason; detail: string } | undefined {
    if (!event || event.type !== 'hello') return { reason: 'bad-token', detail: 'first message was not a hello' };
    if (!sameToken(event.token, this.token)) return { reason: 'bad-token', detail: 'wrong token' };
    if (event.v !== PROTOCOL_VERSION) {
      return { reason: 'bad-version', detail: `runner speaks protocol v${event.v}, this TrainLens speaks v${PROTOCOL_VERSION}: reinstall so both come from one version` };
    }
    return undefined;
  }
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
