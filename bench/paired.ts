/**
 * Paired overhead measurement: the same script run plainly and under TrainLens, alternating, each
 * run's throughput taken from the script's own SCRIPT_RESULT line. Alternation cancels drift
 * (thermal, other load); the median of per-pair ratios resists outliers. Each recorded run's
 * recording is measured too: how fast it grew per minute of training.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from '../src/core/stats';
import { EVENTS_FILE } from '../src/host/recording/recording-writer';
import { scriptResultOf } from '../test/script-result';
import { recordingBytesPerMin } from './recording-growth';

export const REPO = path.resolve(__dirname, '..');
export const CLI = path.join(REPO, 'dist', 'cli.js');

export interface PairedResult {
  label: string;
  plain: number[];
  recorded: number[];
  /** plain/recorded throughput of each pair. */
  ratios: number[];
  /** Their median: 1.01 means 1% slower under TrainLens. */
  ratio: number;
  pinned: boolean;
  /** Median over the recorded runs; null when they ran too few steps to tell. */
  recordingBytesPerMin: number | null;
}

export function scriptThroughput(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const run = spawnSync(command, args, { cwd: REPO, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const result = scriptResultOf(`${run.stdout}\n${run.stderr}`);
  if (run.status !== 0 || !result) throw new Error(`${command} ${args.join(' ')} failed (${run.status}):\n${run.stderr.slice(-2000)}`);
  return result.batchesPerSec;
}

/**
 * Where a one-thread shape runs when pinned: the script (all its threads, the runner's sender
 * thread with the main one, so the runner's in-process work counts fully against the script) on
 * one core, TrainLens's host on another. Unpinned, the same plain run of fast_steps.py moved
 * 2,064-2,205 batches/s over six runs on the 2-core VM as the scheduler moved it; pinned,
 * 2,138-2,187. Null where there is no second core or no taskset.
 */
export function pinning(): { script: string; host: string } | null {
  const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
  return hasTaskset && os.availableParallelism() >= 2 ? { script: '1', host: '0' } : null;
}

/**
 * The recorded run's interpreter, pinned: a `python3` that runs the real one under taskset, since
 * `trainlens record` takes the interpreter itself as the command (and its children inherit the host's
 * core otherwise).
 */
function pinnedInterpreter(exe: string, core: string, dir: string): string {
  const shim = path.join(dir, path.basename(exe));
  fs.writeFileSync(shim, `#!/bin/sh\nexec taskset -c ${core} ${exe} "$@"\n`, { mode: 0o755 });
  return shim;
}

/**
 * `command` is the plain command line; the recorded run is `trainlens record -- command`; both run
 * with `env`, and pinned (see pinning) when `pin` and the machine allows.
 */
export function pairedOverhead(label: string, command: string[], pairs: number, env: NodeJS.ProcessEnv = process.env, pin = false): PairedResult {
  const [exe, ...args] = command as [string, ...string[]];
  const cores = pin ? pinning() : null;
  const shimDir = cores ? fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-bench-pin-')) : null;
  const recordedExe = cores && shimDir ? pinnedInterpreter(exe, cores.script, shimDir) : exe;
  const plain: number[] = [];
  const recorded: number[] = [];
  const growth: number[] = [];
  const runRecorded = (): void => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-bench-'));
    const record = [CLI, 'record', '--out', out, '--', recordedExe, ...args];
    recorded.push(cores ? scriptThroughput('taskset', ['-c', cores.host, process.execPath, ...record], env) : scriptThroughput(process.execPath, record, env));
    const [run] = fs.readdirSync(out);
    const bytesPerMin = run ? recordingBytesPerMin(path.join(out, run, EVENTS_FILE)) : null;
    if (bytesPerMin !== null) growth.push(bytesPerMin);
    fs.rmSync(out, { recursive: true, force: true });
  };
  for (let i = 0; i < pairs; i++) {
    // Alternate which goes first so neither side always runs on a warmer machine.
    const runPlain = () => plain.push(cores ? scriptThroughput('taskset', ['-c', cores.script, exe, ...args], env) : scriptThroughput(exe, args, env));
    if (i % 2 === 0) {
      runPlain();
      runRecorded();
    } else {
      runRecorded();
      runPlain();
    }
  }
  if (shimDir) fs.rmSync(shimDir, { recursive: true, force: true });
  const ratios = plain.map((p, i) => p / (recorded[i] as number));
  return { label, plain, recorded, ratios, ratio: median(ratios) ?? NaN, pinned: cores !== null, recordingBytesPerMin: median(growth) };
}

export function formatPaired(result: PairedResult): string {
  const fmt = (values: number[]) => values.map((v) => v.toFixed(1)).join(', ');
  const growth = result.recordingBytesPerMin === null ? '' : `; recording ${(result.recordingBytesPerMin / 1024).toFixed(0)} KB/min`;
  const sorted = [...result.ratios].sort((a, b) => a - b);
  const spread = `, pairs' ratios ${sorted[0]?.toFixed(3)}-${sorted.at(-1)?.toFixed(3)}`;
  const pinned = result.pinned ? ', script and host pinned to a core each' : '';
  return `${result.label}: overhead ratio ${result.ratio.toFixed(3)} over ${result.plain.length} pairs${spread}${pinned} (plain ${fmt(result.plain)} | recorded ${fmt(result.recorded)} batches/s)${growth}`;
}

/** The runner-cost issue's targets, by the step time measured here: ≤ 1.01 where steps take 5 ms or more, ≤ 1.02 below. */
export function targetFor(stepMs: number): number {
  return stepMs >= 5 ? 1.01 : 1.02;
}

/**
 * An in-run ratio's verdict: met when its whole 95% interval is within the target, MISSED when all
 * of it is above; `coverage`, where the interval's own coverage is known, below 0.95 resolves nothing.
 */
export function verdict(low: number, high: number, target: number, coverage = 0.95): string {
  if (coverage < 0.95) return 'not resolved (too few pairs for a 95% interval)';
  if (high <= target) return 'met';
  return low > target ? 'MISSED' : 'not resolved';
}

/** Each order's median beside the pooled one (in-run benches, where every other pair times its plain
 * segment first): how far the order alone moves a pair. */
export function byOrder(result: { ratioRecordedFirst: number; ratioPlainFirst: number | null }): string {
  return result.ratioPlainFirst === null ? '' : ` (recorded first ${result.ratioRecordedFirst.toFixed(3)}, plain first ${result.ratioPlainFirst.toFixed(3)})`;
}
