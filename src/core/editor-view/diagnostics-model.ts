/**
 * Findings as diagnostics, as data. Source and code are the contract with the quick-fix provider:
 * it finds its diagnostics by source `TrainLens` and picks fixes by `code` (the finding's code).
 */
import { SEVERITY_WORDS, type Finding, type FindingLocation, type Severity } from '../findings/finding';

export const DIAGNOSTIC_SOURCE = 'TrainLens';

export type DiagnosticSeverityName = 'warning' | 'information' | 'hint';

/**
 * A finding is never a compile error; only the ones that cost real time ask for attention. The icon
 * comes from this mapping, the word in the message is the panel's and the CLI's (SEVERITY_WORDS).
 */
const SEVERITY: Record<Severity, DiagnosticSeverityName> = { high: 'warning', moderate: 'information', info: 'hint' };

export interface DiagnosticData {
  file: string;
  /** 0-based. */
  line0: number;
  severity: DiagnosticSeverityName;
  message: string;
  code: string;
  /** The finding's other locations, shown as related information. */
  related: Array<{ file: string; line0: number; message: string }>;
}

/**
 * One diagnostic per finding location. A finding without a location (e.g. low GPU use) goes on the
 * first line of the script, so it still shows in the Problems view next to the code it is about.
 */
export function diagnosticsFromFindings(findings: readonly Finding[], script: string | null): Map<string, DiagnosticData[]> {
  const byFile = new Map<string, DiagnosticData[]>();
  const seen = new Set<string>();
  for (const finding of findings) {
    const locations = finding.locations.filter((l) => l.line >= 1);
    const targets: FindingLocation[] = locations.length > 0 ? locations : script ? [{ file: script, line: 1 }] : [];
    for (const location of targets) {
      const key = `${finding.code}\0${location.file}\0${location.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const why = location.why ? ` (${location.why})` : '';
      const list = byFile.get(location.file) ?? [];
      list.push({
        file: location.file,
        line0: location.line - 1,
        severity: SEVERITY[finding.severity],
        message: `${SEVERITY_WORDS[finding.severity]} · ${finding.title}: ${finding.message}${why}`,
        code: finding.code,
        related: locations
          .filter((l) => l.file !== location.file || l.line !== location.line)
          .map((l) => ({ file: l.file, line0: l.line - 1, message: l.why ?? finding.title })),
      });
      byFile.set(location.file, list);
    }
  }
  return byFile;
}
