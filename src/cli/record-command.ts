import path from 'node:path';
import { parseArgs } from 'node:util';
import { findingsFor } from '../host/analysis';
import { withDefaultInterpreter } from '../host/launch';
import { RUNS_DIR } from '../host/recording/recording-reader';
import { measureCeilings } from '../host/ceilings';
import { RECORDING_FAULT_PREFIX, writeSummaryFile } from '../host/recording/recording-writer';
import { RunSession, type RunRequest } from '../host/run-session';
import { CliUsageError, type CliIo } from './io';
import { ProgressLine } from './progress-line';
import { formatReport } from './report-format';

/** Exit status of `record` when the user stopped the run (as shells report Ctrl+C). */
const STOPPED_EXIT = 130;

export async function recordCommand(argv: string[], io: CliIo): Promise<number> {
  const dashdash = argv.indexOf('--');
  const own = dashdash === -1 ? [] : argv.slice(0, dashdash);
  const command = dashdash === -1 ? argv : argv.slice(dashdash + 1);
  const { values } = parseArgs({
    args: own,
    options: { out: { type: 'string' }, json: { type: 'boolean' }, 'sample-hz': { type: 'string' }, ceilings: { type: 'boolean' } },
  });
  if (command.length === 0) throw new CliUsageError('record needs a command after "--"');
  const sampleHz = values['sample-hz'] === undefined ? undefined : Number(values['sample-hz']);
  if (sampleHz !== undefined && !(sampleHz > 0 && sampleHz <= 10_000)) throw new CliUsageError('--sample-hz takes a number from 1 to 10000');

  const request: RunRequest = {
    command: withDefaultInterpreter(command),
    cwd: io.cwd,
    env: process.env,
    runsDir: values.out ? path.resolve(io.cwd, values.out) : path.join(io.cwd, RUNS_DIR),
    runnersDir: __dirname,
    sampleHz,
    stdio: values.json ? 'stdout-to-stderr' : 'inherit',
  };
  // The child is in its own process group, so the terminal's Ctrl+C reaches only us: stop it properly.
  // Listening before the start: a Ctrl+C while the script is being spawned would otherwise kill us
  // and leave the run unrecorded, its end never written.
  let session: RunSession | undefined;
  let interrupted = false;
  const onInterrupt = (): void => {
    io.stderr.write('\ntrainlens: stopping (Ctrl+C again is not needed; it escalates on its own)\n');
    interrupted = true;
    void session?.stop('interrupted (Ctrl+C)');
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    session = await RunSession.start(request);
    if (interrupted) void session.stop('interrupted (Ctrl+C)');
    session.onEvents((events) => {
      for (const event of events) if (event.type === 'log' && event.message.startsWith(RECORDING_FAULT_PREFIX)) io.stderr.write(`\ntrainlens: ${event.message}\n`);
    });
    const progress = (io.stderr as NodeJS.WriteStream).isTTY ? new ProgressLine(session, io.stderr) : undefined;
    const summary = await session.done;
    progress?.dispose();
    if (values.ceilings && summary.status === 'completed') {
      io.stderr.write('trainlens: measuring ceilings (two short probe runs of the same command)…\n');
      summary.ceilings = await measureCeilings(request, summary.recording, summary.throughput.batchesPerSec);
      // The ceilings bound what findings expect of a fix (input-bound's workers).
      summary.findings = findingsFor(session.aggregator, summary);
      writeSummaryFile(summary.recording, summary);
    }
    const report = formatReport(summary).join('\n') + '\n';
    if (values.json) {
      io.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      io.stderr.write(report);
    } else {
      io.stdout.write(report);
    }
    if (summary.status === 'stopped') return STOPPED_EXIT;
    return summary.exitCode ?? 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}
