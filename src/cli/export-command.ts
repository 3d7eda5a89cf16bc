/** `trainlens export <run-dir | latest> --format chrome-trace|speedscope [-o FILE]`: prints the file written. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveRunDir } from '../host/recording/recording-reader';
import { EXPORT_FORMATS, exportRun, type ExportFormat } from '../host/trace/export-run';
import { CliUsageError, type CliIo } from './io';

export async function exportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { format: { type: 'string' }, out: { type: 'string', short: 'o' } },
    allowPositionals: true,
  });
  const target = positionals[0];
  if (!target || positionals.length > 1) throw new CliUsageError('export takes one run directory or "latest"');
  const format = values.format as ExportFormat | undefined;
  if (!format || !EXPORT_FORMATS.includes(format)) throw new CliUsageError(`--format takes ${EXPORT_FORMATS.join(' or ')}`);
  const written = await exportRun(resolveRunDir(target, io.cwd), format, values.out === undefined ? undefined : path.resolve(io.cwd, values.out));
  io.stdout.write(written + '\n');
  return 0;
}

