/**
 * What benches that drive the Node runner in their own process (node_runner_cost.ts,
 * node_runner_instructions.ts) need: the runner as the preload bundles it (esbuild makes one file of
 * it, as of dist/preload.js, so its own files are "ours" to the line sampler, not the user's), its
 * hooks put on tfjs, and a process that drains its socket as the host does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import type { NodeRunner } from '../../src/runners/node/runner';
import type { LineSampler } from '../../src/runners/node/sampler';
import type { UserCode } from '../../src/runners/node/frames';
import { REPO } from '../paired';

type Tf = typeof import('@tensorflow/tfjs');

/** The runner's modules, with what a bench needs to drive them. */
const BUNDLE_ENTRY = `
export { NodeRunner } from './runner';
export { LineSampler } from './sampler';
export { UserCode } from './frames';
`;

export interface RunnerBundle {
  NodeRunner: typeof NodeRunner;
  LineSampler: typeof LineSampler;
  UserCode: typeof UserCode;
  /** The bundle's file: the runner's own code, for UserCode. */
  file: string;
}

/** Bundles the runner into `dir` and loads it. */
export function bundleRunner(dir: string): RunnerBundle {
  const outfile = path.join(dir, 'runner.js');
  buildSync({
    stdin: { contents: BUNDLE_ENTRY, resolveDir: path.join(REPO, 'src', 'runners', 'node'), loader: 'ts', sourcefile: 'bench-runner.ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    outfile,
    logLevel: 'warning',
  });
  return { ...(require(outfile) as Omit<RunnerBundle, 'file'>), file: outfile };
}

/** The runner's hooks go on tfjs as at a script's start: a file resolution puts the Module._load
 * hook in, and a load of tfjs (cached here, the shape loaded it) goes through it. */
export function hookTfjs(tf: Tf): void {
  require.resolve('@tensorflow/tfjs');
  require('@tensorflow/tfjs');
  const hooked = Object.getOwnPropertySymbols(tf.LayersModel.prototype.trainOnBatch).some((s) => s.description === 'trainlens.wrapped');
  if (!hooked) throw new Error('the runner did not hook tfjs');
}

const READER_START_MS = 10_000;
/** Drains the run socket as the host does, one connection after another. */
const READER = `
const net = require('node:net');
net.createServer((connection) => connection.on('data', () => {})).listen(process.argv[1]);
`;

/** The draining process, listening at `socket` once this resolves; on `core` when given. */
export async function socketReader(socket: string, core: string | null): Promise<ChildProcess> {
  const command = [...(core !== null ? ['taskset', '-c', core] : []), process.execPath, '-e', READER, socket];
  const child = spawn(command[0]!, command.slice(1), { stdio: 'ignore' });
  const deadline = Date.now() + READER_START_MS;
  while (!fs.existsSync(socket)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error('the socket reader did not start');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return child;
}
