/**
 * Overhead of the Node runner at its default 100 Hz sampling (V8's CPU profiler): the tfjs examples
 * (steps of 5 ms and more, target ≤ 1.01) and the runner-cost issue's tfjs shape, a trainOnBatch
 * loop of a tiny model (~0.5 ms steps, target ≤ 1.02), plus that loop's per-step main-thread cost
 * of the runner's hooks measured inside one recorded process (target ≤ 5 µs a step).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scriptResultOf } from '../test/script-result';
import { CLI, formatPaired, pairedOverhead, REPO } from './paired';

const PAIRS = Number(process.env.TRAINLENS_BENCH_PAIRS ?? 5);
const FIXTURES = path.join(REPO, 'test', 'fixtures', 'node-runner');
/** Alternating hooked/plain blocks in the hook-cost run, 100 steps each (~12 ms): ~8 s in all. */
const HOOK_COST_PAIRS = 300;

// Runs of ~8 s: a 2 s run varies by ±5% on its own, too coarse to resolve a 1% overhead.
const RUNS: Array<{ label: string; script: string; args: string[]; target: number }> = [
  { label: 'compute_bound.js', script: path.join(REPO, 'examples', 'tfjs', 'compute_bound.js'), args: ['--steps', '400'], target: 1.01 },
  { label: 'io_bound.js', script: path.join(REPO, 'examples', 'tfjs', 'io_bound.js'), args: [], target: 1.01 },
  { label: 'tiny trainOnBatch steps (tiny_steps.js)', script: path.join(FIXTURES, 'tiny_steps.js'), args: ['8'], target: 1.02 },
];

/** hook_cost.js under `trainlens record`: the median per-step difference, hooks in place or not. */
function hookCost(): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-bench-'));
  try {
    const command = ['record', '--out', out, '--', process.execPath, path.join(FIXTURES, 'hook_cost.js'), String(HOOK_COST_PAIRS)];
    const run = spawnSync(process.execPath, [CLI, ...command], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const result = scriptResultOf(`${run.stdout}\n${run.stderr}`);
    if (run.status !== 0 || !result) throw new Error(`hook_cost.js failed (${run.status}):\n${run.stderr.slice(-2000)}`);
    const { hookCpuUsPerStep: cpu, hookWallUsPerStep: wall, plainCpuUsPerStep: plain, pairs, block } = result as Record<string, number>;
    return (
      `per-step cost of the hooks on tiny trainOnBatch steps: ${cpu?.toFixed(2)} µs CPU (the step itself ${plain?.toFixed(0)} µs), ${wall?.toFixed(2)} µs wall; ` +
      `medians over ${pairs} alternating pairs of ${block}-step blocks in one recorded process; target ≤ 5 µs`
    );
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

export async function runNodeRunnerBench(): Promise<string[]> {
  const lines = ['Node runner overhead (plain / recorded throughput, median of alternating pairs)'];
  for (const run of RUNS) {
    lines.push(`  ${formatPaired(pairedOverhead(run.label, [process.execPath, run.script, ...run.args], PAIRS))}; target ≤ ${run.target.toFixed(2)}`);
  }
  lines.push(`  ${hookCost()}`);
  return lines;
}

if (require.main === module) void runNodeRunnerBench().then((lines) => console.log(lines.join('\n')));
