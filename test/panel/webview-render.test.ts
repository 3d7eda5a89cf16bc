/**
 * The panel bundle in a real browser, under the exact HTML and CSP the extension serves: it posts
 * `ready`, renders a RunView's snapshot and deltas without a CSP violation, asks to open what is
 * clicked, asks again after a delta it cannot apply, and comes back from its saved state alone.
 * Needs Debian's Chromium (apt-get install -y chromium); skipped without it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { compareRuns } from '../../src/core/compare';
import { RunView } from '../../src/core/view/run-view';
import type { HostToWebviewMessage } from '../../src/protocol/webview-messages';
import { loadShape, shapeEvents } from '../findings/shape-fixture';
import { sampleStages } from '../core/sampled-stages';
import { syntheticRun, syntheticSummary } from './synthetic-run';
import { postToWebview, recorded, webviewInChromium, type WebviewGlobals } from './webview-in-chromium';

type Posted = { type: string; file?: string; line?: number };

/** What the layout check reads in the page (the tests compile without DOM types). */
interface LayoutElement {
  scrollWidth: number;
  clientWidth: number;
  title: string;
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  getBoundingClientRect(): { right: number };
  getClientRects(): { length: number };
  querySelector(selector: string): LayoutElement | null;
}
interface LayoutDocument {
  documentElement: LayoutElement;
  querySelectorAll(selector: string): ArrayLike<LayoutElement>;
}

