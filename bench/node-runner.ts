/**
 * Overhead of the Node runner at its default 50 Hz sampling (V8's CPU profiler): the tfjs examples
 * (steps of 5 ms and more, target ≤ 1.01) and the runner-cost issue's tfjs shape, a trainOnBatch
 * loop of a tiny model (~0.5 ms steps, target ≤ 1.02), plus that loop's per-step main-thread cost
 * of the runner's hooks measured inside one recorded process (target ≤ 5 µs a step). Then the same
 * shapes in one process (bench/shapes/node_runner_cost.ts), whose neighbouring segments resolve
 * what whole runs cannot on a VM that drifts ±5-8% from run to run, and the V8 profiler's own cost
 * a sample.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scriptResultOf } from '../test/script-result';
import { DEFAULT_NODE_SAMPLE_HZ, longRunSampleHz } from '../src/host/run-session';
import { byOrder, CLI, formatPaired, pairedOverhead, REPO, targetFor, verdict } from './paired';

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

const IN_RUN_PAIRS = Number(process.env.TRAINLENS_BENCH_IN_RUN_PAIRS ?? 60);

/** node_runner_cost.ts's shapes and modes (it pins itself and its socket reader as paired.ts's pinning() says). */
const IN_RUN: Array<{ label: string; args: string[] }> = [
  { label: 'control: no runner in either segment, tiny trainOnBatch steps', args: ['--shape', 'tiny', '--control'] },
  // Its loop never lets a timer run: flushes and line windows run from its steps' ends, a period late.
  { label: 'tiny trainOnBatch steps (tiny_steps.js)', args: ['--shape', 'tiny'] },
  // Steps of 20-40 ms vary by ±20% one from the next (GC): 2 s segments average ~50 of them. Each as
  // in a run's first minute and as a long run pays for it (LONG_RUN_AFTER_S).
  { label: `compute_bound.js's model.fit, first minute, ${DEFAULT_NODE_SAMPLE_HZ} Hz`, args: ['--shape', 'compute', '--segment-s', '2'] },
  { label: `compute_bound.js's model.fit, after it, ${longRunSampleHz(DEFAULT_NODE_SAMPLE_HZ)} Hz`, args: ['--shape', 'compute', '--segment-s', '2', '--long-run'] },
  { label: `io_bound.js's model.fitDataset, first minute, ${DEFAULT_NODE_SAMPLE_HZ} Hz`, args: ['--shape', 'io', '--segment-s', '2'] },
  { label: `io_bound.js's model.fitDataset, after it, ${longRunSampleHz(DEFAULT_NODE_SAMPLE_HZ)} Hz`, args: ['--shape', 'io', '--segment-s', '2', '--long-run'] },
  { label: 'tiny trainOnBatch steps, sampling at 100 Hz (the default before 2026-12-06)', args: ['--shape', 'tiny', '--sample-hz', '100'] },
];

/** The V8 profiler alone (node_runner_cost.ts --sampler-only) at rates whose difference gives the
 * cost of a sample, apart from what profiling costs at any rate (the 1 Hz line). */
const PROFILER_HZ = [1, 100, 1000];

interface InRunResult {
  mode: 'runner' | 'sampler-only' | 'control';
  pairs: number;
  segmentS: number;
  sampleHz: number | null;
  pinned: boolean;
  ratio: number;
  ratioLow: number;
  ratioHigh: number;
  ratioRecordedFirst: number;
  ratioPlainFirst: number | null;
  coverage: number;
  ratios: number[];
  stepMs: number;
  costUs: number;
  cpuCostUs: number;
  sampleUs?: number;
  samplesPerS?: number;
}

function runCost(args: string[]): InRunResult {
  const script = path.join(REPO, 'bench', 'shapes', 'node_runner_cost.ts');
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...args, '--pairs', String(IN_RUN_PAIRS)], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const result = scriptResultOf(`${run.stdout}\n${run.stderr}`) as unknown as InRunResult | undefined;
  if (run.status !== 0 || !result) throw new Error(`node_runner_cost.ts ${args.join(' ')} failed (${run.status}):\n${run.stderr.slice(-2000)}`);
  return result;
}

