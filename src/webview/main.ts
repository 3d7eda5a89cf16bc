/**
 * The performance panel (webview entry). Shows the last state it saved at once, posts `ready`,
 * then renders the host's snapshot and applies its deltas. Everything it needs to come back after
 * being hidden is kept with setState (the panel does not use retainContextWhenHidden).
 */
import 'uplot/dist/uPlot.min.css';
// The panel's stylesheet lives in media/ (with the icons); esbuild bundles it into dist/webview.css.
import '../../media/panel.css';
import type { HostToWebviewMessage, PanelTables, PanelView } from '../protocol/webview-messages';
import { Charts } from './charts';
import { renderCompare } from './compare';
import { h } from './dom';
import { renderFindings } from './findings';
import { renderRanks } from './ranks';
import { renderRunInfo } from './run-info';
import { renderCeilings, renderHeadline, renderHotLines, renderStages } from './tables';
import { readTheme } from './theme';
import { applyDelta, EMPTY_STATE, type PersistedState } from './view-state';
import { vscodeApi } from './vscode-api';

const SCROLL_SAVE_MS = 250;

const api = vscodeApi();
let state = restoreState(api.getState());

const sections = {
  headline: h('header', { class: 'headline' }, h('h1', {}, 'TrainLens'), h('p', { class: 'muted' }, 'Waiting for the run…')),
  compare: h('section', { class: 'card compare', attrs: { id: 'compare' } }),
  findings: h('section', { class: 'card', attrs: { id: 'findings' } }),
  charts: h('div', { class: 'chart-grid', attrs: { id: 'charts' } }),
  ranks: h('section', { class: 'card', attrs: { id: 'ranks' } }),
  stages: h('section', { class: 'card', attrs: { id: 'stages' } }),
  ceilings: h('section', { class: 'card', attrs: { id: 'ceilings' } }),
  hotLines: h('section', { class: 'card', attrs: { id: 'hot-lines' } }),
  runInfo: h('section', { class: 'card', attrs: { id: 'run-info' } }),
};
document.body.append(
  sections.headline,
  sections.compare,
  sections.findings,
  sections.charts,
  sections.ranks,
  h('div', { class: 'two-col' }, sections.stages, sections.ceilings),
  sections.hotLines,
  sections.runInfo,
);
const charts = new Charts(sections.charts, readTheme());

type TableKey = keyof PanelTables;
const ALL_TABLES: ReadonlySet<TableKey> = new Set<TableKey>(['headline', 'stages', 'hotLines', 'findings', 'ceilings', 'runInfo']);

/** Renders the sections that depend on the changed tables; the charts follow every change. */
function render(view: PanelView, changed: ReadonlySet<TableKey>): void {
  const t = view.tables;
  if (changed.has('headline')) renderHeadline(sections.headline, view.title, t.headline);
  if (changed.has('headline')) renderRanks(sections.ranks, t.headline.ranks);
  if (changed.has('findings') || changed.has('headline')) renderFindings(sections.findings, t.findings, t.headline);
  if (changed.has('stages')) renderStages(sections.stages, t.stages);
  if (changed.has('ceilings') || changed.has('headline')) renderCeilings(sections.ceilings, t.ceilings, t.headline);
  if (changed.has('hotLines')) renderHotLines(sections.hotLines, t.hotLines);
  if (changed.has('runInfo')) renderRunInfo(sections.runInfo, t.runInfo);
  charts.update(view);
}

function onHostMessage(message: HostToWebviewMessage): void {
  switch (message.type) {
    case 'snapshot':
      state = { ...state, view: message.view };
      render(message.view, ALL_TABLES);
      break;
    case 'delta': {
      const next = state.view ? applyDelta(state.view, message) : undefined;
      if (!next) {
        // Out of step with the host (e.g. a delta raced a reload): ask for a fresh snapshot.
        api.postMessage({ type: 'ready' });
        return;
      }
      state = { ...state, view: next };
      render(next, new Set(Object.keys(message.tables) as TableKey[]));
      break;
    }
    case 'compare':
      state = { ...state, compare: message.compare };
      renderCompare(sections.compare, message.compare);
      break;
  }
  api.setState(state);
}

/** Messages come only from our extension host; this narrows the type, it is not a security check. */
function isHostMessage(data: unknown): data is HostToWebviewMessage {
  if (typeof data !== 'object' || data === null) return false;
  const type = (data as { type?: unknown }).type;
  return type === 'snapshot' || type === 'delta' || type === 'compare';
}

function restoreState(saved: unknown): PersistedState {
  if (typeof saved !== 'object' || saved === null) return EMPTY_STATE;
  const s = saved as Partial<PersistedState>;
  const viewOk = s.view === null || (typeof s.view === 'object' && typeof s.view?.version === 'number');
  return viewOk ? { view: s.view ?? null, compare: s.compare ?? null, scrollY: typeof s.scrollY === 'number' ? s.scrollY : 0 } : EMPTY_STATE;
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isHostMessage(event.data)) onHostMessage(event.data);
});

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-open-file]') : null;
  if (!target) return;
  event.preventDefault();
  const file = target.dataset.openFile;
  const line = Number(target.dataset.openLine);
  if (file && Number.isSafeInteger(line)) api.postMessage({ type: 'open', file, line });
});

let scrollTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener(
  'scroll',
  () => {
    clearTimeout(scrollTimer);
    scrollTimer = setTimeout(() => api.setState((state = { ...state, scrollY: window.scrollY })), SCROLL_SAVE_MS);
  },
  { passive: true },
);

// On a theme change VS Code rewrites the --vscode-* variables on <html> and the body's theme class.
const themeObserver = new MutationObserver(() => charts.setTheme(readTheme(), state.view));
themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });

if (state.view) render(state.view, ALL_TABLES);
renderCompare(sections.compare, state.compare);
window.scrollTo(0, state.scrollY);
api.postMessage({ type: 'ready' });
