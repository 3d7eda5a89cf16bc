/**
 * Runs a real Node process under the preload: a private Unix socket server (temp dir, mode 0700),
 * the command planned by planNodeLaunch, every received line decoded with the protocol's decoder.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { planNodeLaunch } from '../../src/host/launch/node';
import { RUNNER_OPTIONS_ENV, type RunnerOptions } from '../../src/host/launch/plan';
import { decodeRunnerLine } from '../../src/protocol/decode';
import { PROTOCOL_VERSION, type RunnerEvent, type StageName, type StepEvent } from '../../src/protocol/events';
import { LineSplitter } from '../../src/protocol/framing';
import { scriptResultOf, type ScriptResult } from '../script-result';

export const REPO = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(REPO, 'test', 'fixtures', 'node-runner');
export const EXAMPLES = path.join(REPO, 'examples', 'tfjs');
export const TOKEN = 'tok-node-runner';

export interface RunResult {
  events: RunnerEvent[];
  /** Date.now() when each event arrived, by index into `events`. */
  arrivedAtMs: number[];
  exitedAtMs: number;
  /** Lines the decoder rejected, with the reason. */
  rejected: string[];
  connections: number;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Date.now() when the test killed the run (killAfterMs). */
  killedAtMs?: number;
}

/** A private directory with a freshly built preload.js, like dist/ but owned by the test. */
export function makeRunnersDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-node-runner-'));
  fs.chmodSync(dir, 0o700);
  buildSync({
    entryPoints: [path.join(REPO, 'src', 'runners', 'node', 'preload.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    outfile: path.join(dir, 'preload.js'),
    logLevel: 'warning',
  });
  return dir;
}

/** The environment a user would have: none of our variables. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env[RUNNER_OPTIONS_ENV];
  if (!('NODE_OPTIONS' in extra)) delete env.NODE_OPTIONS;
  return env;
}

export async function runInstrumented(
  runnersDir: string,
  argv: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; sampleHz?: number; longRun?: RunnerOptions['longRun']; socket?: string; killAfterMs?: number } = {},
): Promise<RunResult> {
  const cwd = options.cwd ?? REPO;
  const socket = options.socket ?? path.join(runnersDir, `run-${process.pid}-${Date.now()}.sock`);
  const result: RunResult = { events: [], arrivedAtMs: [], exitedAtMs: NaN, rejected: [], connections: 0, exitCode: null, stdout: '', stderr: '' };
  const closed: Promise<void>[] = [];
  const server = net.createServer((connection) => {
    result.connections++;
    const splitter = new LineSplitter((line) => {
      const decoded = decodeRunnerLine(line);
      if (decoded.ok) {
        result.events.push(decoded.event);
        result.arrivedAtMs.push(Date.now());
      }
      else result.rejected.push(`${decoded.reason}: ${decoded.detail}: ${line.slice(0, 200)}`);
    });
    connection.on('data', (chunk: Buffer) => splitter.push(chunk));
    closed.push(new Promise((resolve) => connection.on('close', () => (splitter.end(), resolve()))));
  });
  if (options.socket === undefined) await new Promise<void>((resolve) => server.listen(socket, resolve));
  const plan = planNodeLaunch(argv, {
    options: { v: PROTOCOL_VERSION, socket, token: TOKEN, sampleHz: options.sampleHz ?? 1000, longRun: options.longRun, flushMs: 250 },
    runnersDir,
    cwd,
    env: options.env ?? cleanEnv(),
  });
  const child = spawn(plan.command, plan.args, { cwd, env: plan.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (options.killAfterMs !== undefined) {
    const timer = setTimeout(() => ((result.killedAtMs = Date.now()), child.kill('SIGKILL')), options.killAfterMs);
    child.on('exit', () => clearTimeout(timer));
  }
  child.stdout.on('data', (chunk: Buffer) => (result.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (result.stderr += chunk.toString()));
  result.exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  result.exitedAtMs = Date.now();
  await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 2000))]);
  await new Promise((resolve) => server.close(resolve));
  return result;
}

/** Runs the same command without us, for comparing exit code and output. */
export async function runPlain(argv: string[], cwd = REPO): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const [command, ...args] = argv as [string, ...string[]];
  const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { exitCode, stdout, stderr };
}

export function eventsOf<T extends RunnerEvent['type']>(run: RunResult, type: T): Extract<RunnerEvent, { type: T }>[] {
  return run.events.filter((e): e is Extract<RunnerEvent, { type: T }> => e.type === type);
}

/** The script's own SCRIPT_RESULT line. */
export function scriptResult(run: { stdout: string }): ScriptResult {
  const result = scriptResultOf(run.stdout);
  if (!result) throw new Error(`no SCRIPT_RESULT in stdout:\n${run.stdout.slice(-2000)}`);
  return result;
}

/** Steps after the first 2 over the sum of their wall time, as the scripts measure themselves. */
export function batchesPerSec(steps: StepEvent[]): number {
  const steady = steps.slice(2);
  return (steady.length / steady.reduce((sum, s) => sum + s.ms, 0)) * 1000;
}

export function stageShare(steps: StepEvent[], stage: StageName): number {
  const steady = steps.slice(2);
  return steady.reduce((sum, s) => sum + (s.stages[stage] ?? 0), 0) / steady.reduce((sum, s) => sum + s.ms, 0);
}

/** User lines by sample count over the whole run, highest first. */
export function topLines(run: RunResult): { file: string; line: number; count: number; stages: Record<string, number> }[] {
  const byLine = new Map<string, { file: string; line: number; count: number; stages: Record<string, number> }>();
  for (const batch of eventsOf(run, 'lines')) {
    for (const entry of batch.entries) {
      const key = `${entry.file}:${entry.line}`;
      const row = byLine.get(key) ?? { file: entry.file, line: entry.line, count: 0, stages: {} };
      row.count += entry.count;
      row.stages[entry.stage] = (row.stages[entry.stage] ?? 0) + entry.count;
      byLine.set(key, row);
    }
  }
  return [...byLine.values()].sort((a, b) => b.count - a.count);
}

/** 1-based line of the first line containing `marker`. */
export function lineOf(file: string, marker: string): number {
  const index = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(marker));
  if (index < 0) throw new Error(`${marker} not in ${file}`);
  return index + 1;
}
