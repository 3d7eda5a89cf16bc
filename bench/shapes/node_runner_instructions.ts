/**
 * Bench: what the Node runner's own work adds to a tiny tfjs step, in instructions on the training
 * thread, counted by valgrind's callgrind: exact, where wall-clock pairs on the 2-core VM this was
 * built on cannot resolve a few µs (its speed moves ±40% from one second to the next). The Node twin
 * of runner_instructions.py.
 *
 * The script runs itself under callgrind (--inner). Inside, tiny_steps.js's trainOnBatch loop runs
 * three segments of --steps steps, each after --warm steps unmeasured: plain, with a live runner
 * (node_runner_cost.ts's: NodeRunner as the preload starts it, its socket drained by a reader
 * process), plain again; the two plain ones bracket the runner's, so what the order alone moves
 * shows as their difference. Callgrind counts only between a segment's start and end (client
 * requests, through a small Node-API addon built with gcc against Node's own headers) and only the
 * main thread (--separate-threads): V8's compiler and profiler threads, which a machine with a free
 * core runs beside the training, are not in the figure.
 *
 * Under callgrind a step takes ~50-120× as long while clocks keep their rate, so the runner would
 * sample, flush, end line windows and trace its call sites that much more often a step than in a
 * real run. So the inner run first times its own steps against the step time the outer run
 * measured natively (the slowdown), and then runs the runner on a clock slowed by that factor
 * (performance.now, the runner's clock: its flushes, line windows and call-site traces are timed on
 * it, the tiny loop never letting a timer fire) and samples at --hz over that factor (V8's sampler
 * thread keeps real time): all of them come as often a step as at the script's real speed, and
 * their cost is in the count. Left out: the line batcher's classification of the samples, whose
 * times (V8's, real) then lie ahead of the slowed clock's steps, so none is classified in a segment
 * (a binary search in the step log per sample, one sample in ~50 steps at 50 Hz).
 *
 * Prints a SCRIPT_RESULT line: per step, for each segment ("plain", "session", "plain2"), the
 * instructions ("ir"); "addedPerStep" (the session's excess over the mean of the plain segments),
 * "addedShare" (that over the plain mean), "plainSpread" (the plain segments' difference over their
 * mean), "addedUs" (the excess as time at the plain loop's own native rate: its native step time
 * times addedShare), "nativeStepMs", "slowdown" (callgrind's step time over the native one) and the
 * runner's scaled "sampleHz".
 *
 *     node --import tsx bench/shapes/node_runner_instructions.ts [--steps N] [--warm N] [--hz HZ] [--flush-ms MS]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_NODE_SAMPLE_HZ } from '../../src/host/run-session';
import { REPO } from '../paired';
import { bundleRunner, hookTfjs, socketReader } from './node-runner-harness';

type Tf = typeof import('@tensorflow/tfjs');

const SEGMENTS = ['plain', 'session', 'plain2'] as const;
/** As the host asks (src/host/run-session.ts's FLUSH_MS). */
const FLUSH_MS = 250;
const NODE_HEADERS = '/usr/include/node';
/** Native steps timed for the step time the runner's rates are scaled against, after as many unmeasured. */
const NATIVE_STEPS = 3000;
/** Steps under callgrind timed for the slowdown, at the end of the process's own warm-up. */
const TIMED_WARM_STEPS = 300;
const ADDON_C = `
#include <node_api.h>
#include <valgrind/callgrind.h>
static napi_value zero(napi_env env, napi_callback_info info) { CALLGRIND_ZERO_STATS; return NULL; }
static napi_value dump(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1]; char name[64]; size_t length;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_string_utf8(env, argv[0], name, sizeof name, &length);
  CALLGRIND_DUMP_STATS_AT(name);
  return NULL;
}
NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "zero", NAPI_AUTO_LENGTH, zero, NULL, &fn);
  napi_set_named_property(env, exports, "zero", fn);
  napi_create_function(env, "dump", NAPI_AUTO_LENGTH, dump, NULL, &fn);
  napi_set_named_property(env, exports, "dump", fn);
  return exports;
}
`;

interface Callgrind {
  zero(): void;
  dump(name: string): void;
}

interface Options {
  steps: number;
  warm: number;
  hz: number;
  flushMs: number;
}

function tinyModel() {
  return require(path.join(REPO, 'test', 'fixtures', 'node-runner', 'tiny_steps.js')).setup() as {
    model: import('@tensorflow/tfjs').LayersModel;
    xs: import('@tensorflow/tfjs').Tensor;
    ys: import('@tensorflow/tfjs').Tensor;
  };
}

type TinyLoop = ReturnType<typeof tinyModel>;

/** Runs `steps` steps; their mean wall ms. */
async function stepsOf({ model, xs, ys }: TinyLoop, steps: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(xs, ys);
  return (performance.now() - start) / steps;
}

/** Why the bench cannot run here, or null. */
function missingTools(): string | null {
  const which = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  const missing = ['valgrind', 'gcc'].filter((tool) => !which(tool));
  if (!fs.existsSync('/usr/include/valgrind/callgrind.h')) missing.push('callgrind.h (valgrind)');
  if (!fs.existsSync(path.join(NODE_HEADERS, 'node_api.h'))) missing.push(`${NODE_HEADERS}/node_api.h`);
  return missing.length ? `node_runner_instructions.ts needs valgrind, gcc and Node's headers (apt-get install valgrind gcc): missing ${missing.join(', ')}` : null;
}

