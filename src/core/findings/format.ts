/** Findings as plain-text lines for the CLI report. */
import { compareFindings, SEVERITY_WORDS, type Finding } from './finding';

const INDENT = ' '.repeat(Math.max(...Object.values(SEVERITY_WORDS).map((l) => l.length)) + 1);

/**
 * Most impact first; per finding a headline with its numbers, then one `at file:line` line per
 * location and the fix ids (what `trainlens fix` applies).
 */
export function formatFindings(findings: readonly Finding[]): string[] {
  return [...findings].sort(compareFindings).flatMap((f) => [
    `${SEVERITY_WORDS[f.severity].padEnd(INDENT.length)}${f.code}: ${f.message}`,
    ...f.locations.map((l) => `${INDENT}at ${l.file}:${l.line}${l.why ? ` (${l.why})` : ''}`),
    ...(f.fixes.length > 0 ? [`${INDENT}fixes: ${f.fixes.join(', ')}`] : []),
  ]);
}
