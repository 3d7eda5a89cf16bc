/**
 * Runs the corpus's scripts as a user would, in a fresh working directory with local data, under
 * `trainlens record` (the built CLI) and, for the truth, under the tests' own clock or sampler.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../../src/core/summary';
import { CLI, REPO, TORCH_PYTHON, parseSummary, runCli, tempDir } from '../integration/cli-harness';
import type { LineTimes, TorchClock } from './truth';

export const CORPUS = path.join(REPO, 'test', 'realworld');
const TRUTH_RUN = path.join(CORPUS, 'truth', 'truth_run.py');
const MAKE_DATA = path.join(CORPUS, 'data', 'make_data.py');

export function corpusFile(...parts: string[]): string {
  return path.join(CORPUS, ...parts);
}

/** A scratch directory the script runs in: its outputs (checkpoints, images, models) land there. */
export function workspace(name: string): string {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: build first (node esbuild.js)`);
  return tempDir(`trainlens-realworld-${name}-`);
}

/** truth/../data/make_data.py: a data set in the on-disk format the script reads. */
export function makeData(kind: string, ...args: (string | number)[]): void {
  const run = spawnSync(TORCH_PYTHON, [MAKE_DATA, kind, ...args.map(String)], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
}

export interface Recorded {
  summary: RunSummary;
  /** What the script printed (with --json the CLI passes it on stderr). */
  output: string;
}

/** `trainlens record --json [flags] -- <command>` in `cwd`; the run must complete. */
export function record(command: string[], cwd: string, env: NodeJS.ProcessEnv = process.env, flags: string[] = []): Recorded {
  const out = path.join(cwd, '.trainlens-runs');
  const run = runCli(['record', '--json', '--out', out, ...flags, '--', ...command], { cwd, env });
  assert.equal(run.code, 0, `${command.join(' ')} exited ${run.code}:\n${run.stderr.slice(-4000)}`);
  const summary = parseSummary(run.stdout);
  assert.ok(summary, `no summary on stdout:\n${run.stdout.slice(-2000)}`);
  return { summary, output: run.stderr };
}

/**
 * A PyTorch script recorded by TrainLens while the tests' own clock and line sampler
 * (truth/truth_run.py) time the same run from inside the process: both measure the very execution
 * TrainLens measures, so run-to-run noise cannot tell them apart. Their hooks and signal handler
 * are library code to TrainLens (pseudo-filename), and the sampler's SIGALRM is one more signal
 * handler of the script's own, which the runner must live with anyway.
 */
export function recordWithTruth(script: string, args: string[], cwd: string, flags: string[] = []): Recorded & { clock: TorchClock; lines: LineTimes } {
  const clockFile = path.join(cwd, 'truth-clock.json');
  const linesFile = path.join(cwd, 'truth-lines.json');
  // 1,000 samples a second: on a fast machine some of these runs train for well under a second,
  // and the default 50 Hz would leave TrainLens's line shares a few dozen samples (see assertTopLine).
  const recorded = record([TORCH_PYTHON, TRUTH_RUN, '--out', clockFile, '--lines', linesFile, script, ...args], cwd, process.env, ['--sample-hz', '1000', ...flags]);
  return { ...recorded, clock: readJson<TorchClock>(clockFile), lines: readJson<LineTimes>(linesFile) };
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Lines of `output` that match `pattern`. */
export function linesMatching(output: string, pattern: RegExp): RegExpMatchArray[] {
  return output.split('\n').flatMap((line) => {
    const match = line.match(pattern);
    return match ? [match] : [];
  });
}

/** 1-based number of the only line of `file` containing `marker`. */
export function lineNumberOf(file: string, marker: string): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const found = lines.flatMap((text, i) => (text.includes(marker) ? [i + 1] : []));
  assert.equal(found.length, 1, `${marker} in ${file}: lines ${found.join(', ')}`);
  return found[0]!;
}
