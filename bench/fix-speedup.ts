/**
 * Does the workers fix make the input-bound example faster? The fix is applied by the real CLI
 * (`trainlens fix --file … --fix dataloader-workers --apply`) to a copy of the example; the copy
 * before and after the fix then run plainly, alternating, and the ratio is after/before throughput
 * (median of pairs). The recommended worker count follows the cores, so the gain does too: with
 * N cores the fix gives N-1 workers, and each overlaps one batch's loading with training.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from '../src/core/stats';
import { CLI, REPO, scriptThroughput } from './paired';

const PAIRS = Number(process.env.TRAINLENS_BENCH_PAIRS ?? 5);
const ARGS = ['--steps', '100'];

export async function runFixSpeedupBench(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-fix-bench-'));
  try {
    const before = path.join(dir, 'before');
    fs.cpSync(path.join(REPO, 'examples', 'pytorch'), before, { recursive: true });
    const after = path.join(dir, 'after');
    fs.cpSync(before, after, { recursive: true });
    const fixed = spawnSync(process.execPath, [CLI, 'fix', '--file', path.join(after, 'input_bound.py'), '--fix', 'dataloader-workers', '--apply'], { encoding: 'utf8' });
    if (fixed.status !== 0) throw new Error(`the workers fix did not apply: ${fixed.stderr}`);
    const title = fixed.stderr.split('\n').find((l) => l.startsWith('dataloader-workers')) ?? 'dataloader-workers';
    const rates = { before: [] as number[], after: [] as number[] };
    for (let i = 0; i < PAIRS; i++) {
      const order = i % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
      for (const side of order) rates[side].push(scriptThroughput('/usr/bin/python3', [path.join(dir, side, 'input_bound.py'), ...ARGS]));
    }
    const ratio = median(rates.after.map((a, i) => a / (rates.before[i] as number))) ?? NaN;
    const fmt = (values: number[]) => values.map((v) => v.toFixed(1)).join(', ');
    return [
      `Workers fix on the input-bound example (${os.availableParallelism()} cores; after / before throughput, median of ${PAIRS} alternating pairs)`,
      `  ${title.replace(/^dataloader-workers \([^)]*\): /, '')}`,
      `  speed-up ${ratio.toFixed(2)}× (before ${fmt(rates.before)} | after ${fmt(rates.after)} batches/s)`,
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void runFixSpeedupBench().then((lines) => console.log(lines.join('\n')));
