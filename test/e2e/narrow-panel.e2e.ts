/**
 * The panel where users keep it: a side column, here narrowed to 400 px and widened to 1,200 px
 * after a real run of the input-bound example. Neither width scrolls sideways, and hot lines read
 * `file:line` on one line. The status bar item, once the run ended, looks finished.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { RESULTS_DIR, e2e, setWorkspaceSettings, sharedEditor, workspaceFile, type EditorSession } from './environment';
import { processTreeOf } from '../processes';
import { TrainLensUi } from './trainlens-ui';
import { waitFor } from './workbench';
import { INPUT_BOUND, INPUT_BOUND_ARGS } from './examples';

/** What the layout check reads in the panel's document (the tests compile without DOM types). */
interface LayoutElement {
  scrollWidth: number;
  clientWidth: number;
  textContent: string | null;
  getClientRects(): { length: number };
  querySelector(selector: string): LayoutElement | null;
}

describe('the performance panel at 400 px and 1,200 px', function () {
  let session: EditorSession;
  let ui: TrainLensUi;

  before(async function () {
    this.timeout(180_000);
    session = await sharedEditor();
    ui = new TrainLensUi(session.workbench, e2e().extensionId);
    await setWorkspaceSettings(session, { 'trainlens.args': INPUT_BOUND_ARGS });
    await session.workbench.openFile(INPUT_BOUND);
    await ui.profileActiveFile();
    const script = workspaceFile(INPUT_BOUND);
    await waitFor('the run to start', async () => (processTreeOf(script).length > 0 ? true : undefined), { timeoutMs: 30_000 });
    await waitFor('the run to end', async () => (processTreeOf(script).length === 0 ? true : undefined), { timeoutMs: 90_000 });
  });

  it('shows a finished run as finished in the status bar', async function () {
    const done = await ui.watchStatus('the finished look', (r) => r.icon === 'check', 10_000);
    assert.match(done.last.text, /^done [\d,.]+ batch\/s · .* · (just now|\d+ min ago)$/);
  });

  it('reads at both widths: no sideways scroll, hot lines on one line', async function () {
    this.timeout(120_000);
    const { page } = session.workbench;
    const panel = await ui.openPanel();
    await panel.locator('.status[data-status="completed"]').waitFor({ state: 'visible', timeout: 20_000 });
    await panel.locator('#hot-lines td.path a').first().waitFor({ state: 'visible', timeout: 15_000 });
    const frame = session.workbench.webviewElement(e2e().extensionId);
    const original = page.viewportSize();
    try {
      for (const target of [400, 1200]) {
        // The webview is a share of the window: move the window's width until the webview has the target's.
        for (let i = 0; i < 4; i++) {
          const box = await frame.boundingBox();
          const viewport = page.viewportSize();
          if (!box || !viewport || Math.abs(box.width - target) <= 8) break;
          await page.setViewportSize({ width: Math.round(viewport.width + (target - box.width) * (viewport.width / box.width)), height: viewport.height });
          await page.waitForTimeout(500);
        }
        const width = Math.round((await frame.boundingBox())?.width ?? 0);
        assert.ok(Math.abs(width - target) <= 40, `the panel is ${width} px wide, aiming at ${target}`);
        const layout = await panel.locator('body').evaluate((body) => {
          const doc = (body as unknown as { ownerDocument: { documentElement: LayoutElement; querySelectorAll(s: string): ArrayLike<LayoutElement> } }).ownerDocument;
          return {
            overflow: doc.documentElement.scrollWidth - doc.documentElement.clientWidth,
            cells: Array.from(doc.querySelectorAll('#hot-lines td.path')).map((td) => {
              const link = td.querySelector('a') as LayoutElement;
              return { text: link.textContent, wrapped: link.getClientRects().length > 1, cut: link.scrollWidth > td.clientWidth };
            }),
          };
        });
        await panel.locator('#hot-lines').scrollIntoViewIfNeeded();
        await frame.screenshot({ path: path.join(RESULTS_DIR, `panel-${target}.png`) });
        assert.ok(layout.overflow <= 0, `${width} px: the panel scrolls sideways by ${layout.overflow} px`);
        assert.ok(layout.cells.length > 0, 'hot lines are listed');
        for (const cell of layout.cells) {
          assert.match(cell.text ?? '', /^[^/\\]+\.py:\d+$/, `${width} px: a hot line by file name`);
          assert.ok(!cell.wrapped && !cell.cut, `${width} px: ${cell.text} is on one line and whole`);
        }
      }
    } finally {
      if (original) await page.setViewportSize(original);
    }
  });
});
