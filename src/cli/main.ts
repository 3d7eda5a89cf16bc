/**
 * `trainlens`: record a training run headlessly, re-print a recording, list or apply fixes,
 * compare runs. A thin front end over host + core.
 */
import { recordCommand } from './record-command';
import { reportCommand } from './report-command';
import { runFixCommand } from './fix-command';
import { runCompareCommand } from './compare-command';
import { tuneCommand } from './tune-command';
import { exportCommand } from './export-command';
import { importCommand } from './import-command';
import { mergeCommand } from './merge-command';
import { CliUsageError, type CliIo } from './io';

const USAGE = `Usage:
  trainlens record [--out DIR] [--json] [--sample-hz N] [--ceilings] -- <python|node|npx tsx|ts-node> script args…
  trainlens report <run-dir | latest> [--json]
  trainlens fix <run-dir | latest> [--apply]
  trainlens fix --file F --fix ID [--apply]
  trainlens fix --list
  trainlens compare <run-a> <run-b>
  trainlens export <run-dir | latest> --format chrome-trace|speedscope [-o FILE]
  trainlens import <trace.json[.gz] | profile.cpuprofile>… [--out DIR] [--json]
  trainlens merge <run-dir>… [--out DIR] [--json]
  trainlens tune [--budget-s N] [--json] [--apply-best] [--out DIR] -- <python> script args…`;

async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'record':
      return recordCommand(rest, io);
    case 'report':
      return reportCommand(rest, io);
    case 'fix':
      return runFixCommand(rest, io);
    case 'compare':
      return runCompareCommand(rest, io);
    case 'export':
      return exportCommand(rest, io);
    case 'import':
      return importCommand(rest, io);
    case 'tune':
      return tuneCommand(rest, io);
    case 'merge':
      return mergeCommand(rest, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    default:
      throw new CliUsageError(`unknown command "${command}"`);
  }
}

const io: CliIo = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error & { category?: string; code?: unknown }) => {
    // node:util parseArgs rejects unknown or malformed options with these codes: a usage error.
    const badArguments = error instanceof CliUsageError || (typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS'));
    io.stderr.write(`trainlens: ${error.message}\n`);
    if (badArguments) io.stderr.write(USAGE + '\n');
    process.exitCode = error.category || badArguments ? 2 : 1;
    if (!error.category && !badArguments) io.stderr.write(`${error.stack ?? ''}\n`);
  },
);

