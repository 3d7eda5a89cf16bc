/**
 * Real-browser proof of the speedscope export: a real PyTorch run recorded by the CLI, exported
 * with `trainlens export --format speedscope`, opened in the speedscope web app that the npm
 * package ships (served here on 127.0.0.1 with the profile beside it, loaded through its
 * `#profileURL=` parameter) in Chromium. The flame graph is drawn on a canvas, so the frame names
 * are read from speedscope's Sandwich view, a DOM table of every frame.
 *
 * Needs no editor: it launches its own Chromium (the suite's flags) and can run alone:
 *   npx mocha --config test/e2e/.mocharc.json … or, without the suite's set-up,
 *   npx mocha --node-option import=tsx --timeout 120000 test/e2e/speedscope-export.e2e.ts
 * The screenshot goes to test-results/e2e/, and to docs/screenshots with TRAINLENS_E2E_DOCS=1.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { REPO, record, runCli, tempDir } from '../integration/cli-harness';
import { DOCS_SCREENSHOTS_DIR, RESULTS_DIR, VIEWPORT, launchBrowser } from './environment';

const SPEEDSCOPE_APP = path.join(REPO, 'node_modules', 'speedscope', 'dist', 'release');
const SCRIPT = path.join(REPO, 'test', 'trace', 'scripts', 'profiled_loop.py');
const PROFILE_NAME = 'profile.speedscope.json';
const SCREENSHOT = 'speedscope-export.png';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Serves the speedscope app, and the exported profile at /PROFILE_NAME; nothing else. */
function serve(profile: string): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const name = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname).replace(/^\/+/, '') || 'index.html';
    const file = name === PROFILE_NAME ? profile : path.join(SPEEDSCOPE_APP, name);
    if (!file.startsWith(SPEEDSCOPE_APP + path.sep) && file !== profile) return void response.writeHead(403).end();
    fs.readFile(file, (error, body) => {
      if (error) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('speedscope export in a real browser', function () {
  this.timeout(180_000);
  let out: string;
  let server: http.Server | undefined;
  let browser: Browser | undefined;

  before(() => {
    out = tempDir('trainlens-speedscope-');
  });
  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('a recorded run, exported, opens in speedscope with the script\'s lines and stages as frames', async () => {
    const run = record(SCRIPT, [], { out: path.join(out, 'runs') });
    assert.equal(run.code, 0, run.stderr);
    const summary = run.summary!;
    const profile = path.join(out, PROFILE_NAME);
    const exported = runCli(['export', summary.recording, '--format', 'speedscope', '-o', profile]);
    assert.equal(exported.code, 0, exported.stderr);
    // The frames to look for: the hottest line of the script, as the export names it.
    const top = summary.hotLines.find((line) => line.file === SCRIPT);
    assert.ok(top, 'the run has a hot line in the script');
    const lineFrame = `${top.fn} (${path.basename(SCRIPT)}:${top.line})`;
    const stageFrame = `[${top.stage}]`;

    server = await serve(profile);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/index.html#profileURL=${encodeURIComponent(`${base}/${PROFILE_NAME}`)}`);
    // Evaluated in the page (this file compiles without the DOM's types).
    const shows = (text: string, timeout: number) => page.waitForFunction(`document.body.innerText.includes(${JSON.stringify(text)})`, undefined, { timeout });
    // Loaded: the toolbar names the profile (the script).
    await shows(path.basename(SCRIPT), 30_000);
    // speedscope's keys: 2 is Left Heavy (stacks merged, heaviest first), 3 is Sandwich.
    await page.keyboard.press('2');
    await page.waitForTimeout(500);
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS_DIR, SCREENSHOT) });
    if (process.env.TRAINLENS_E2E_DOCS === '1') fs.copyFileSync(path.join(RESULTS_DIR, SCREENSHOT), path.join(DOCS_SCREENSHOTS_DIR, SCREENSHOT));

    await page.keyboard.press('3');
    await shows(lineFrame, 10_000);
    await shows(stageFrame, 10_000);
    assert.deepEqual(errors, []);
  });
});
