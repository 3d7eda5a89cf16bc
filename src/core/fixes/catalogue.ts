/**
 * The fix catalogue: stable ids and titles, and the two entry points the editor and the CLI use.
 * runFix parses, applies one fix and re-parses the result, so an edit that would break the file
 * is withheld rather than offered.
 */
import { cudnnBenchmark } from './cudnn-benchmark';
import { dataloaderPersistentWorkers } from './dataloader-persistent-workers';
import { dataloaderPinMemory } from './dataloader-pin-memory';
import { dataloaderPrefetchFactor } from './dataloader-prefetch-factor';
import { dataloaderWorkers } from './dataloader-workers';
import { applyEdits, detectNewline } from './edits';
import type { Grammars } from './grammars';
import { gradAccumulation } from './grad-accumulation';
import { metricEveryN } from './metric-every-n';
import { mixedPrecision } from './mixed-precision';
import { optimizerForeach } from './optimizer-foreach';
import { tfdataParallelMap } from './tfdata-parallel-map';
import { tfdataPrefetch } from './tfdata-prefetch';
import { tfjsPrefetch } from './tfjs-prefetch';
import type { FixId } from '../findings/finding';
import type { Fix, FixContext, FixResult, ParsedFile, SourceLanguage, TextEdit } from './types';
import { zeroGradSetToNone } from './zero-grad-set-to-none';

export const FIXES: readonly Fix[] = [
  dataloaderWorkers,
  dataloaderPinMemory,
  dataloaderPersistentWorkers,
  dataloaderPrefetchFactor,
  tfdataPrefetch,
  tfdataParallelMap,
  tfjsPrefetch,
  gradAccumulation,
  mixedPrecision,
  metricEveryN,
  zeroGradSetToNone,
  cudnnBenchmark,
  optimizerForeach,
];

export function fixById(id: string): Fix | undefined {
  return FIXES.find((fix) => fix.id === id);
}

const EXTENSIONS: Record<string, SourceLanguage> = {
  py: 'python',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
};

export function languageOfPath(filePath: string): SourceLanguage | null {
  const dot = filePath.lastIndexOf('.');
  return dot < 0 ? null : (EXTENSIONS[filePath.slice(dot + 1).toLowerCase()] ?? null);
}

export function runFix(grammars: Grammars, id: string, source: string, language: SourceLanguage, ctx: FixContext): FixResult {
  const fix = fixById(id);
  if (!fix) return { ok: false, reason: `there is no fix "${id}" (trainlens fix --list shows them)` };
  if (!fix.languages.includes(language)) {
    return { ok: false, reason: `${id} applies to ${fix.languages.join('/')} files, not ${language}` };
  }
  return withParsed(grammars, source, language, (file) => checked(grammars, file, fix, ctx));
}

export interface DetectedFix {
  fixId: FixId;
  /** 1-based line to show the lightbulb on. */
  line: number;
  title: string;
  edits: TextEdit[];
}

/**
 * Fixes worth offering on this code before any run: the safe ones, where they would apply.
 * `only` narrows them further (the editor offers fewer than the catalogue allows).
 */
export function detectFixes(grammars: Grammars, source: string, language: SourceLanguage, ctx: FixContext, only?: ReadonlySet<FixId>): DetectedFix[] {
  return withParsed(grammars, source, language, (file) => {
    if (file.root.hasError) return [];
    const found: DetectedFix[] = [];
    for (const fix of FIXES) {
      if (!fix.candidates || !fix.languages.includes(language) || (only && !only.has(fix.id))) continue;
      for (const line of new Set(fix.candidates(file))) {
        const result = checked(grammars, file, fix, { ...ctx, line });
        if (result.ok) found.push({ fixId: fix.id, line, title: result.title, edits: result.edits });
      }
    }
    return found;
  });
}

function withParsed<T>(grammars: Grammars, source: string, language: SourceLanguage, use: (file: ParsedFile) => T): T {
  const tree = grammars.parse(language, source);
  try {
    return use({ source, root: tree.rootNode, language, newline: detectNewline(source) });
  } finally {
    tree.delete();
  }
}

/**
 * An edit that is not in the catalogue (tuning's thread count, at the count it measured), parsed and
 * checked as runFix checks a fix.
 */
export function runEdit(grammars: Grammars, source: string, language: SourceLanguage, id: string, apply: (file: ParsedFile) => FixResult): FixResult {
  return withParsed(grammars, source, language, (file) => checkedEdit(grammars, file, id, apply));
}

function checked(grammars: Grammars, file: ParsedFile, fix: Fix, ctx: FixContext): FixResult {
  return checkedEdit(grammars, file, fix.id, (parsed) => fix.apply(parsed, ctx));
}

function checkedEdit(grammars: Grammars, file: ParsedFile, id: string, apply: (file: ParsedFile) => FixResult): FixResult {
  if (file.root.hasError) {
    const error = file.root.descendantsOfType('ERROR')[0];
    const where = error ? ` near line ${error.startPosition.row + 1}` : '';
    return { ok: false, reason: `the file has a syntax error${where}; fix it before applying ${id}` };
  }
  const result = apply(file);
  if (!result.ok) return result;
  if (result.edits.length === 0) return { ok: false, reason: `${id} found nothing to change` };
  const after = grammars.parse(file.language, applyEdits(file.source, result.edits));
  try {
    if (after.rootNode.hasError) return { ok: false, reason: `${id} would leave the file unparsable, so it was withheld (a bug: please report it)` };
  } finally {
    after.delete();
  }
  return result;
}
