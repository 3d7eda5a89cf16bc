/** The ranks table the CLI report and the panel both show: one row of display strings per rank. */
import { formatMs, formatRate, formatShare } from './format';
import type { RankSummary } from './ranks';
import type { RunSummary } from './summary';

export const RANK_COLUMNS = ['rank', 'node', 'pid', 'steps', 'batches/s', 'samples/s', 'step median', 'comm wait', 'status'] as const;

export type RankRow = Record<(typeof RANK_COLUMNS)[number], string>;

export function rankRows(summary: RunSummary): RankRow[] {
  return (summary.ranks ?? []).map(rankRow);
}

function rankRow(rank: RankSummary): RankRow {
  const comm = rank.communication;
  return {
    rank: `${rank.rank}/${rank.worldSize}`,
    node: rank.node ?? '–',
    pid: String(rank.pid),
    steps: String(rank.steps),
    'batches/s': formatRate(rank.throughput.batchesPerSec),
    'samples/s': formatRate(rank.throughput.samplesPerSec),
    'step median': formatMs(rank.throughput.stepMsMedian),
    'comm wait': comm ? `${formatMs(comm.exposedMsPerStep)} (${formatShare(comm.exposedShare)})` : '–',
    status: rank.error?.file ? `${rank.status} at ${rank.error.file.split(/[\\/]/).pop()}:${rank.error.line ?? '?'}` : rank.status,
  };
}

/** The table as aligned text lines, header first. */
export function rankTableLines(summary: RunSummary): string[] {
  const rows = rankRows(summary);
  if (rows.length === 0) return [];
  const widths = RANK_COLUMNS.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(RANK_COLUMNS), ...rows.map((r) => line(RANK_COLUMNS.map((c) => r[c])))];
}
