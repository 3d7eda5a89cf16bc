/** Headline figures, the stage table, hot lines and ceilings. Figures arrive raw; formatting is here. */
import { formatMs, formatRate, formatShare, STAGE_LABELS, stagedStepsText } from '../core/format';
import type { PanelCeilings, PanelHeadline, PanelHotLine, PanelStageTable } from '../protocol/webview-messages';
import { fill, formatElapsed, h, locationLink } from './dom';

function metric(label: string, key: string, value: number | null, text: string): HTMLElement {
  return h('div', { class: 'metric', data: { metric: key, value: value === null ? '' : String(value) } }, h('div', { class: 'value' }, text), h('div', { class: 'label' }, label));
}

export function renderHeadline(root: HTMLElement, title: string, headline: PanelHeadline): void {
  const scope =
    headline.scope === 'live'
      ? `live · last ${(headline.windowMs ?? 0) / 1000} s`
      : `steady state${headline.warmupSteps > 0 ? ` · ${headline.warmupSteps === 1 ? 'first step' : `first ${headline.warmupSteps} steps`} left out as warm-up` : ''}`;
  fill(
    root,
    h('div', { class: 'title-row' },
      h('h1', {}, title),
      h('span', { class: `status status-${headline.status}`, data: { status: headline.status } }, headline.status),
      h('span', { class: 'muted' }, scope),
    ),
    h('div', { class: 'metrics' },
      metric('batches/s', 'batchesPerSec', headline.batchesPerSec, formatRate(headline.batchesPerSec)),
      metric('samples/s', 'samplesPerSec', headline.samplesPerSec, formatRate(headline.samplesPerSec)),
      headline.tokensPerSec !== null && metric('tokens/s', 'tokensPerSec', headline.tokensPerSec, formatRate(headline.tokensPerSec)),
      metric('step, median', 'stepMsMedian', headline.stepMsMedian, formatMs(headline.stepMsMedian)),
      metric('steps', 'steps', headline.steps, headline.steps.toLocaleString('en-US')),
      metric('elapsed', 'durationMs', headline.durationMs, formatElapsed(headline.durationMs / 1000)),
      headline.eval && metric(`eval · ${headline.eval.passes} ${headline.eval.passes === 1 ? 'pass' : 'passes'}, ${headline.eval.batches} batches`, 'evalMs', headline.eval.ms, formatMs(headline.eval.ms)),
    ),
    headline.stepsNote !== null && h('p', { class: headline.stepsRecognised ? 'muted steps-note' : 'steps-note unrecognised', data: { recognised: String(headline.stepsRecognised) } }, headline.stepsNote),
    headline.startupNote !== null && h('p', { class: 'muted startup-note' }, `${headline.startupNote} (kept out of the hot lines)`),
  );
}

function shareBar(share: number, className: string): HTMLElement {
  const bar = h('div', { class: `bar ${className}` });
  // CSSOM, not a style attribute: allowed under the panel's CSP without 'unsafe-inline'.
  bar.style.width = `${Math.max(0, Math.min(1, share)) * 100}%`;
  return h('div', { class: 'bar-track' }, bar);
}

export function renderStages(root: HTMLElement, table: PanelStageTable): void {
  if (table.rows.length === 0) {
    fill(root, h('h2', {}, 'Stages per step'), h('p', { class: 'muted' }, 'No steps yet.'));
    return;
  }
  const device = table.rows.some((r) => r.deviceMs !== null);
  const steps = stagedStepsText(table.stagedSteps, table.steps) ?? `${table.steps} steps`;
  const scope = table.windowMs !== null ? `last ${table.windowMs / 1000} s · ${steps}` : `steady state · ${steps}`;
  fill(
    root,
    h('h2', {}, 'Stages per step ', h('span', { class: 'muted' }, scope)),
    h('table', { class: 'grid stages' },
      h('thead', {}, h('tr', {}, h('th', {}, 'stage'), h('th', { class: 'num' }, 'ms/step'), h('th', { class: 'num', title: 'Share of step time' }, 'share'), h('th', {}, ''), device && h('th', { class: 'num', title: 'Device-side time (CUDA events)' }, 'device ms'))),
      h('tbody', {},
        ...table.rows.map((row) =>
          h('tr', { data: { stage: row.stage, share: String(row.share), ms: String(row.ms) } },
            h('td', {}, h('span', { class: `swatch stage-${row.stage}` }), STAGE_LABELS[row.stage]),
            h('td', { class: 'num' }, formatMs(row.ms)),
            h('td', { class: 'num' }, formatShare(row.share)),
            h('td', { class: 'bar-cell' }, shareBar(row.share, `stage-${row.stage}`)),
            device && h('td', { class: 'num' }, formatMs(row.deviceMs)),
          ),
        ),
      ),
    ),
    table.forwardBackwardMerged && h('p', { class: 'muted' }, 'This framework runs forward and backward in one call: they are measured together.'),
  );
}

