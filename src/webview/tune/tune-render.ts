/**
 * The tuning panel's text parts: progress (the trial running, time left in the budget) with Stop,
 * the verdict with Apply, the trials' table and the notes. Figures also go into data-* attributes,
 * which the end-to-end test reads.
 */
import { formatRate, formatSignedPct } from '../../core/format';
import { rungLabel, rungReference, secondsLeft } from '../../core/tune/tune-chart';
import type { TunePanelState, TuneTrialRow } from '../../protocol/tune-messages';
import { fill, formatElapsed, h } from '../dom';

const PHASE_WORDS: Record<TunePanelState['phase'], string> = {
  running: 'tuning',
  stopping: 'stopping',
  done: 'done',
  failed: 'failed',
};

export function renderProgress(root: HTMLElement, state: TunePanelState, stopButton: HTMLButtonElement): void {
  const left = secondsLeft(state.budgetMs, state.elapsedMs);
  const share = state.budgetMs > 0 ? Math.min(1, state.elapsedMs / state.budgetMs) : 1;
  const bar = h('div', { class: 'bar' });
  bar.style.width = `${(share * 100).toFixed(1)}%`;
  const current = state.current;
  const what = current
    ? `Trial #${current.index} · ${rungLabel(current.rung)}${current.steps === null ? '' : ` · ${current.steps} steps`} · ${current.settingsText}`
    : state.phase === 'running' || state.phase === 'stopping'
      ? 'Between trials…'
      : `${state.trials.length} trials in ${formatElapsed(state.elapsedMs / 1000)}`;
  stopButton.hidden = state.phase !== 'running';
  root.dataset.phase = state.phase;
  fill(
    root,
    h('div', { class: 'title-row' }, h('h1', {}, `Tune ${state.title}`), h('span', { class: `status status-${state.phase}` }, PHASE_WORDS[state.phase]), stopButton),
    h('p', { class: 'muted mono', title: state.command.join(' ') }, state.command.join(' ')),
    h('p', { class: 'current', data: current ? { index: String(current.index), rung: String(current.rung) } : {} }, what),
    h('div', { class: 'bar-track', title: `${Math.round(share * 100)}% of the budget` }, bar),
    h(
      'p',
      { class: 'time', data: { secondsLeft: String(left), elapsedMs: String(state.elapsedMs) } },
      `${formatElapsed(state.elapsedMs / 1000)} of ${formatElapsed(state.budgetMs / 1000)}`,
      state.phase === 'done' || state.phase === 'failed' ? '' : ` · ${formatElapsed(left)} left`,
    ),
  );
}

export function renderVerdict(root: HTMLElement, state: TunePanelState, applyButton: HTMLButtonElement): void {
  const v = state.verdict;
  root.hidden = v === null && state.error === null;
  if (state.error !== null) {
    fill(root, h('h2', {}, 'Tuning failed'), h('p', { class: 'error' }, state.error));
    return;
  }
  if (v === null) return;
  root.dataset.canApply = String(v.canApply);
  root.dataset.best = JSON.stringify(v.best);
  root.dataset.beyondNoise = String(v.beyondNoise);
  applyButton.hidden = !v.canApply || state.applied !== null;
  fill(
    root,
    h('h2', {}, 'Verdict'),
    h('p', { class: 'sentence' }, v.sentence),
    v.unwritable.length > 0 ? h('p', { class: 'muted' }, `No fix writes ${v.unwritable.join(', ')}: set it by hand.`) : null,
    applyButton,
    state.applied === null ? null : h('p', { class: 'applied' }, state.applied),
  );
}

/** "vs as written": against the script's own settings in the same rung (else the overall reference). */
const HEADERS = ['#', 'rung', 'settings', 'steps', 'batches/s', 'vs as written', 'status'];

export function renderTrials(root: HTMLElement, state: TunePanelState): void {
  const reference = state.band?.batchesPerSec ?? null;
  const band = state.band ? ` (±${state.band.pct.toFixed(1)}% noise band${state.band.runs > 0 ? ` of ${state.band.runs} runs` : ', assumed'})` : '';
  fill(
    root,
    h('h2', {}, 'Trials'),
    reference === null ? null : h('p', { class: 'muted' }, `As written: ${formatRate(reference)} batches/s${band}`),
    state.trials.length === 0
      ? h('p', { class: 'muted' }, 'The first trial runs the script as written, to measure its speed.')
      : h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'grid trials' },
            h('thead', {}, h('tr', {}, ...HEADERS.map((text, i) => h('th', { class: i === 0 || (i >= 3 && i <= 5) ? 'num' : '' }, text)))),
            h('tbody', {}, ...state.trials.map((row) => trialRow(row, rungReference(state.trials, row.rung) ?? reference, state.band?.pct ?? null))),
          ),
        ),
    state.notes.length === 0 ? null : h('ul', { class: 'notes muted' }, ...state.notes.map((note) => h('li', {}, note))),
  );
}

function trialRow(row: TuneTrialRow, reference: number | null, bandPct: number | null): HTMLTableRowElement {
  const changePct = row.batchesPerSec !== null && reference !== null && !row.asWritten ? ((row.batchesPerSec - reference) / reference) * 100 : null;
  const beyond = changePct !== null && bandPct !== null && Math.abs(changePct) > bandPct;
  const data: Record<string, string> = { index: String(row.index), rung: String(row.rung), status: row.status, settings: row.settingsText, steps: String(row.steps) };
  if (row.batchesPerSec !== null) data.batchesPerSec = String(row.batchesPerSec);
  if (row.recording !== null) data.recording = row.recording;
  return h(
    'tr',
    { class: `${row.asWritten ? 'as-written' : ''} ${row.batchesPerSec === null ? 'unmeasured' : ''}`.trim(), data, title: row.recording ?? '' },
    h('td', { class: 'num' }, String(row.index)),
    h('td', {}, rungLabel(row.rung)),
    h('td', { class: 'mono' }, row.settingsText),
    h('td', { class: 'num' }, String(row.steps)),
    h('td', { class: 'num' }, formatRate(row.batchesPerSec)),
    h('td', { class: `num${beyond ? ((changePct ?? 0) > 0 ? ' faster' : ' slower') : ''}` }, changePct === null ? '' : formatSignedPct(changePct)),
    h('td', {}, row.statusText, row.note ? h('span', { class: 'muted' }, ` (${row.note})`) : null),
  );
}
