/**
 * Hostile inputs and hard stops, at scale: every fuzzed parser with TRAINLENS_FUZZ_RUNS cases per
 * property (default 10,000; the same properties run a few hundred times in `npm test`), the
 * recording cut at every byte offset, the Python runner's validator under Hypothesis, and 100
 * start/stop cycles of a 4-worker DataLoader script through the CLI and the host API. Targets:
 * 0 fuzz failures, 0 leftover processes, 0 unreadable recordings, every stopped run `stopped`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { CHANNEL } from '../test/fuzz/channel.properties';
import { FUZZ_SEED, type FuzzTarget } from '../test/fuzz/fuzz-budget';
import { DECODER, FRAMING } from '../test/fuzz/protocol.properties';
import { checkTruncation, RECORDING_READER, RECORDING_TEXT } from '../test/fuzz/recording.properties';
import { WEBVIEW_MESSAGES } from '../test/fuzz/webview.properties';
import { describeOutcome, runCycle, seededRandom, STOP_MOMENTS, writeSoakScript, type CycleOutcome, type StopPath } from '../test/integration/stop-soak-cycles';
import { tempDir } from '../test/integration/cli-harness';
import { REPO } from './paired';

const RUNS = Number(process.env.TRAINLENS_FUZZ_RUNS) || 10_000;
const CYCLES = Number(process.env.TRAINLENS_SOAK_CYCLES) || 100;

export async function runReliabilityBench(): Promise<string[]> {
  const lines = [`reliability (targets: 0 fuzz failures, 0 leftover processes, 0 unreadable recordings)`, `  fuzz, ${RUNS.toLocaleString('en-US')} cases per property, seed ${FUZZ_SEED}:`];
  let failures = 0;
  for (const target of [FRAMING, DECODER, CHANNEL, WEBVIEW_MESSAGES, RECORDING_READER]) {
    const result = await fuzzTarget(target);
    failures += result.failures.length;
    lines.push(`    ${target.parser}: ${result.cases.toLocaleString('en-US')} cases, ${result.failures.length} failures (${result.seconds.toFixed(0)} s)`, ...result.failures.map((f) => `      FAILED ${f}`));
  }
  const truncation = everyByteOffset();
  failures += truncation.failures.length;
  lines.push(`    recording cut at every byte offset: ${truncation.cases.toLocaleString('en-US')} cases, ${truncation.failures.length} failures (${truncation.seconds.toFixed(0)} s)`, ...truncation.failures.slice(0, 3).map((f) => `      FAILED ${f}`));
  const python = pythonFuzz();
  if (!python.ok) failures++;
  lines.push(`    Python runner's validator and options reader (Hypothesis): ${python.summary}`);

  const soak = await soakStops();
  lines.push(...soak);
  lines.push(`  fuzz failures: ${failures}`);
  return lines;
}

async function fuzzTarget(target: FuzzTarget): Promise<{ cases: number; failures: string[]; seconds: number }> {
  const started = Date.now();
  let cases = 0;
  const failures: string[] = [];
  for (const { name, property } of target.properties) {
    const details = await fc.check(property(), { numRuns: RUNS, seed: FUZZ_SEED });
    cases += details.numRuns + (details.failed ? 1 : 0);
    if (details.failed) failures.push(`${name}: ${String(details.errorInstance ?? details.counterexample).slice(0, 300)} (seed ${details.seed}, path ${details.counterexamplePath})`);
  }
  return { cases, failures, seconds: (Date.now() - started) / 1000 };
}

function everyByteOffset(): { cases: number; failures: string[]; seconds: number } {
  const started = Date.now();
  const bytes = Buffer.byteLength(RECORDING_TEXT);
  const failures: string[] = [];
  for (let offset = 0; offset <= bytes; offset++) {
    try {
      checkTruncation(offset);
    } catch (error) {
      failures.push(`offset ${offset}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return { cases: bytes + 1, failures, seconds: (Date.now() - started) / 1000 };
}

function pythonFuzz(): { ok: boolean; summary: string } {
  const started = Date.now();
  const run = spawnSync('/usr/bin/python3', ['-m', 'unittest', 'test_fuzz_protocol'], {
    cwd: path.join(REPO, 'test', 'python'),
    env: { ...process.env, TRAINLENS_FUZZ_RUNS: String(RUNS) },
    encoding: 'utf8',
  });
  const tests = Number(/Ran (\d+) tests?/.exec(run.stderr)?.[1] ?? 0);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (run.status === 0) return { ok: true, summary: `${(tests * RUNS).toLocaleString('en-US')} cases (${tests} properties), 0 failures (${seconds} s)` };
  return { ok: false, summary: `FAILED (${seconds} s):\n${run.stderr.split('\n').slice(-15).join('\n')}` };
}

async function soakStops(): Promise<string[]> {
  const script = writeSoakScript(tempDir('trainlens-soak-script-'));
  const random = seededRandom(FUZZ_SEED);
  const outcomes: CycleOutcome[] = [];
  const problems: string[] = [];
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const pathKind: StopPath = cycle % 2 === 0 ? 'cli' : 'host-api';
    const moment = STOP_MOMENTS[Math.floor(cycle / 2) % STOP_MOMENTS.length] as (typeof STOP_MOMENTS)[number];
    const outcome = await runCycle(pathKind, moment, random, script);
    outcomes.push(outcome);
    if (outcome.leftovers.length > 0 || outcome.unreadable || outcome.status !== 'stopped') problems.push(`      cycle ${cycle}: ${describeOutcome(outcome)}`);
  }
  const leftovers = outcomes.reduce((n, o) => n + o.leftovers.length, 0);
  const unreadable = outcomes.filter((o) => o.unreadable).length;
  const stopped = outcomes.filter((o) => o.status === 'stopped').length;
  const stopMs = outcomes.map((o) => o.stopMs).sort((a, b) => a - b);
  const count = (kind: StopPath) => outcomes.filter((o) => o.path === kind).length;
  const byMoment = STOP_MOMENTS.flatMap((m) => {
    const of = outcomes.filter((o) => o.moment === m);
    if (of.length === 0) return [];
    const beforeStep0 = m === 'before-first-step' ? `${of.filter((o) => o.steps === 0).length} before step 0, ` : '';
    return `${m} ${of.length} (${beforeStep0}median ${of.map((o) => o.stopMs).sort((a, b) => a - b)[Math.floor(of.length / 2)] ?? 0} ms, steps ${Math.min(...of.map((o) => o.steps ?? 0))}-${Math.max(...of.map((o) => o.steps ?? 0))})`;
  });
  return [
    `  stop soak: ${outcomes.length} start/stop cycles of a 4-worker DataLoader script (${count('cli')} CLI SIGINT, ${count('host-api')} host API)`,
    `    moments: ${byMoment.join('; ')}`,
    `    leftover processes: ${leftovers}; unreadable recordings: ${unreadable}; status stopped: ${stopped}/${outcomes.length}`,
    `    stop request to run end: median ${stopMs[Math.floor(stopMs.length / 2)] ?? 0} ms, max ${stopMs.at(-1) ?? 0} ms`,
    ...problems,
  ];
}
