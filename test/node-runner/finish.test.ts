/**
 * NodeRunner.finish() in the test's own process: the run ends as at the process's exit (last steps,
 * `bye`), and every hook of ours comes out, so a runner started afterwards starts from scratch
 * (bench/shapes/node_runner_cost.ts starts and finishes one per pair of segments).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Module from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { decodeRunnerLine } from '../../src/protocol/decode';
import { PROTOCOL_VERSION, type RunnerEvent } from '../../src/protocol/events';
import { LineSplitter } from '../../src/protocol/framing';
import { NodeRunner } from '../../src/runners/node/runner';
import { isWrapped, WRAPPED } from '../../src/runners/node/wrap';

type Tf = typeof import('@tensorflow/tfjs');
const loader = Module as unknown as { _load: unknown; _resolveFilename: unknown };
const STEPS = 20;

/** The host's end: run(n) is the events of the n-th connection, once it has closed. */
function host(socket: string): { server: net.Server; run: (n: number) => Promise<RunnerEvent[]> } {
  const closed: Array<(events: RunnerEvent[]) => void> = [];
  const runs = [0, 1].map((n) => new Promise<RunnerEvent[]>((resolve) => (closed[n] = resolve)));
  let connections = 0;
  const server = net.createServer((connection) => {
    const done = closed[connections++];
    const events: RunnerEvent[] = [];
    const splitter = new LineSplitter((line) => {
      const decoded = decodeRunnerLine(line);
      assert.ok(decoded.ok, line);
      events.push(decoded.event);
    });
    connection.on('data', (chunk: Buffer) => splitter.push(chunk));
    connection.on('close', () => (splitter.end(), done?.(events)));
  });
  server.listen(socket);
  return { server, run: (n) => runs[n] as Promise<RunnerEvent[]> };
}

/** What the process looks like without a runner: the things a runner replaces or adds to. */
function processState(tf: Tf) {
  return {
    load: loader._load,
    resolve: loader._resolveFilename,
    trainOnBatch: tf.LayersModel.prototype.trainOnBatch,
    fit: tf.LayersModel.prototype.fit,
    minimize: tf.Optimizer.prototype.minimize,
    exitListeners: process.listenerCount('exit'),
    monitors: process.listenerCount('uncaughtExceptionMonitor'),
  };
}

describe('node runner: finish() in-process', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-finish-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('sends the last steps and bye, puts back every hook, and a second runner hooks tfjs once, as the first did', async () => {
    const socket = path.join(dir, 'run.sock');
    const { server, run } = host(socket);
    const tf = require('@tensorflow/tfjs') as Tf;
    const plain = processState(tf);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const [xs, ys] = [tf.randomNormal([8, 4]), tf.randomNormal([8, 1])];
    try {
      for (let round = 0; round < 2; round++) {
        const runner = new NodeRunner({ socket, token: 'tok-finish', sampleHz: 1000, flushMs: 50 });
        // As a script's own load does: resolving a module puts the load hook in, the next load of
        // tfjs (cached here) goes through it.
        require.resolve('@tensorflow/tfjs');
        require('@tensorflow/tfjs');
        const trainOnBatch = tf.LayersModel.prototype.trainOnBatch as unknown as Record<symbol, unknown>;
        assert.ok(isWrapped(trainOnBatch), `round ${round}: trainOnBatch hooked`);
        assert.equal(trainOnBatch[WRAPPED], plain.trainOnBatch, `round ${round}: one wrapper, around tfjs's own method`);
        assert.equal(process.listenerCount('exit'), plain.exitListeners + 1);
        for (let i = 0; i < STEPS; i++) await model.trainOnBatch(xs, ys);
        runner.finish(0);
        assert.deepEqual(processState(tf), plain, `round ${round}: the process as before the runner`);
        const events = await run(round);
        assert.equal(events[0]?.type, 'hello');
        assert.equal(events.filter((e) => e.type === 'step').length, STEPS);
        assert.deepEqual(events.at(-1), { type: 'bye', exitCode: 0, reason: 'exit', steps: STEPS });
        for (let i = 0; i < 3; i++) await model.trainOnBatch(xs, ys); // untouched by us now
      }
    } finally {
      tf.dispose([xs, ys]);
      model.dispose();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a host that hangs up turns instrumentation off through the same stop: one warning, every hook out', async () => {
    const socket = path.join(dir, 'hangs-up.sock');
    const server = net.createServer((connection) => connection.destroy());
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    const tf = require('@tensorflow/tfjs') as Tf;
    const plain = processState(tf);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const [xs, ys] = [tf.randomNormal([8, 4]), tf.randomNormal([8, 1])];
    const warnings: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((text: string) => (warnings.push(String(text)), true)) as typeof process.stderr.write;
    try {
      new NodeRunner({ socket, token: 'tok-finish', sampleHz: 1000, flushMs: 50 });
      require.resolve('@tensorflow/tfjs');
      require('@tensorflow/tfjs');
      assert.ok(isWrapped(tf.LayersModel.prototype.trainOnBatch), 'hooked while the host is there');
      // Steps until the socket's loss reaches the runner (a turn of the event loop between them).
      for (let i = 0; i < 500 && isWrapped(tf.LayersModel.prototype.trainOnBatch); i++) {
        await model.trainOnBatch(xs, ys);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      process.stderr.write = write;
      tf.dispose([xs, ys]);
      model.dispose();
      await new Promise((resolve) => server.close(resolve));
    }
    assert.deepEqual(processState(tf), plain);
    assert.equal(warnings.length, 1, warnings.join(''));
    assert.match(warnings[0]!, /^trainlens: instrumentation disabled: socket /);
  });
});
