/**
 * `trainlens import FILE… [--out DIR] [--json]`: each PyTorch profiler trace or V8 .cpuprofile
 * becomes a recording under .trainlens/runs, reported as `report` reports a run.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatShare } from '../core/format';
import type { RunSummary } from '../core/summary';
import { loadSummary, RUNS_DIR } from '../host/recording/recording-reader';
import { importTrace } from '../host/trace/import-trace';
import { CliUsageError, type CliIo } from './io';
import { formatReport } from './report-format';

export async function importCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, out: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length === 0) throw new CliUsageError('import takes one or more trace files (.json, .json.gz, .pt.trace.json, .cpuprofile)');
  const runsDir = values.out ? path.resolve(io.cwd, values.out) : path.join(io.cwd, RUNS_DIR);
  const summaries: RunSummary[] = [];
  for (const file of positionals) {
    const { dir } = await importTrace(path.resolve(io.cwd, file), runsDir);
    summaries.push(loadSummary(dir));
  }
  if (values.json) {
    io.stdout.write(JSON.stringify(summaries.length === 1 ? summaries[0] : summaries, null, 2) + '\n');
    return 0;
  }
  for (const summary of summaries) io.stdout.write([...importedLines(summary), ...formatReport(summary)].join('\n') + '\n\n');
  return 0;
}

/** What only a trace knows: where it came from, the rank, and GPU time. */
function importedLines(summary: RunSummary): string[] {
  const imported = summary.imported;
  if (!imported) return [];
  const lines = [`Imported ${imported.file} (${imported.format}) as ${summary.recording}`];
  if (imported.rank !== null) lines.push(`  rank ${imported.rank}${imported.worldSize !== null ? ` of ${imported.worldSize}` : ''}`);
  const gpu = imported.gpuTime;
  if (gpu) {
    lines.push(`  GPU busy ${formatShare(gpu.busyShare)} of step time, communication (NCCL) ${formatShare(gpu.communicationShare)}`);
    for (const kernel of gpu.topKernels.slice(0, 5)) lines.push(`    ${kernel.ms.toFixed(1).padStart(9)} ms  ${String(kernel.count).padStart(6)}×  ${kernel.name.slice(0, 90)}`);
  }
  return [...lines, ''];
}