async function outer(options: Options): Promise<void> {
  const missing = missingTools();
  if (missing) throw new Error(missing);
  const loop = tinyModel();
  await stepsOf(loop, NATIVE_STEPS);
  const nativeStepMs = await stepsOf(loop, NATIVE_STEPS);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-node-instructions-'));
  try {
    const addon = path.join(folder, 'callgrind.node');
    fs.writeFileSync(path.join(folder, 'addon.c'), ADDON_C);
    const gcc = spawnSync('gcc', ['-O2', '-shared', '-fPIC', `-I${NODE_HEADERS}`, '-o', addon, path.join(folder, 'addon.c')], { encoding: 'utf8' });
    if (gcc.status !== 0) throw new Error(`gcc failed:\n${gcc.stderr}`);
    const out = path.join(folder, 'callgrind.out');
    const inner = [process.execPath, ...process.execArgv, __filename, '--inner', addon, '--native-step-ms', String(nativeStepMs), ...process.argv.slice(2)];
    const run = spawnSync('valgrind', ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${out}`, ...inner], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`callgrind run failed (${run.status}):\n${run.stderr.slice(-3000)}`);
    const innerResult = JSON.parse(run.stdout.split('\n').find((line) => line.startsWith('INNER '))!.slice('INNER '.length)) as { slowdown: number; sampleHz: number };
    const perStep = instructionsPerStep(folder, options.steps);
    const plain = (perStep.plain + perStep.plain2) / 2;
    const added = perStep.session - plain;
    const result = {
      shape: 'tiny',
      steps: options.steps,
      plain: Math.round(perStep.plain),
      session: Math.round(perStep.session),
      plain2: Math.round(perStep.plain2),
      addedPerStep: Math.round(added),
      addedShare: Number((added / plain).toFixed(5)),
      plainSpread: Number((Math.abs(perStep.plain - perStep.plain2) / plain).toFixed(5)),
      addedUs: Number(((added / plain) * nativeStepMs * 1000).toFixed(2)),
      nativeStepMs: Number(nativeStepMs.toFixed(4)),
      ...innerResult,
    };
    console.log(`SCRIPT_RESULT ${JSON.stringify(result)}`);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** Each segment's main-thread instructions a step, from the dumps callgrind wrote (thread 1: the main thread). */
function instructionsPerStep(folder: string, steps: number): Record<(typeof SEGMENTS)[number], number> {
  const counts: Partial<Record<string, number>> = {};
  for (const name of fs.readdirSync(folder).filter((f) => /^callgrind\.out\.\d+-01$/.test(f))) {
    const text = fs.readFileSync(path.join(folder, name), 'utf8');
    const segment = /^desc: Trigger: Client Request: (.+)$/m.exec(text)?.[1]?.trim();
    const summary = /^summary: (\d+)/m.exec(text)?.[1];
    if (segment && summary) counts[segment] = Number(summary) / steps;
  }
  const missing = SEGMENTS.filter((s) => counts[s] === undefined);
  if (missing.length) throw new Error(`callgrind dumped no ${missing.join(', ')} segment`);
  return counts as Record<(typeof SEGMENTS)[number], number>;
}

/** performance.now (the runner's clock, src/runners/node/clock.ts) from now on runs `factor` times slower. */
function slowClockDown(factor: number): void {
  const now = performance.now.bind(performance);
  const from = now();
  performance.now = () => from + (now() - from) / factor;
}

async function inner(addonPath: string, nativeStepMs: number, options: Options): Promise<void> {
  const callgrind = require(addonPath) as Callgrind;
  const tf = require('@tensorflow/tfjs') as Tf;
  const loop = tinyModel();
  // The process's own warm-up (tfjs's code is compiled and optimised), then the slowdown.
  await stepsOf(loop, options.warm);
  const slowdown = (await stepsOf(loop, TIMED_WARM_STEPS)) / nativeStepMs;
  const sampleHz = options.hz / slowdown;
  slowClockDown(slowdown);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-node-instructions-run-'));
  const socket = path.join(folder, 'run.sock');
  const { NodeRunner } = bundleRunner(folder);
  const drain = await socketReader(socket, null);
  try {
    for (const name of SEGMENTS) {
      const runner = name === 'session' ? new NodeRunner({ socket, token: 'bench', sampleHz, flushMs: options.flushMs }) : null;
      if (runner) hookTfjs(tf);
      await stepsOf(loop, options.warm);
      callgrind.zero();
      await stepsOf(loop, options.steps);
      callgrind.dump(name);
      runner?.finish(0); // as at the script's exit: every hook comes out
    }
  } finally {
    drain.kill();
    fs.rmSync(folder, { recursive: true, force: true });
  }
  console.log(`INNER ${JSON.stringify({ slowdown: Number(slowdown.toFixed(1)), sampleHz: Number(sampleHz.toFixed(4)) })}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '3000' },
      warm: { type: 'string', default: '2000' },
      hz: { type: 'string', default: String(DEFAULT_NODE_SAMPLE_HZ) },
      'flush-ms': { type: 'string', default: String(FLUSH_MS) },
      inner: { type: 'string' },
      'native-step-ms': { type: 'string' },
    },
  });
  const options: Options = { steps: Number(values.steps), warm: Number(values.warm), hz: Number(values.hz), flushMs: Number(values['flush-ms']) };
  if (values.inner) await inner(values.inner, Number(values['native-step-ms']), options);
  else await outer(options);
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
