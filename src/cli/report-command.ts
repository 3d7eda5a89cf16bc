import { parseArgs } from 'node:util';
import { loadJobSummary } from '../host/rank-recordings';
import { resolveRunDir } from '../host/recording/recording-reader';
import { CliUsageError, type CliIo } from './io';
import { formatReport } from './report-format';

export async function reportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: true });
  const target = positionals[0];
  if (!target || positionals.length > 1) throw new CliUsageError('report takes one run directory or "latest"');
  const summary = loadJobSummary(resolveRunDir(target, io.cwd));
  if (values.json) io.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else io.stdout.write(formatReport(summary).join('\n') + '\n');
  return 0;
}
