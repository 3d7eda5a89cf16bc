/**
 * The webview's copy of the run: a snapshot with deltas applied on top. No DOM here, so the host's
 * tests can prove that snapshot(v1) + delta(v1→v2) equals snapshot(v2).
 */
import type { CompareData, DeltaMessage, PanelSeries, PanelView, SeriesSplice } from '../protocol/webview-messages';

/** What the webview keeps across being hidden (vscode.setState), instead of retainContextWhenHidden. */
export interface PersistedState {
  view: PanelView | null;
  compare: CompareData | null;
  scrollY: number;
}

export const EMPTY_STATE: PersistedState = { view: null, compare: null, scrollY: 0 };

/** The view at `delta.version`, or undefined when the delta does not apply to this version. */
export function applyDelta(view: PanelView, delta: DeltaMessage): PanelView | undefined {
  if (delta.fromVersion !== view.version) return undefined;
  return {
    title: view.title,
    version: delta.version,
    series: delta.series ? spliceSeries(view.series, delta.series) : view.series,
    tables: { ...view.tables, ...delta.tables },
  };
}

function spliceColumn<T>(column: readonly T[], from: number, tail: readonly T[]): T[] {
  return column.slice(0, from).concat(tail);
}

function spliceSeries(series: PanelSeries, splice: SeriesSplice): PanelSeries {
  const { from, columns } = splice;
  const stageShare: PanelSeries['stageShare'] = {};
  for (const [stage, tail] of Object.entries(columns.stageShare) as Array<[keyof PanelSeries['stageShare'], Array<number | null>]>) {
    // A stage first seen in this delta arrives with from = 0 (the host sends the whole column).
    stageShare[stage] = spliceColumn(series.stageShare[stage] ?? [], from, tail);
  }
  return {
    tS: spliceColumn(series.tS, from, columns.tS),
    batchesPerSec: spliceColumn(series.batchesPerSec, from, columns.batchesPerSec),
    samplesPerSec: spliceColumn(series.samplesPerSec, from, columns.samplesPerSec),
    stageShare,
    gpuUtilPct: spliceColumn(series.gpuUtilPct, from, columns.gpuUtilPct),
    gpuMemUsedMiB: spliceColumn(series.gpuMemUsedMiB, from, columns.gpuMemUsedMiB),
    cpuPct: spliceColumn(series.cpuPct, from, columns.cpuPct),
    systemCpuPct: spliceColumn(series.systemCpuPct, from, columns.systemCpuPct),
    rssBytes: spliceColumn(series.rssBytes, from, columns.rssBytes),
  };
}
