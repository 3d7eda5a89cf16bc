/** A distributed job's ranks table (rows formatted by core/ranks-table.ts); hidden for one process. */
import { RANK_COLUMNS } from '../core/ranks-table';
import { fill, h } from './dom';

const NUMERIC = new Set<string>(['pid', 'steps', 'batches/s', 'samples/s', 'step median', 'comm wait']);

export function renderRanks(root: HTMLElement, ranks: ReadonlyArray<Record<string, string>> | undefined): void {
  root.hidden = !ranks || ranks.length === 0;
  if (!ranks || ranks.length === 0) return;
  fill(
    root,
    h('h2', {}, 'Ranks ', h('span', { class: 'muted' }, `${ranks.length} recorded · the job's batches/s are its slowest rank's, its samples/s all ranks' together`)),
    h('table', { class: 'grid ranks' },
      h('thead', {}, h('tr', {}, ...RANK_COLUMNS.map((c) => h('th', { class: NUMERIC.has(c) ? 'num' : '' }, c)))),
      h('tbody', {}, ...ranks.map((row) => h('tr', { data: { rank: row.rank ?? '' } }, ...RANK_COLUMNS.map((c) => h('td', { class: NUMERIC.has(c) ? 'num' : '' }, row[c] ?? ''))))),
    ),
  );
}
