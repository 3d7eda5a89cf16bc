import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { RunChannel, type DropReason } from '../../src/host/ipc/run-channel';
import type { RunnerEvent } from '../../src/protocol/events';

function hello(token: string, v = 1): string {
  return JSON.stringify({ type: 'hello', v, token, runner: 'python', pid: 1, runtime: 'x', script: '/a.py', argv: [], cwd: '/', sampleHz: 100, timeOriginMs: 0 });
}

async function send(socketPath: string, text: string): Promise<void> {
  await new Promise<void>((resolve) => {
    const socket = net.createConnection(socketPath, () => socket.end(text));
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}

describe('RunChannel (real Unix socket)', () => {
  let channel: RunChannel;
  let events: RunnerEvent[];
  let drops: DropReason[];
  /** Each drop as the listener heard it: reason, how many things, why. */
  let dropped: Array<[DropReason, number, string]>;

  beforeEach(async () => {
    events = [];
    drops = [];
    dropped = [];
    channel = await RunChannel.open({
      onEvents: (e) => events.push(...e),
      onDrop: (reason, detail, count) => (drops.push(reason), dropped.push([reason, count, detail])),
    });
  });
  afterEach(() => channel.close());

  const settle = () => new Promise((r) => setTimeout(r, 50));

  it('creates an owner-only directory and socket', () => {
    assert.equal(fs.statSync(channel.dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(channel.socketPath).mode & 0o777, 0o600);
    assert.equal(path.dirname(channel.socketPath), channel.dir);
  });

  it('accepts events after a hello with the token; drops and counts garbage without failing', async () => {
    const step = JSON.stringify({ type: 'step', index: 0, t: 1, ms: 2, samples: 4, stages: { data: 1, other: 1 } });
    await send(channel.socketPath, [hello(channel.token), 'garbage', '{"type":"warp"}', '{"type":"step"}', step, ''].join('\n'));
    await settle();
    assert.deepEqual(events.map((e) => e.type), ['hello', 'step']);
    assert.deepEqual(drops.sort(), ['invalid', 'malformed', 'unknown-type']);
  });

  it("delivers a lines event's good entries and drops and counts its bad ones; one with no good entry is dropped whole", async () => {
    const entry = { file: '/w/train.py', line: 12, stage: 'data', count: 20 };
    const lines = (entries: unknown[]) => JSON.stringify({ type: 'lines', t: 1, periodMs: 250, samples: 30, entries });
    // The entry Python 3.11 sent: a sample on an instruction without a line of its own.
    const nullLine = { ...entry, line: null };
    const partial = lines([entry, nullLine, { ...entry, line: 13, count: 5 }, { ...entry, stage: 'warp' }]);
    await send(channel.socketPath, [hello(channel.token), partial, lines([nullLine]), ''].join('\n'));
    await settle();
    assert.deepEqual(events.map((e) => e.type), ['hello', 'lines']);
    assert.deepEqual(events[1]?.type === 'lines' && events[1].entries, [entry, { ...entry, line: 13, count: 5 }]);
    assert.deepEqual(dropped, [
      ['bad-lines-entry', 2, 'lines.entries: 2 bad entries dropped'],
      ['invalid', 1, 'lines.entries: all bad (1 entry)'],
    ]);
  });

  it('drops a connection whose first line has the wrong token, and everything after it', async () => {
    const step = JSON.stringify({ type: 'step', index: 0, t: 1, ms: 2, stages: {} });
    await send(channel.socketPath, [hello('not-the-token'), step, ''].join('\n'));
    await settle();
    assert.deepEqual(events, []);
    assert.deepEqual(drops, ['bad-token']);
  });

  it('refuses a runner from another protocol version with a clear reason', async () => {
    await send(channel.socketPath, hello(channel.token, 99) + '\n');
    await settle();
    assert.deepEqual(drops, ['bad-version']);
  });

  it('removes its private directory on close', async () => {
    await channel.close();
    assert.equal(fs.existsSync(channel.dir), false);
    channel = await RunChannel.open({ onEvents: () => undefined, onDrop: () => undefined });
  });
});
