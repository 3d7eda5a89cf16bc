/**
 * The tuning panel's bundle in a real browser, under the HTML and CSP the extension serves: it posts
 * `ready`, shows the states the view model makes as trials end (one row and one chart point per
 * trial with a rate), posts `stop` and `apply` from its buttons, and comes back from its saved
 * state alone. Needs Debian's Chromium (apt-get install -y chromium); skipped without it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { fixesForSettings } from '../../src/core/tune/fixes';
import { judge, type TrialResult } from '../../src/core/tune/result';
import { TuneViewModel } from '../../src/core/tune/tune-view';
import type { TuneHostMessage } from '../../src/protocol/tune-messages';
import { postToWebview, recorded, webviewInChromium, type WebviewGlobals } from '../panel/webview-in-chromium';

const T0 = 5_000_000;
const trial = (settings: TrialResult['settings'], rung: number, rate: number | null, status: TrialResult['status'] = 'measured'): TrialResult => ({
  settings,
  rung,
  steps: rung < 0 ? 300 : 100 * 2 ** rung,
  batchesPerSec: rate,
  status,
  note: status === 'failed' ? 'exit status 1' : null,
  recording: `/w/.trainlens/runs/tune-x/${rung}-${Object.keys(settings).join('-') || 'as-written'}`,
  durationMs: 4000,
});

describe('tuning panel webview in Chromium', function () {
  this.timeout(60_000);
  const { open: openPanel } = webviewInChromium({
    entryPoint: 'src/webview/tune/tune-main.ts',
    name: 'tune-webview',
    title: 'TrainLens Tune',
    origin: 'https://tune.test',
    nonce: 'dHVuZS1ub25jZS01Njc4',
    viewportWidth: 900,
  });

  /** Posts as the host does and returns once the panel rendered it (it saves each state it shows). */
  async function send(page: Page, message: TuneHostMessage): Promise<void> {
    await postToWebview(page, message);
    await page.waitForFunction((json) => JSON.stringify((globalThis as unknown as WebviewGlobals<unknown>).__state) === json, JSON.stringify(message.state));
  }
  const posted = (page: Page) => recorded<{ type: string }>(page);

  it('shows trials as they end, the chart’s points, Stop while running and Apply at the end', async () => {
    const { page, errors } = await openPanel();
    const model = new TuneViewModel('train.py', ['python', 'train.py'], 60_000, T0);
    const trials = [trial({}, -1, 50), trial({}, 0, 52), trial({ numWorkers: 2 }, 0, 97), trial({ numWorkers: 1, numThreads: 1 }, 0, null, 'failed'), trial({}, 1, 49), trial({ numWorkers: 2 }, 1, 99), trial({}, 1, 51)];
    for (const [i, t] of trials.entries()) {
      model.trialStarted(t.settings, t.rung, t.rung < 0 ? null : t.steps);
      await send(page, { type: 'state', state: model.state(T0 + i * 5000) });
      assert.equal(await page.locator('#tune-progress .current').getAttribute('data-index'), String(i));
      model.trialEnded(t);
      await send(page, { type: 'state', state: model.state(T0 + i * 5000 + 4000) });
      assert.equal(await page.locator('#tune-trials tbody tr').count(), i + 1);
      const rated = trials.slice(0, i + 1).filter((x) => x.batchesPerSec !== null).length;
      assert.equal(await page.locator('#tune-chart .plot').getAttribute('data-points'), String(rated));
    }
    assert.ok(await page.locator('#tune-chart canvas').count() >= 1, 'the chart is drawn');
    assert.equal(await page.locator('#tune-progress .time').getAttribute('data-seconds-left'), '26');
    await page.click('#tune-progress button.stop');
    assert.deepEqual((await posted(page)).__posted.filter((m) => m.type === 'stop'), [{ type: 'stop' }]);

    const rungTrials = trials.slice(1);
    const verdict = judge({ batchesPerSec: 50, steps: 300 }, rungTrials);
    const { fixes, unwritable } = fixesForSettings(verdict.best);
    model.finished(
      { script: '/w/train.py', baseline: { settings: {}, batchesPerSec: 50, steps: 300, recording: null }, trials: rungTrials, verdict, fixes, unwritable, fixTarget: { file: '/w/train.py', line: 12, torchVersion: '1.13.1', cuda: false }, notes: ['tuning was stopped before its budget was spent: the verdict is from what was measured'], load: null, budgetMs: 60_000, elapsedMs: 34_000 },
      T0 + 34_000,
    );
    await send(page, { type: 'state', state: model.state(T0 + 40_000) });
    assert.equal(await page.locator('#tune-progress').getAttribute('data-phase'), 'done');
    assert.ok(await page.locator('#tune-progress button.stop').isHidden(), 'no Stop once tuning ended');
    assert.equal(await page.locator('#tune-verdict').getAttribute('data-can-apply'), 'true');
    assert.deepEqual(JSON.parse((await page.locator('#tune-verdict').getAttribute('data-best')) ?? ''), { numWorkers: 2 });
    assert.match(await page.locator('#tune-verdict .sentence').innerText(), /^Best: num_workers=2/);
    await page.click('#tune-verdict button.apply');
    model.setApplied('Applied Set DataLoader num_workers=2.');
    await send(page, { type: 'state', state: model.state(T0 + 41_000) });
    assert.ok(await page.locator('#tune-verdict button.apply').isHidden(), 'Apply is offered once');
    assert.match(await page.locator('#tune-trials .notes').innerText(), /stopped before its budget/);

    const { __posted, __violations, __state } = await posted(page);
    assert.deepEqual(__violations, [], 'nothing blocked by the CSP');
    assert.deepEqual(errors, []);
    assert.deepEqual(__posted.map((m) => m.type), ['ready', 'stop', 'apply']);
    fs.mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/tune-panel.png', fullPage: true });
    await page.close();

    // Hidden and shown again: the saved state is shown before the host answers `ready`.
    const restored = await openPanel(__state);
    assert.equal(await restored.page.locator('#tune-trials tbody tr').count(), trials.length);
    assert.equal(await restored.page.locator('#tune-chart .plot').getAttribute('data-points'), '6');
    assert.deepEqual(restored.errors, []);
    await restored.page.close();
  });
});
