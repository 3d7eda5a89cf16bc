/** Reading the run's source code through the facts' line accessor. */
import type { RunFacts } from './facts';
import { ModelFlow } from './feeds-model';

/** Longest file a scan reads; a training script or model file is far shorter. */
export const MAX_SCANNED_LINES = 20_000;

/** Source text of a line with its comment cut off, or undefined when it cannot be read. */
export function codeAt(facts: RunFacts, file: string, line: number): string | undefined {
  const text = facts.sourceLines?.(file, line);
  // A comment marker inside a string literal cuts too much; that only makes a rule quieter.
  return text?.replace(file.endsWith('.py') ? /\s*#.*$/ : /\s*\/\/.*$/, '');
}

/**
 * Whether any code line of the given files matches the pattern; null when no file could be read,
 * so a rule that needs to know something is absent stays silent rather than guessing.
 */
export function filesMention(facts: RunFacts, files: readonly string[], pattern: RegExp): boolean | null {
  let readAny = false;
  for (const file of new Set(files)) {
    for (let line = 1; line <= MAX_SCANNED_LINES; line++) {
      const text = codeAt(facts, file, line);
      if (text === undefined) break;
      readAny = true;
      if (pattern.test(text)) return true;
    }
  }
  return readAny ? false : null;
}

/** The script and the files of the hot lines: where a training setting would be written. */
export function runFiles(facts: RunFacts): string[] {
  const files = facts.summary.hotLines.map((l) => l.file);
  return facts.summary.script ? [facts.summary.script, ...files] : files;
}

/** Mixed precision as code writes it: torch.autocast / torch.cuda.amp, GradScaler, half or bf16
 * models and tensors, Lightning's precision flags. */
const MIXED_PRECISION = /autocast|GradScaler|\.half\(\)|bfloat16|float16|\bbf16\b|16-mixed/;

/** Whether the run's code uses mixed precision; null when it cannot be read. */
export function usesMixedPrecision(facts: RunFacts): boolean | null {
  return filesMention(facts, runFiles(facts), MIXED_PRECISION);
}

/** Data flow to the model over the run's files (see feeds-model.ts). */
export function modelFlow(facts: RunFacts): ModelFlow {
  return new ModelFlow(facts.sourceLines ?? (() => undefined), runFiles(facts));
}
