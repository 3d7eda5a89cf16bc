/**
 * The tuning chart's data: one point per trial that measured a rate, at its place in the order the
 * trials ran, the script's own settings (baseline and controls) apart from the settings tried, with
 * the rungs' boundaries and the noise band around the script's own speed. Pure: the webview plots it.
 */
import type { TuneBand, TuneTrialRow } from '../../protocol/tune-messages';
import { mean } from '../stats';

export interface TuneChartData {
  /** Trial indices, one per row (a trial without a rate keeps its place, with nulls). */
  x: number[];
  asWritten: Array<number | null>;
  tried: Array<number | null>;
  /** x positions halfway between the last trial of a rung and the first of the next. */
  rungBreaks: number[];
  /** The rung of each x, for labels: -1 is the baseline run. */
  rungs: number[];
  band: { low: number; high: number; mid: number } | null;
  /** Points drawn: trials that measured a rate. */
  points: number;
}

export function tuneChartData(rows: readonly TuneTrialRow[], band: TuneBand | null): TuneChartData {
  const x = rows.map((r) => r.index);
  const asWritten = rows.map((r) => (r.asWritten ? r.batchesPerSec : null));
  const tried = rows.map((r) => (r.asWritten ? null : r.batchesPerSec));
  const rungBreaks: number[] = [];
  for (let i = 1; i < rows.length; i++) {
    const before = rows[i - 1]!;
    const after = rows[i]!;
    if (after.rung !== before.rung) rungBreaks.push((before.index + after.index) / 2);
  }
  return {
    x,
    asWritten,
    tried,
    rungBreaks,
    rungs: rows.map((r) => r.rung),
    band: band && { low: band.batchesPerSec * (1 - band.pct / 100), high: band.batchesPerSec * (1 + band.pct / 100), mid: band.batchesPerSec },
    points: rows.filter((r) => r.batchesPerSec !== null).length,
  };
}

/** "baseline", "rung 0": how a trial's rung reads. */
export function rungLabel(rung: number): string {
  return rung < 0 ? 'baseline' : `rung ${rung}`;
}

/** "3:37 left of 5:00"-style figures: seconds left in the budget, never negative. */
export function secondsLeft(budgetMs: number, elapsedMs: number): number {
  return Math.max(0, Math.round((budgetMs - elapsedMs) / 1000));
}

/** The script's own speed in a rung (its controls ran beside the settings tried there, under the same load); null when none measured. */
export function rungReference(rows: readonly TuneTrialRow[], rung: number): number | null {
  return mean(rows.filter((r) => r.rung === rung && r.asWritten && r.batchesPerSec !== null).map((r) => r.batchesPerSec as number));
}
