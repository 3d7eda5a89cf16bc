/** Overhead of the Python runner at its default 100 Hz, on the PyTorch examples. Target ≤ 1.01. */
import path from 'node:path';
import { formatPaired, pairedOverhead, REPO } from './paired';

const PAIRS = Number(process.env.TRAINLENS_BENCH_PAIRS ?? 5);

export async function runPythonRunnerBench(): Promise<string[]> {
  const lines = ['Python runner overhead (plain / recorded throughput, median of alternating pairs; target ≤ 1.01)'];
  for (const [name, args] of [
    ['compute_bound.py', ['--steps', '150']],
    ['input_bound.py', ['--steps', '100']],
  ] as const) {
    const script = path.join(REPO, 'examples', 'pytorch', name);
    lines.push('  ' + formatPaired(pairedOverhead(name, ['/usr/bin/python3', script, ...args], PAIRS)));
  }
  return lines;
}

if (require.main === module) void runPythonRunnerBench().then((lines) => console.log(lines.join('\n')));