export function renderHotLines(root: HTMLElement, lines: readonly PanelHotLine[]): void {
  if (lines.length === 0) {
    fill(root, h('h2', {}, 'Hot lines'), h('p', { class: 'muted' }, 'No line samples yet.'));
    return;
  }
  // Shares are of the sampled wall time with start-up set apart (line-profile.ts); say so, as they
  // are not the stage table's (or the status bar's) shares of step time.
  const of = 'share of sampled wall time after start-up';
  fill(
    root,
    h('h2', {}, 'Hot lines ', h('span', { class: 'muted' }, `${of} · click to open`)),
    h('table', { class: 'grid hot-lines' },
      h('thead', {}, h('tr', {}, h('th', { class: 'num' }, 'share'), h('th', { class: 'line' }, 'line'), h('th', { class: 'stage' }, 'stage'), h('th', { class: 'fn' }, 'function'), h('th', { class: 'via' }, 'spends time in'))),
      h('tbody', {},
        ...lines.map((line) =>
          h('tr', { data: { openFile: line.file, openLine: String(line.line) }, class: 'clickable', title: rowTitle(line) },
            h('td', { class: 'num' }, formatShare(line.share)),
            h('td', { class: 'path' }, locationLink(line)),
            h('td', { class: 'stage' }, line.stage !== 'none' && h('span', { class: `swatch stage-${line.stage}` }), STAGE_LABELS[line.stage]),
            h('td', { class: 'mono fn' }, line.fn ?? ''),
            h('td', { class: 'mono muted via' }, line.via ?? ''),
          ),
        ),
      ),
    ),
  );
}

/** Everything a row says, for a narrow panel that hides the function and call columns. */
function rowTitle(line: PanelHotLine): string {
  const calls = [line.fn && `in ${line.fn}`, line.via && `spends time in ${line.via}`].filter(Boolean).join(', ');
  return `${line.file}:${line.line} · ${line.samples} samples${calls ? ` · ${calls}` : ''}`;
}

export function renderCeilings(root: HTMLElement, ceilings: PanelCeilings | null, headline: PanelHeadline): void {
  if (!ceilings) {
    fill(
      root,
      h('h2', {}, 'Ceilings'),
      h('p', { class: 'muted' },
        headline.scope === 'live' ? 'Shown when the run ends, if measured. ' : 'Not measured for this run. ',
        'The setting ',
        h('code', {}, 'trainlens.ceilings'),
        ' (or ',
        h('code', {}, 'trainlens record --ceilings'),
        ' in a terminal) also measures the data pipeline alone and the training step alone after a run.',
      ),
    );
    return;
  }
  const actual = ceilings.actualBatchesPerSec ?? headline.batchesPerSec;
  const ceiling = ceilings.ceilingBatchesPerSec;
  const scale = Math.max(actual ?? 0, ceilings.dataOnlyBatchesPerSec ?? 0, ceilings.computeOnlyBatchesPerSec ?? 0);
  const row = (label: string, value: number | null, className: string, limiting: boolean): HTMLElement =>
    h('tr', { class: limiting ? 'limiting' : '' },
      h('td', {}, label, limiting && h('span', { class: 'tag' }, 'limit')),
      h('td', { class: 'num' }, `${formatRate(value)} batches/s`),
      h('td', { class: 'bar-cell' }, value !== null && scale > 0 ? shareBar(value / scale, className) : ''),
    );
  fill(
    root,
    h('h2', {}, 'Ceilings'),
    h('table', { class: 'grid ceilings' },
      h('tbody', {},
        row('actual', actual, 'actual', false),
        row('data pipeline alone', ceilings.dataOnlyBatchesPerSec, 'ceiling', ceilings.limitedBy === 'data'),
        row('training step alone', ceilings.computeOnlyBatchesPerSec, 'ceiling', ceilings.limitedBy === 'compute'),
      ),
    ),
    h('p', { class: 'gap', data: { gap: ceilings.gap === null ? '' : String(ceilings.gap) } },
      ceilings.gap === null ? 'Gap to the ceiling: –' : `${formatShare(ceilings.gap)} below the ceiling of ${formatRate(ceiling)} batches/s`,
    ),
    ceilings.note && h('p', { class: 'muted' }, ceilings.note),
  );
}
