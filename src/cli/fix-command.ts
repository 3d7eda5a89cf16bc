/**
 * `trainlens fix`: the fixes for a recorded run's findings as unified diffs (`--apply` writes
 * them), one fix on one file without a run (`--file F --fix ID`), or the catalogue (`--list`).
 * Diffs go to stdout, so they can be piped to `git apply`; messages go to stderr.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fixContextForRun } from '../core/fixes/run-context';
import { FIXES, fixById, languageOfPath, runFix } from '../core/fixes/catalogue';
import { applyEdits, mapLine } from '../core/fixes/edits';
import { loadGrammars, wasmInFolder, wasmInNodeModules, WASM_FILES, type Grammars, type WasmLocator } from '../core/fixes/grammars';
import type { FixContext, SourceLanguage, TextEdit } from '../core/fixes/types';
import { unifiedDiff } from '../core/fixes/unified-diff';
import type { RunSummary } from '../core/summary';
import { availableCores } from '../host/analysis';
import { loadSummary, resolveRunDir } from '../host/recording/recording-reader';
import { CliUsageError, type CliIo } from './io';

const OPTIONS = {
  apply: { type: 'boolean' },
  list: { type: 'boolean' },
  file: { type: 'string' },
  fix: { type: 'string' },
  line: { type: 'string' },
  every: { type: 'string' },
  cores: { type: 'string' },
  cuda: { type: 'boolean' },
  bf16: { type: 'boolean' },
  'torch-version': { type: 'string' },
} as const;

/**
 * Exit codes: 0 fixes shown or applied (or nothing to fix), 1 every fix refused, 2 usage.
 * `wasm` locates tree-sitter's files: next to the bundle (dist/) when shipped, else node_modules.
 */
export async function runFixCommand(argv: string[], io: CliIo, wasm: WasmLocator = defaultWasm()): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  if (values.list) {
    for (const fix of FIXES) io.stdout.write(`${fix.id.padEnd(30)} ${fix.languages.join('/').padEnd(32)} ${fix.title}\n`);
    return 0;
  }
  const overrides: Partial<FixContext> = {
    ...(values.line !== undefined && { line: positiveInt(values.line, '--line') }),
    ...(values.every !== undefined && { everyN: positiveInt(values.every, '--every') }),
    ...(values.cores !== undefined && { cores: positiveInt(values.cores, '--cores') }),
    ...(values.cuda && { cuda: true }),
    ...(values.bf16 && { bf16Supported: true }),
    ...(values['torch-version'] !== undefined && { torchVersion: values['torch-version'] }),
  };
  if (values.file !== undefined || values.fix !== undefined) {
    if (values.file === undefined || values.fix === undefined || positionals.length > 0) {
      throw new CliUsageError('fix --file F --fix ID [--apply] takes both --file and --fix, and no run');
    }
    if (!fixById(values.fix)) throw new CliUsageError(`unknown fix "${values.fix}" (trainlens fix --list shows them)`);
    const ctx: FixContext = { cores: availableCores(), cuda: false, platform: process.platform, ...overrides };
    const plan = [{ file: path.resolve(io.cwd, values.file), fixId: values.fix, ctx }];
    return runPlan(plan, Boolean(values.apply), io, wasm);
  }
  const target = positionals[0];
  if (!target || positionals.length > 1) throw new CliUsageError('fix takes one run directory or "latest", or --file F --fix ID, or --list');
  const summary = loadSummary(resolveRunDir(target, io.cwd));
  const plan = planForRun(summary, overrides);
  if (plan.length === 0) {
    io.stderr.write(`no fixes to offer: ${summary.findings.length === 0 ? 'the run has no findings' : 'no finding of this run has a fix'}\n`);
    return 0;
  }
  return runPlan(plan, Boolean(values.apply), io, wasm);
}

interface PlannedFix {
  file: string;
  fixId: string;
  ctx: FixContext;
}