describe('panel webview in Chromium', function () {
  this.timeout(60_000);
  const chromium = webviewInChromium({
    entryPoint: 'src/webview/main.ts',
    name: 'webview',
    title: 'TrainLens',
    origin: 'https://panel.test',
    nonce: 'dGVzdC1ub25jZS0xMjM0',
    viewportWidth: 1000,
    themeVariables: { '--vscode-editor-background': '#1f1f1f', '--vscode-foreground': '#cccccc' },
  });

  /** A page with the panel loaded that has shown no error. */
  async function openPanel(savedState?: unknown, width?: number): Promise<Page> {
    const { page, errors } = await chromium.open(savedState, width);
    assert.deepEqual(errors, []);
    return page;
  }

  it('renders a snapshot and its deltas, opens clicked locations, restores from saved state', async () => {
    const page = await openPanel();
    const send = (message: HostToWebviewMessage): Promise<void> => postToWebview(page, message);
    const events = syntheticRun({ seconds: 40, stepsPerSec: 20 });
    const view = new RunView('train.py');
    view.add(events.slice(0, 200));
    await send(view.snapshot());
    let version = view.version;
    for (let i = 200; i < events.length; i += 150) {
      view.add(events.slice(i, i + 150));
      await send(view.deltaSince(version) ?? assert.fail('changed'));
      version = view.version;
    }
    const before = syntheticSummary(events);
    view.setSummary(before);
    await send(view.deltaSince(version) ?? assert.fail('changed'));
    // issue 8's comparison goes to the panel as it is, plus a title.
    const after = syntheticSummary(syntheticRun({ seconds: 40, stepsPerSec: 30 }));
    await send({ type: 'compare', compare: { title: 'DataLoader num_workers=0 → 6', ...compareRuns(before, after) } });

    await page.locator('[data-status="completed"]').waitFor();
    assert.ok((await page.locator('#charts canvas').count()) >= 4);
    const dataShare = Number(await page.locator('#stages tr[data-stage="data"]').getAttribute('data-share'));
    assert.equal(dataShare, view.snapshot().view.tables.stages.rows.find((r) => r.stage === 'data')?.share);
    assert.equal(await page.locator('#findings li.finding').count(), 2);
    await page.locator('#compare [data-verdict="faster"]').waitFor();

    await page.click('#hot-lines tbody tr:first-child a.open');
    await page.click('#findings .finding-head.clickable');
    await send({ type: 'delta', fromVersion: version + 100, version: version + 101, series: null, tables: {} });
    await page.waitForFunction(() => (globalThis as unknown as WebviewGlobals<Posted>).__posted.filter((m) => m.type === 'ready').length === 2);
    const posted = await recorded<Posted>(page);
    assert.deepEqual(posted.__violations, [], 'nothing blocked by the CSP');
    assert.deepEqual(posted.__posted.filter((m) => m.type === 'open'), [
      { type: 'open', file: '/home/ada/train/data.py', line: 18 },
      { type: 'open', file: '/home/ada/train/train.py', line: 31 },
    ]);
    fs.mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/panel.png', fullPage: true });
    await page.close();

    // Hidden and shown again: the reloaded webview draws from setState before the host answers.
    const restored = await openPanel(posted.__state);
    assert.equal(await restored.locator('#stages tr[data-stage]').count(), 5);
    assert.ok(await restored.locator('#compare').isVisible());
    assert.ok((await restored.locator('#charts canvas').count()) >= 4);
    await restored.close();
  });

  it("shows tokens/s when the steps count tokens, and says plainly when no steps were recognised", async () => {
    const page = await openPanel();
    const send = (message: HostToWebviewMessage): Promise<void> => postToWebview(page, message);
    const lm = new RunView('train.py');
    const shape = loadShape('grad-accumulation-tokens');
    lm.add(shape.events);
    lm.setSummary(shape.summary);
    await send(lm.snapshot());
    const tokens = page.locator('[data-metric="tokensPerSec"]');
    await tokens.waitFor();
    assert.equal(Number(await tokens.getAttribute('data-value')), shape.summary.throughput.tokensPerSec);
    assert.equal(await page.locator('.steps-note').textContent(), 'Steps end at the optimizer step (4 micro-batches per step)');

    const none = new RunView('score.py');
    none.add(shapeEvents('no-anchor'));
    await send(none.snapshot());
    await page.locator('.steps-note[data-recognised="false"]').waitFor();
    assert.match((await page.locator('.steps-note').textContent()) ?? '', /^steps not recognised: .+ — showing time by line only$/);
    assert.equal(await page.locator('[data-metric="tokensPerSec"]').count(), 0);
    assert.equal(await page.locator('[data-metric="batchesPerSec"]').getAttribute('data-value'), '');
    assert.deepEqual((await recorded<Posted>(page)).__violations, []);
    await page.close();
  });

  it('says over how many steps the stage table was timed, live and final, when the runner timed a sample', async () => {
    const page = await openPanel();
    const events = sampleStages(syntheticRun({ seconds: 12, stepsPerSec: 200 }), 10, 100);
    const view = new RunView('train.py');
    view.add(events);
    const heading = page.locator('#stages h2');
    const live = view.snapshot().view.tables.stages;
    await postToWebview(page, view.snapshot());
    await heading.waitFor();
    assert.equal(await heading.textContent(), `Stages per step last 5 s · stage times from ${live.stagedSteps} of ${live.steps} steps`);
    const summary = syntheticSummary(events);
    view.setSummary(summary);
    await postToWebview(page, view.snapshot());
    await page.locator('[data-status="completed"]').waitFor();
    const steady = (summary.steps - summary.warmupSteps).toLocaleString('en-US');
    assert.equal(await heading.textContent(), `Stages per step steady state · stage times from ${summary.stagedSteps} of ${steady} steps`);
    assert.deepEqual((await recorded<Posted>(page)).__violations, []);
    await page.close();
  });

  it('reads at 400 px and at 1,200 px: no sideways scroll, hot lines as file:line on one line with the folder on hover', async () => {
    // The GAN run (two optimizers, no GPU) as recorded, its script moved one folder down the
    // workspace as in issue 18 (dcgan/…), with a name as long as the examples' (input_bound.py).
    const moved = <T>(value: T): T =>
      JSON.parse(JSON.stringify(value).replaceAll('"/w/train.py', '"/home/ada/projects/examples/dcgan/train_dcgan.py').replaceAll('"/w"', '"/home/ada/projects/examples"')) as T;
    const shape = loadShape('gan-two-optimizers');
    const events = moved(shape.events);
    // Without nvidia-smi the host also logs why there is no GPU telemetry (run-session.ts's onNote).
    const hardwareAt = events.findIndex((e) => e.type === 'hardware');
    events.splice(hardwareAt + 1, 0, { type: 'log', level: 'info', message: 'no NVIDIA GPU found' });
    const view = new RunView('train_dcgan.py');
    view.add(events);
    view.setSummary({ ...moved(shape.summary), notes: ['no NVIDIA GPU found', ...shape.summary.notes] });
    fs.mkdirSync('docs/screenshots', { recursive: true });
    for (const width of [400, 1200]) {
      const page = await openPanel(undefined, width);
      await postToWebview<HostToWebviewMessage>(page, view.snapshot());
      await page.locator('#hot-lines tbody tr').first().waitFor();
      const layout = await page.evaluate(() => {
        const { document } = globalThis as unknown as { document: LayoutDocument };
        const doc = document.documentElement;
        const cells = Array.from(document.querySelectorAll('#hot-lines td.path'));
        return {
          overflow: doc.scrollWidth - doc.clientWidth,
          // A card wider than the page would scroll sideways or be cut.
          widestCard: Math.max(...Array.from(document.querySelectorAll('.card, section')).map((c) => c.getBoundingClientRect().right)),
          cells: cells.map((td) => {
            const link = td.querySelector('a') as LayoutElement;
            // One line of text: one client rect for the inline link (a wrapped one has several).
            return { text: link.textContent, title: link.title, folder: link.dataset.folder, wrapped: link.getClientRects().length > 1, cut: link.scrollWidth > td.clientWidth };
          }),
        };
      });
      assert.ok(layout.overflow <= 0, `${width} px: the page scrolls sideways by ${layout.overflow} px`);
      assert.ok(layout.widestCard <= width, `${width} px: a card reaches ${layout.widestCard} px`);
      assert.ok(layout.cells.length > 0);
      for (const cell of layout.cells) {
        assert.match(cell.text ?? '', /^train_dcgan\.py:\d+$/, `${width} px: by file name`);
        assert.equal(cell.folder, 'dcgan');
        assert.match(cell.title, /^\/home\/ada\/projects\/examples\/dcgan\/train_dcgan\.py:\d+$/);
        assert.equal(cell.wrapped, false, `${width} px: ${cell.text} wraps`);
        assert.equal(cell.cut, false, `${width} px: ${cell.text} is cut`);
      }
      assert.equal(await page.getByText('no NVIDIA GPU found').count(), 1, 'the no-GPU note once');
      await page.screenshot({ path: `docs/screenshots/panel-${width}.png`, fullPage: true });
      await page.close();
    }
  });
});
