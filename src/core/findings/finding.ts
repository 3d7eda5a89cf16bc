/** A finding: what limits the run, the numbers behind it, where in the code, and what fixes apply. */

export type Severity = 'high' | 'moderate' | 'info';

/**
 * The one word for each severity, wherever a finding is shown: the panel's badge, the Problems
 * message (whose icon is mapped from it) and the CLI report all say the same thing.
 */
export const SEVERITY_WORDS: Readonly<Record<Severity, string>> = { high: 'High', moderate: 'Moderate', info: 'Info' };

export interface FindingLocation {
  file: string;
  line: number;
  /** Why this location, e.g. "DataLoader built here". */
  why?: string;
}

/** The fix ids findings may offer; the quick-fix catalogue implements exactly these. */
export const FIX_IDS = [
  'dataloader-workers',
  'dataloader-pin-memory',
  'dataloader-persistent-workers',
  'dataloader-prefetch-factor',
  'tfdata-prefetch',
  'tfdata-parallel-map',
  'tfjs-prefetch',
  'grad-accumulation',
  'mixed-precision',
  'metric-every-n',
  'zero-grad-set-to-none',
  'cudnn-benchmark',
  'optimizer-foreach',
] as const;
export type FixId = (typeof FIX_IDS)[number];

export interface Finding {
  /** Stable code; also the diagnostic code in the editor. */
  code: string;
  severity: Severity;
  title: string;
  /** One sentence a user understands, with the measured numbers. */
  message: string;
  evidence: Record<string, number>;
  locations: FindingLocation[];
  /** Fix ids (FIX_IDS). Plain strings on the wire: a summary read back from disk is not narrowed. */
  fixes: string[];
  /** Estimated share of step time at stake, 0..1; orders findings. */
  impact: number;
}

/** Most urgent first. */
export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { high: 0, moderate: 1, info: 2 };

/** Report order: most impact first, then severity, then code so that ties read the same every run. */
export function compareFindings(a: Finding, b: Finding): number {
  return b.impact - a.impact || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.code.localeCompare(b.code);
}
