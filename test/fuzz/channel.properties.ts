/**
 * The host's end of the IPC socket (host/ipc/run-channel.ts), fed over a real Unix socket: after
 * a good hello, every line the runner sends is delivered as an event or dropped with a reason,
 * none lost and none fatal, however the bytes are cut into writes. (A delivered `lines` event's
 * bad entries are dropped and counted too; that is not a dropped line.)
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { RunChannel } from '../../src/host/ipc/run-channel';
import { BAD_LINES_ENTRY } from '../../src/protocol/decode';
import type { FuzzTarget } from './fuzz-budget';
import { anyValidEvent, mangledLine } from './wire-arbitraries';

function hello(token: string): string {
  return JSON.stringify({ type: 'hello', v: 1, token, runner: 'python', pid: 1, runtime: 'x', script: '/a.py', argv: [], cwd: '/', sampleHz: 100, timeOriginMs: 0 });
}

async function sendInChunks(socketPath: string, bytes: Buffer, cuts: readonly number[]): Promise<void> {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  await new Promise<void>((resolve) => {
    const socket = net.createConnection(socketPath, () => {
      let from = 0;
      for (const to of [...at, bytes.length]) {
        socket.write(bytes.subarray(from, to));
        from = to;
      }
      socket.end();
    });
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}

const runnerLine = fc.oneof(anyValidEvent.map((e) => JSON.stringify(e)), mangledLine.map((b) => b.toString('utf8').replace(/\n/g, ' ')));

export const CHANNEL: FuzzTarget = {
  parser: 'IPC channel over a real socket (run-channel.ts)',
  properties: [
    {
      name: 'every line after the hello is delivered or dropped with a reason, however the writes cut it',
      property: () =>
        fc.asyncProperty(fc.array(runnerLine, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), async (lines, cuts) => {
          let delivered = 0;
          const reasons: string[] = [];
          const onDrop = (reason: string): void => void (reason !== BAD_LINES_ENTRY && reasons.push(reason));
          const channel = await RunChannel.open({ onEvents: (events) => (delivered += events.length), onDrop });
          try {
            const body = lines.filter((l) => l.trim() !== '');
            const ended = new Promise<void>((resolve) => {
              const poll = setInterval(() => {
                if (delivered + reasons.length < body.length + 1) return;
                clearInterval(poll);
                resolve();
              }, 2);
              setTimeout(() => (clearInterval(poll), resolve()), 2000);
            });
            await sendInChunks(channel.socketPath, Buffer.from([hello(channel.token), ...lines, ''].join('\n')), cuts);
            await ended;
            assert.equal(delivered + reasons.length, body.length + 1, `${delivered} delivered + ${reasons.length} dropped for ${body.length} lines and the hello`);
            for (const reason of reasons) assert.ok(['malformed', 'unknown-type', 'invalid'].includes(reason), reason);
          } finally {
            await channel.close();
          }
        }),
    },
  ],
};
