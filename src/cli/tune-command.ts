/**
 * `trainlens tune [--budget-s N] [--json] [--apply-best] [--out DIR] -- <command>`: measures which
 * settings make the command fastest here (host/tune), prints the trial table and the verdict, and
 * with --apply-best writes the best settings into the code through the parser-exact fixes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { languageOfPath } from '../core/fixes/catalogue';
import { loadGrammars, wasmInFolder, wasmInNodeModules, WASM_FILES, type WasmLocator } from '../core/fixes/grammars';
import { editForSettings } from '../core/tune/apply';
import { formatTrialRow, formatTuneReport, tuneJson, type TuneOutcome } from '../core/tune/report';
import { describeSettings } from '../core/tune/settings';
import { availableCores } from '../host/analysis';
import { withDefaultInterpreter } from '../host/launch';
import { RUNS_DIR } from '../host/recording/recording-reader';
import { DEFAULT_BUDGET_S, startTuning } from '../host/tune/tuner';
import { CliUsageError, type CliIo } from './io';

export async function tuneCommand(argv: string[], io: CliIo): Promise<number> {
  const dashdash = argv.indexOf('--');
  if (dashdash === -1 || dashdash === argv.length - 1) throw new CliUsageError('tune needs a command after "--"');
  const { values } = parseArgs({
    args: argv.slice(0, dashdash),
    options: { 'budget-s': { type: 'string' }, json: { type: 'boolean' }, 'apply-best': { type: 'boolean' }, out: { type: 'string' } },
  });
  const budgetS = values['budget-s'] === undefined ? DEFAULT_BUDGET_S : Number(values['budget-s']);
  if (!(budgetS >= 10 && budgetS <= 24 * 3600)) throw new CliUsageError('--budget-s takes a number of seconds from 10 to 86400');

  const say = (line: string): boolean => io.stderr.write(`${line}\n`);
  const tuning = startTuning({
    run: {
      command: withDefaultInterpreter(argv.slice(dashdash + 1)),
      cwd: io.cwd,
      env: process.env,
      runsDir: values.out ? path.resolve(io.cwd, values.out) : path.join(io.cwd, RUNS_DIR),
      runnersDir: __dirname,
      stdio: 'pipe',
    },
    budgetMs: budgetS * 1000,
    onTrialStart: (settings, rung, steps) =>
      say(rung < 0 ? 'trainlens tune: baseline run (settings as written)…' : `trainlens tune: rung ${rung}, ${steps} steps: ${describeSettings(settings)}…`),
    onTrialEnd: (trial) => say(formatTrialRow(trial)),
  });
  const onInterrupt = (): void => {
    say('\ntrainlens tune: stopping; the verdict keeps what was measured');
    tuning.stop();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  let outcome: TuneOutcome;
  try {
    outcome = await tuning.outcome;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
  const report = formatTuneReport(outcome).join('\n') + '\n';
  if (values.json) {
    io.stdout.write(JSON.stringify(tuneJson(outcome), null, 2) + '\n');
    io.stderr.write(report);
  } else {
    io.stdout.write(report);
  }
  if (values['apply-best']) return applyBest(outcome, io);
  return 0;
}

/** Exit status 0 when every fix applied (or the baseline stays best), 1 when some were refused. */
async function applyBest(outcome: TuneOutcome, io: CliIo): Promise<number> {
  const target = outcome.fixTarget;
  if (outcome.fixes.length === 0 || target === null) {
    const why = outcome.unwritable.length > 0 ? `no fix writes ${outcome.unwritable.join(', ')}: set it by hand` : 'the baseline settings stay best';
    io.stderr.write(`trainlens tune: nothing to apply: ${why}\n`);
    return 0;
  }
  const language = languageOfPath(target.file);
  if (language === null) {
    io.stderr.write(`trainlens tune: cannot apply: ${target.file} is not a source file the fixes know\n`);
    return 1;
  }
  const grammars = await loadGrammars(defaultWasm(), [language]);
  const edit = editForSettings(grammars, fs.readFileSync(target.file, 'utf8'), language, outcome.fixes, {
    cores: availableCores(),
    cuda: target.cuda,
    torchVersion: target.torchVersion,
    platform: process.platform,
    ...(target.line !== null && { line: target.line }),
  });
  for (const title of edit.applied) io.stderr.write(`applied: ${title}\n`);
  for (const reason of edit.refused) io.stderr.write(`refused: ${reason}\n`);
  if (edit.text !== null) {
    fs.writeFileSync(target.file, edit.text);
    io.stderr.write(`wrote ${target.file}\n`);
  }
  return edit.refused.length > 0 ? 1 : 0;
}

function defaultWasm(): WasmLocator {
  if (fs.existsSync(path.join(__dirname, WASM_FILES.runtime))) return wasmInFolder(__dirname);
  return wasmInNodeModules(path.resolve(__dirname, '..', '..', 'node_modules'));
}