/** One entry per (fix, file, line) of the findings, most impactful finding first. */
function planForRun(summary: RunSummary, overrides: Partial<FixContext>): PlannedFix[] {
  const seen = new Set<string>();
  const plan: PlannedFix[] = [];
  for (const finding of [...summary.findings].sort((a, b) => b.impact - a.impact)) {
    const location = finding.locations[0];
    if (!location) continue;
    const file = path.resolve(summary.cwd, location.file);
    for (const fixId of finding.fixes) {
      const key = `${fixId}\0${file}\0${location.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ctx: FixContext = {
        ...fixContextForRun(summary, finding, { cores: availableCores(), platform: process.platform }),
        line: location.line,
        ...overrides,
      };
      plan.push({ file, fixId, ctx });
    }
  }
  return plan;
}

/**
 * Applies the plan file by file, each fix on the text the previous ones left (their lines mapped
 * through the earlier edits), then prints one diff per file and writes it with --apply.
 */
async function runPlan(plan: PlannedFix[], apply: boolean, io: CliIo, wasm: WasmLocator): Promise<number> {
  const files = [...new Set(plan.map((p) => p.file))];
  const languages = new Map(files.map((file) => [file, languageOfPath(file)]));
  const wanted = [...new Set([...languages.values()].filter((l): l is SourceLanguage => l !== null))];
  const grammars = await loadGrammars(wasm, wanted);
  let applied = 0;
  let refused = 0;
  for (const file of files) {
    const outcome = fixFile(grammars, file, languages.get(file) ?? null, plan.filter((p) => p.file === file), io);
    applied += outcome.applied;
    refused += outcome.refused;
    if (outcome.after === null) continue;
    const shown = shownPath(io.cwd, file);
    const inside = !path.isAbsolute(shown);
    io.stdout.write(unifiedDiff(outcome.before, outcome.after, inside ? `a/${shown}` : shown, inside ? `b/${shown}` : shown));
    if (apply) {
      fs.writeFileSync(file, outcome.after);
      io.stderr.write(`wrote ${shown}\n`);
    }
  }
  if (!apply && applied > 0) io.stderr.write('(dry run: add --apply to write these changes)\n');
  return applied === 0 && refused > 0 ? 1 : 0;
}

interface FileOutcome {
  before: string;
  /** The fixed text; null when no fix applied. */
  after: string | null;
  applied: number;
  refused: number;
}

function fixFile(grammars: Grammars, file: string, language: SourceLanguage | null, fixes: PlannedFix[], io: CliIo): FileOutcome {
  const shown = shownPath(io.cwd, file);
  const skip = (reason: string): FileOutcome => {
    for (const p of fixes) io.stderr.write(`${p.fixId} (${shown}): refused: ${reason}\n`);
    return { before: '', after: null, applied: 0, refused: fixes.length };
  };
  if (!language) return skip('not a Python, JavaScript or TypeScript file');
  let before: string;
  try {
    before = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return skip(`cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let text = before;
  let applied = 0;
  let refused = 0;
  const history: Array<{ text: string; edits: TextEdit[] }> = [];
  for (const p of fixes) {
    // Lines point into the file as recorded; earlier fixes may have moved them.
    const line = p.ctx.line === undefined ? undefined : history.reduce((l, h) => mapLine(h.text, h.edits, l), p.ctx.line);
    const result = runFix(grammars, p.fixId, text, language, { ...p.ctx, line });
    const where = `${shown}${line === undefined ? '' : `:${line}`}`;
    if (!result.ok) {
      refused++;
      io.stderr.write(`${p.fixId} (${where}): refused: ${result.reason}\n`);
      continue;
    }
    applied++;
    io.stderr.write(`${p.fixId} (${where}): ${result.title}\n`);
    history.push({ text, edits: result.edits });
    text = applyEdits(text, result.edits);
  }
  return { before, after: applied > 0 ? text : null, applied, refused };
}

/** Relative to the working directory when inside it (git-style a/ b/ headers), else absolute. */
function shownPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function positiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new CliUsageError(`${flag} takes a positive whole number, not "${text}"`);
  return value;
}

function defaultWasm(): WasmLocator {
  if (fs.existsSync(path.join(__dirname, WASM_FILES.runtime))) return wasmInFolder(__dirname);
  // Running from source (tsx, src/cli/): the files are where npm put them.
  return wasmInNodeModules(path.resolve(__dirname, '..', '..', 'node_modules'));
}
