/**
 * Overhead of the Node runner at its default 10 ms sampling interval (V8's CPU profiler), on the
 * tfjs examples. Target ≤ 1.01.
 */
import path from 'node:path';
import { formatPaired, pairedOverhead, REPO } from './paired';

const PAIRS = Number(process.env.TRAINLENS_BENCH_PAIRS ?? 5);

export async function runNodeRunnerBench(): Promise<string[]> {
  const lines = ['Node runner overhead (plain / recorded throughput, median of alternating pairs; target ≤ 1.01)'];
  // Runs of ~8 s: a 2 s run varies by ±5% on its own, too coarse to resolve a 1% overhead.
  for (const [name, args] of [
    ['compute_bound.js', ['--steps', '400']],
    ['io_bound.js', []],
  ] as const) {
    const script = path.join(REPO, 'examples', 'tfjs', name);
    lines.push('  ' + formatPaired(pairedOverhead(name, [process.execPath, script, ...args], PAIRS)));
  }
  return lines;
}

if (require.main === module) void runNodeRunnerBench().then((lines) => console.log(lines.join('\n')));
