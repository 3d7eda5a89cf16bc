/**
 * The tuning panel (webview entry): progress with Stop, the verdict with Apply, the chart of
 * batches/s per trial and the trials' table. The host sends the whole state on every change; the
 * last one is kept with setState, so the panel comes back at once after being hidden.
 */
import 'uplot/dist/uPlot.min.css';
import '../../../media/panel.css';
import '../../../media/tune.css';
import type { TuneHostMessage, TunePanelState, TuneWebviewMessage } from '../../protocol/tune-messages';
import { h } from '../dom';
import { readTheme } from '../theme';
import { vscodeApi } from '../vscode-api';
import { TunePlot } from './tune-plot';
import { renderProgress, renderTrials, renderVerdict } from './tune-render';

const api = vscodeApi<TuneWebviewMessage>();

const sections = {
  progress: h('header', { class: 'headline', attrs: { id: 'tune-progress' } }, h('h1', {}, 'TrainLens Tune'), h('p', { class: 'muted' }, 'Waiting for the tuning…')),
  verdict: h('section', { class: 'card tune-verdict', attrs: { id: 'tune-verdict' } }),
  chart: h('section', { class: 'card chart', attrs: { id: 'tune-chart' } }),
  trials: h('section', { class: 'card', attrs: { id: 'tune-trials' } }),
};
sections.verdict.hidden = true;
document.body.append(sections.progress, sections.verdict, sections.chart, sections.trials);

const stopButton = h('button', { class: 'stop', title: 'End the tuning: the verdict keeps what was measured' }, 'Stop');
const applyButton = h('button', { class: 'apply', title: 'Write the best settings into the code (one undoable edit)' }, 'Apply');
stopButton.addEventListener('click', () => {
  stopButton.disabled = true;
  api.postMessage({ type: 'stop' });
});
applyButton.addEventListener('click', () => {
  applyButton.disabled = true;
  api.postMessage({ type: 'apply' });
});

const plot = new TunePlot(sections.chart, readTheme());

function render(state: TunePanelState): void {
  if (state.phase === 'running') stopButton.disabled = false;
  renderProgress(sections.progress, state, stopButton);
  renderVerdict(sections.verdict, state, applyButton);
  renderTrials(sections.trials, state);
  plot.update(state);
}

/** Messages come only from our extension host; this narrows the type, it is not a security check. */
function isHostMessage(data: unknown): data is TuneHostMessage {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'state';
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (!isHostMessage(event.data)) return;
  render(event.data.state);
  api.setState(event.data.state);
});

// On a theme change VS Code rewrites the --vscode-* variables on <html> and the body's theme class.
const themeObserver = new MutationObserver(() => plot.setTheme(readTheme()));
themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });

const saved = api.getState();
if (typeof saved === 'object' && saved !== null && Array.isArray((saved as Partial<TunePanelState>).trials)) render(saved as TunePanelState);
api.postMessage({ type: 'ready' });
