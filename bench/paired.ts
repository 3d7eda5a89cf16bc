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
  /** Median of plain/recorded throughput per pair: 1.01 means 1% slower under TrainLens. */
  ratio: number;
  /** Median over the recorded runs; null when they ran too few steps to tell. */
  recordingBytesPerMin: number | null;
}

export function scriptThroughput(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const run = spawnSync(command, args, { cwd: REPO, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const result = scriptResultOf(`${run.stdout}\n${run.stderr}`);
  if (run.status !== 0 || !result) throw new Error(`${command} ${args.join(' ')} failed (${run.status}):\n${run.stderr.slice(-2000)}`);
  return result.batchesPerSec;
}

/** `command` is the plain command line; the recorded run is `trainlens record -- command`; both run with `env`. */
export function pairedOverhead(label: string, command: string[], pairs: number, env: NodeJS.ProcessEnv = process.env): PairedResult {
  const [exe, ...args] = command as [string, ...string[]];
  const plain: number[] = [];
  const recorded: number[] = [];
  const growth: number[] = [];
  const runRecorded = (): void => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-bench-'));
    recorded.push(scriptThroughput(process.execPath, [CLI, 'record', '--out', out, '--', ...command], env));
    const [run] = fs.readdirSync(out);
    const bytesPerMin = run ? recordingBytesPerMin(path.join(out, run, EVENTS_FILE)) : null;
    if (bytesPerMin !== null) growth.push(bytesPerMin);
    fs.rmSync(out, { recursive: true, force: true });
  };
  for (let i = 0; i < pairs; i++) {
    // Alternate which goes first so neither side always runs on a warmer machine.
    const runPlain = () => plain.push(scriptThroughput(exe, args, env));
    if (i % 2 === 0) {
      runPlain();
      runRecorded();
    } else {
      runRecorded();
      runPlain();
    }
  }
  const ratios = plain.map((p, i) => p / (recorded[i] as number));
  return { label, plain, recorded, ratio: median(ratios) ?? NaN, recordingBytesPerMin: median(growth) };
}

export function formatPaired(result: PairedResult): string {
  const fmt = (values: number[]) => values.map((v) => v.toFixed(1)).join(', ');
  const growth = result.recordingBytesPerMin === null ? '' : `; recording ${(result.recordingBytesPerMin / 1024).toFixed(0)} KB/min`;
  return `${result.label}: overhead ratio ${result.ratio.toFixed(3)} over ${result.plain.length} pairs (plain ${fmt(result.plain)} | recorded ${fmt(result.recorded)} batches/s)${growth}`;
}
