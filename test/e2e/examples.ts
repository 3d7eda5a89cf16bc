/** The example scripts the e2e tests run (paths relative to the workspace copy of examples/). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { workspaceFile } from './environment';

export const INPUT_BOUND = 'pytorch/input_bound.py';
/** ~20 ms a step: a run of ~8 s, long enough to watch live, short enough for CI. */
export const INPUT_BOUND_ARGS = ['--steps', '400'];

/**
 * A copy of test/python/scripts/parallel_loader.py that setup.ts puts next to input_bound.py: the
 * same dataset and loop behind a DataLoader with `--workers N` worker processes.
 */
export const PARALLEL_LOADER = 'pytorch/parallel_loader.py';

/** 1-based number of the first line matching `pattern` in a workspace file. */
export function lineOf(relative: string, pattern: RegExp): number {
  const index = fs.readFileSync(workspaceFile(relative), 'utf8').split('\n').findIndex((line) => pattern.test(line));
  assert.ok(index >= 0, `${relative} has a line matching ${String(pattern)}`);
  return index + 1;
}

/** The tfjs example to profile: the input-bound one when there is one, else the first script. */
export function tfjsExample(): string | undefined {
  const dir = workspaceFile('tfjs');
  if (!fs.existsSync(dir)) return undefined;
  const scripts = fs.readdirSync(dir).filter((name) => /\.(js|mjs|cjs)$/.test(name) && !name.startsWith('_')).sort();
  const chosen = scripts.find((name) => name.startsWith('input_bound')) ?? scripts[0];
  return chosen === undefined ? undefined : path.posix.join('tfjs', chosen);
}
