/** A finding: what limits the run, the numbers behind it, where in the code, and what fixes apply. */

export type Severity = 'high' | 'moderate' | 'info';

export interface FindingLocation {
  file: string;
  line: number;
  /** Why this location, e.g. "DataLoader built here". */
  why?: string;
}

export interface Finding {
  /** Stable code; also the diagnostic code in the editor. */
  code: string;
  severity: Severity;
  title: string;
  /** One sentence a user understands, with the measured numbers. */
  message: string;
  evidence: Record<string, number>;
  locations: FindingLocation[];
  /** Fix ids (see the fixes catalogue). */
  fixes: string[];
  /** Estimated share of step time at stake, 0..1; orders findings. */
  impact: number;
}
