/** Before/after of a fix (re-run and compare): the verdict in words, throughput, stage shares. */
import { formatRate, formatShare, formatSignedPct, STAGE_LABELS } from '../core/format';
import type { CompareData, CompareVerdict } from '../protocol/webview-messages';
import { fill, h } from './dom';

const TONE: Record<CompareVerdict, string> = { faster: 'better', slower: 'worse', 'no-change': 'neutral', 'not-comparable': 'neutral' };

export function renderCompare(root: HTMLElement, compare: CompareData | null): void {
  root.hidden = compare === null;
  if (!compare) return;
  const band = `±${compare.noiseBandPct.toFixed(1)}% noise${compare.noiseRuns > 0 ? ` (${compare.noiseRuns} runs)` : ' (assumed)'}`;
  fill(
    root,
    h('h2', {}, 'Before / after ', h('span', { class: 'muted' }, compare.title)),
    h('div', { class: 'compare-rates' },
      h('div', { class: 'metric' }, h('div', { class: 'value' }, formatRate(compare.batchesPerSecBefore)), h('div', { class: 'label' }, 'batches/s before')),
      h('div', { class: 'arrow' }, '→'),
      h('div', { class: 'metric' }, h('div', { class: 'value' }, formatRate(compare.batchesPerSecAfter)), h('div', { class: 'label' }, 'batches/s after')),
      h('div', { class: `verdict tone-${TONE[compare.verdict]}`, data: { verdict: compare.verdict, changePct: compare.changePct === null ? '' : String(compare.changePct) } },
        formatSignedPct(compare.changePct), h('span', { class: 'muted' }, ` · ${band}`),
      ),
    ),
    h('p', { class: 'sentence' }, compare.sentence),
    ...compare.caveats.map((c) => h('p', { class: 'muted' }, `Caveat: ${c}.`)),
    compare.stageShares.length > 0 &&
      h('table', { class: 'grid compare-stages' },
        h('thead', {}, h('tr', {}, h('th', {}, 'stage'), h('th', { class: 'num' }, 'before'), h('th', { class: 'num' }, 'after'))),
        h('tbody', {},
          ...compare.stageShares.map((s) =>
            h('tr', {},
              h('td', {}, h('span', { class: `swatch stage-${s.stage}` }), STAGE_LABELS[s.stage]),
              h('td', { class: 'num' }, formatShare(s.before)),
              h('td', { class: 'num' }, formatShare(s.after)),
            ),
          ),
        ),
      ),
  );
}
