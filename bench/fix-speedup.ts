/**
 * Does the workers fix make the input-bound example faster? As a user would: a copy of the example
 * is recorded (`trainlens record`), then `trainlens fix <run> --apply` applies the fixes of the
 * run's findings; the copy before and after then run plainly, alternating, and the ratio is
 * after/before throughput (median of pairs). The worker count comes from the run's measurement:
 * this example's loading waits (sleeps) rather than computes, so it may exceed the cores.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from '../src/core/stats';
import { CLI, REPO, scriptThroughput } from './paired';

const PAIRS = Number(process.env.TRAINLENS_BENCH_PAIRS ?? 5);
const ARGS = ['--steps', '100'];
/** Long enough for a few 1 Hz telemetry samples inside the steps (the findings measure CPU there). */
const RECORDED_ARGS = ['--steps', '300'];

export async function runFixSpeedupBench(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-fix-bench-'));
  try {
    const before = path.join(dir, 'before');
    fs.cpSync(path.join(REPO, 'examples', 'pytorch'), before, { recursive: true });
    const after = path.join(dir, 'after');
    fs.cpSync(before, after, { recursive: true });
    const runs = path.join(dir, 'runs');
    const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: after, encoding: 'utf8' });
    const recorded = cli(['record', '--out', runs, '--', '/usr/bin/python3', 'input_bound.py', ...RECORDED_ARGS]);
    if (recorded.status !== 0) throw new Error(`recording the example failed: ${recorded.stderr}`);
    const fixed = cli(['fix', path.join(runs, fs.readdirSync(runs)[0] ?? ''), '--apply']);
    if (fixed.status !== 0) throw new Error(`the fixes did not apply: ${fixed.stderr}`);
    const titles = fixed.stderr.split('\n').filter((l) => /^[a-z-]+ \(/.test(l)).map((l) => l.replace(/^[a-z-]+ \([^)]*\): /, ''));
    const rates = { before: [] as number[], after: [] as number[] };
    for (let i = 0; i < PAIRS; i++) {
      const order = i % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
      for (const side of order) rates[side].push(scriptThroughput('/usr/bin/python3', [path.join(dir, side, 'input_bound.py'), ...ARGS]));
    }
    const ratio = median(rates.after.map((a, i) => a / (rates.before[i] as number))) ?? NaN;
    const fmt = (values: number[]) => values.map((v) => v.toFixed(1)).join(', ');
    return [
      `Workers fix on the input-bound example (${os.availableParallelism()} cores; after / before throughput, median of ${PAIRS} alternating pairs)`,
      ...titles.map((t) => `  applied: ${t}`),
      `  speed-up ${ratio.toFixed(2)}× (before ${fmt(rates.before)} | after ${fmt(rates.after)} batches/s)`,
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void runFixSpeedupBench().then((lines) => console.log(lines.join('\n')));