function inRunCost(label: string, args: string[]): string {
  const result = runCost(args);
  const interval = `${result.ratio.toFixed(3)} (95% interval ${result.ratioLow.toFixed(3)}-${result.ratioHigh.toFixed(3)}) over ${result.pairs} pairs${byOrder(result)}`;
  const segments = `of ${result.segmentS.toFixed(2)} s segments${result.pinned ? ', pinned' : ''}`;
  const added = `${result.costUs.toFixed(1)} µs a step added (${result.cpuCostUs.toFixed(1)} µs of the process's CPU); plain steps ${result.stepMs.toFixed(2)} ms`;
  if (result.mode === 'control') return `${label}: ratio ${interval} ${segments}, the method's own bias and spread; ${added}`;
  const target = targetFor(result.stepMs);
  return `${label}: in-run ratio ${interval} ${segments}, sampling at ${result.sampleHz} Hz; ${added}: target ≤ ${target.toFixed(2)}, ${verdict(result.ratioLow, result.ratioHigh, target, result.coverage)}`;
}

/**
 * The profiler alone on the tiny loop at each of PROFILER_HZ, and what one sample costs: the wall
 * time added a second, over the samples taken a second, from the lowest rate to each higher one.
 */
function profilerCost(): string[] {
  const runs = PROFILER_HZ.map((hz) => ({ hz, result: runCost(['--shape', 'tiny', '--sampler-only', '--sample-hz', String(hz)]) }));
  const addedUsPerS = ({ costUs, stepMs }: InRunResult) => (costUs / stepMs) * 1000;
  const [base] = runs;
  return runs.map(({ hz, result }) => {
    const interval = `${result.ratio.toFixed(3)} (95% interval ${result.ratioLow.toFixed(3)}-${result.ratioHigh.toFixed(3)}) over ${result.pairs} pairs`;
    const taken = `${result.samplesPerS?.toFixed(0) ?? '?'} samples/s taken`;
    const slope =
      base && hz !== base.hz && result.samplesPerS !== undefined && base.result.samplesPerS !== undefined
        ? `; ${((addedUsPerS(result) - addedUsPerS(base.result)) / (result.samplesPerS - base.result.samplesPerS)).toFixed(0)} µs a sample over the ${base.hz} Hz line`
        : '';
    return `the V8 profiler alone at ${hz} Hz, tiny trainOnBatch steps: ratio ${interval}; ${result.costUs.toFixed(1)} µs a step added (${result.cpuCostUs.toFixed(1)} of CPU), plain steps ${result.stepMs.toFixed(2)} ms; ${taken}${slope}`;
  });
}

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
  return [...lines, ...(await runNodeInRunBench())];
}

export async function runNodeInRunBench(): Promise<string[]> {
  const lines = ['Node runner cost in one process (bench/shapes/node_runner_cost.ts: plain / recorded steps per second of neighbouring segments, median of pairs)'];
  for (const { label, args } of IN_RUN) lines.push(`  ${inRunCost(label, args)}`);
  for (const line of profilerCost()) lines.push(`  ${line}`);
  return lines;
}

interface InstructionsResult {
  steps: number;
  plain: number;
  addedPerStep: number;
  addedShare: number;
  plainSpread: number;
  addedUs: number;
  nativeStepMs: number;
  slowdown: number;
  sampleHz: number;
}

/** node_runner_instructions.ts: the runner's own work on the training thread, counted by callgrind. */
export async function runNodeInstructionsBench(): Promise<string[]> {
  const script = path.join(REPO, 'bench', 'shapes', 'node_runner_instructions.ts');
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const heading = "Node runner's own work on the training thread, tiny trainOnBatch steps (bench/shapes/node_runner_instructions.ts: callgrind's counts, per step)";
  if (run.status !== 0 && /needs valgrind/.test(run.stderr)) return [heading, `  skipped (${run.stderr.trim()})`];
  const result = scriptResultOf(`${run.stdout}\n${run.stderr}`) as unknown as InstructionsResult | undefined;
  if (run.status !== 0 || !result) throw new Error(`node_runner_instructions.ts failed (${run.status}):\n${run.stderr.slice(-2000)}`);
  const pct = (share: number) => `${(share * 100).toFixed(2)}%`;
  return [
    heading,
    `  the runner adds ${result.addedPerStep.toLocaleString('en')} instructions a step (${pct(result.addedShare)} of ${result.plain.toLocaleString('en')}): ` +
      `${result.addedUs.toFixed(1)} µs of a ${(result.nativeStepMs * 1000).toFixed(0)} µs step at the loop's own native rate, with flushes, line windows and samples ` +
      `(the per-step work alone, target ≤ 5 µs: node_runner_instructions.ts --hz 0.5 --flush-ms 1000000000). ` +
      `The two plain segments ${pct(result.plainSpread)} apart (${result.steps} steps each); sampling and flushes as often a step as at native speed ` +
      `(callgrind ${result.slowdown}× slower: the runner's clock slowed as much, and sampling at ${result.sampleHz} Hz)`,
  ];
}

if (require.main === module) void runNodeRunnerBench().then((lines) => console.log(lines.join('\n')));
