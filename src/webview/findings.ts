/** What limits the run, most impact first; a click opens the finding's first location. */
import { SEVERITY_WORDS } from '../core/findings/finding';
import { formatShare } from '../core/format';
import type { PanelFinding, PanelHeadline } from '../protocol/webview-messages';
import { fill, h, locationLink } from './dom';

function findingItem(finding: PanelFinding): HTMLElement {
  const first = finding.locations[0];
  const header = h('div', { class: 'finding-head' },
    h('span', { class: `badge severity-${finding.severity}` }, SEVERITY_WORDS[finding.severity]),
    h('span', { class: 'finding-title' }, finding.title),
    // The finding's estimate of the step time it could win back, not a stage's share: say so.
    finding.impact > 0 && h('span', { class: 'muted impact', title: "This finding's estimate of the step time that could be won back; not the share of a stage" }, ` · ${formatShare(finding.impact)} of step time at stake`),
    h('span', { class: 'muted code' }, finding.code),
  );
  const item = h('li', { class: `finding severity-${finding.severity}`, data: { code: finding.code } },
    header,
    h('p', {}, finding.message),
    finding.locations.length > 0 &&
      h('ul', { class: 'locations' },
        ...finding.locations.map((l) => h('li', {}, locationLink(l), l.why && h('span', { class: 'muted' }, ` · ${l.why}`))),
      ),
    finding.fixes.length > 0 && h('p', { class: 'fixes' }, 'Quick fixes: ', ...finding.fixes.map((f) => h('span', { class: 'chip' }, f))),
  );
  if (first) {
    // The whole header opens the first location, the links below open each one.
    header.classList.add('clickable');
    header.dataset.openFile = first.file;
    header.dataset.openLine = String(first.line);
    header.title = `Open ${first.displayPath}:${first.line}`;
  }
  return item;
}

export function renderFindings(root: HTMLElement, findings: readonly PanelFinding[], headline: PanelHeadline): void {
  // Live findings are the ones Problems shows: the same rules on the steps after warm-up so far.
  const live = headline.scope === 'live';
  if (findings.length === 0) {
    const why = live
      ? 'None so far: checked every few seconds once warm-up is over, on the steps after it; the run\'s end gives the final ones.'
      : 'Nothing limits this run that TrainLens knows how to fix.';
    fill(root, h('h2', {}, 'Findings'), h('p', { class: 'muted findings-note' }, why));
    return;
  }
  fill(
    root,
    h('h2', {}, 'Findings ', live && h('span', { class: 'muted' }, 'so far')),
    live && h('p', { class: 'muted findings-note' }, 'From the steps after warm-up so far, as in Problems; the final analysis replaces them when the run ends.'),
    h('ul', { class: 'findings' }, ...findings.map(findingItem)),
  );
}
