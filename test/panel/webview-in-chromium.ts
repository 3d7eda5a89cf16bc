/**
 * A webview bundle in a real browser, under the exact HTML and CSP the extension serves (panelHtml),
 * with VS Code's webview API stubbed in the page: what the panels' Chromium tests share. Needs
 * Debian's Chromium (apt-get install -y chromium); the suite that uses it is skipped without it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { panelHtml } from '../../src/extension/panel/panel-html';

const CHROMIUM = '/usr/bin/chromium';

export interface WebviewBundle {
  /** Built by the suite with esbuild.js's options, so a test never runs a stale dist/. */
  entryPoint: string;
  /** The bundle's file name in dist/ without .js/.css, as its panel asks for it. */
  name: string;
  /** The page's title, as its panel sets it. */
  title: string;
  /** Where the page and the bundle are served from: the webview's cspSource. */
  origin: string;
  nonce: string;
  viewportWidth: number;
  /** CSS variables VS Code's theme would set; without them the webview's own fallbacks show. */
  themeVariables?: Record<string, string>;
}

/** What the stub records in the page, and the page's own postMessage the host's messages come in by. */
export interface WebviewGlobals<Posted> {
  __posted: Posted[];
  __violations: string[];
  __state: unknown;
  postMessage(message: unknown, targetOrigin: string): void;
}

export interface OpenedWebview {
  page: Page;
  /** Page errors and console errors, as they come. */
  errors: string[];
}

/** What VS Code provides inside a webview: the API object (it records what is posted) and the theme's variables. */
function vscodeStub(savedState: unknown, themeVariables: Record<string, string>): string {
  const theme = Object.entries(themeVariables).map(
    ([name, value]) => `\ndocument.documentElement.style.setProperty(${JSON.stringify(name)}, ${JSON.stringify(value)});`,
  );
  return `
window.__posted = []; window.__violations = []; window.__state = ${JSON.stringify(savedState ?? null)} ?? undefined;
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));${theme.join('')}
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => window.__state, setState: (s) => { window.__state = s; } });`;
}

/**
 * Registers the enclosing suite's hooks (bundle the entry point and launch Chromium before, close
 * and clean up after) and returns `open`, which loads the bundle in a new page and resolves once
 * the webview posted `ready`.
 */
export function webviewInChromium(bundle: WebviewBundle): { open(savedState?: unknown, width?: number): Promise<OpenedWebview> } {
  let browser: Browser | undefined;
  let bundleDir = '';

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`    (skipped: no ${CHROMIUM}; apt-get install -y chromium)`);
      this.skip();
    }
    bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), `trainlens-${bundle.name}-`));
    await build({ entryPoints: [bundle.entryPoint], bundle: true, platform: 'browser', target: 'es2022', format: 'iife', outfile: path.join(bundleDir, `${bundle.name}.js`), logLevel: 'error' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });

  after(async () => {
    await browser?.close();
    if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
  });

  async function open(savedState?: unknown, width = bundle.viewportWidth): Promise<OpenedWebview> {
    const { origin, nonce } = bundle;
    const html = panelHtml({ cspSource: origin, scriptUri: `${origin}/${bundle.name}.js`, styleUri: `${origin}/${bundle.name}.css`, nonce, title: bundle.title })
      .replace('<body>', `<body class="vscode-dark">\n<script nonce="${nonce}">${vscodeStub(savedState, bundle.themeVariables ?? {})}</script>`);
    const page = await (browser as Browser).newPage({ viewport: { width, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.route(`${origin}/**`, (route) => {
      const name = new URL(route.request().url()).pathname.slice(1);
      if (name === '') return route.fulfill({ contentType: 'text/html', body: html });
      return route.fulfill({ contentType: name.endsWith('.css') ? 'text/css' : 'text/javascript', body: fs.readFileSync(path.join(bundleDir, name)) });
    });
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => (globalThis as unknown as WebviewGlobals<{ type: string }>).__posted.some((m) => m.type === 'ready'));
    return { page, errors };
  }

  return { open };
}

/** Posts `message` to the webview as the host does. */
export function postToWebview<Message>(page: Page, message: Message): Promise<void> {
  return page.evaluate((m) => (globalThis as unknown as WebviewGlobals<unknown>).postMessage(m, '*'), message);
}

/** What the webview posted, what the CSP blocked, and the state it saved. */
export function recorded<Posted>(page: Page): Promise<Omit<WebviewGlobals<Posted>, 'postMessage'>> {
  return page.evaluate(() => {
    const w = globalThis as unknown as WebviewGlobals<Posted>;
    return { __posted: w.__posted, __violations: w.__violations, __state: w.__state };
  });
}
