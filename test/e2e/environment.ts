/**
 * The end-to-end run's shared state: one packaged VSIX, one code-server install (cached across
 * runs), one Chromium, a fresh copy of examples/ as the workspace, and editor sessions on top.
 * Set up once by the root hooks in setup.ts; tests ask for it with `e2e()`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator } from 'playwright-core';
import {
  REPO_ROOT,
  extensionId,
  freePort,
  launchCodeServer,
  writeUserSettings,
  type CodeServer,
} from '../../scripts/code-server';
import type { RunSummary } from '../../src/core/summary';
import { Workbench } from './workbench';

/** The interpreter with torch on this machine and in CI (`python3` on PATH may lack it). */
export const PYTHON = process.env.TRAINLENS_E2E_PYTHON ?? '/usr/bin/python3';
export const CHROMIUM = process.env.TRAINLENS_E2E_CHROMIUM ?? '/usr/bin/chromium';
/** The tested flags (ENVIRONMENT.md): no sandbox as root, no GPU, nothing reaching the network. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const VIEWPORT = { width: 1280, height: 800 };

export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');
export const DOCS_SCREENSHOTS_DIR = path.join(REPO_ROOT, 'docs', 'screenshots');

/** Steady, quiet editor: nothing pops up that a test did not ask for. */
const BASE_USER_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
  'editor.minimap.enabled': false,
  // The workspace copy lives inside the repository (so tfjs resolves from its node_modules).
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'trainlens.pythonPath': PYTHON,
};

export class Timings {
  readonly entries: { label: string; ms: number }[] = [];
  private readonly started = Date.now();

  async measure<T>(label: string, body: () => T | Promise<T>): Promise<T> {
    const start = Date.now();
    try {
      return await body();
    } finally {
      this.add(label, Date.now() - start);
    }
  }

  add(label: string, ms: number): void {
    this.entries.push({ label, ms });
    process.stderr.write(`      [e2e timing] ${label}: ${(ms / 1000).toFixed(1)} s\n`);
  }

  totalMs(): number {
    return Date.now() - this.started;
  }
}

export interface E2eEnvironment {
  installDir: string;
  extensionsDir: string;
  extensionId: string;
  /** A fresh copy of examples/, inside the repo so tfjs resolves from its node_modules. */
  workspace: string;
  browser: Browser;
  timings: Timings;
  /** Screenshots chosen for the README: file in RESULTS_DIR → name in docs/screenshots. */
  docsShots: Map<string, string>;
  /** Editor sessions still open, closed by the root afterAll. */
  sessions: Set<EditorSession>;
}

let current: E2eEnvironment | undefined;

export function setEnvironment(environment: E2eEnvironment | undefined): void {
  current = environment;
}

export function e2e(): E2eEnvironment {
  if (!current) throw new Error('the e2e environment is not set up (run through `npm run test:e2e`)');
  return current;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface EditorSession {
  readonly name: string;
  readonly server: CodeServer;
  readonly context: BrowserContext;
  readonly workbench: Workbench;
  readonly userDataDir: string;
  close(): Promise<void>;
}

export interface EditorOptions {
  /**
   * 'off': workspace trust disabled (every folder trusted), for all tests where trust is not
   * under test. 'prompt': trust enabled and nothing trusted yet, so the folder opens with the
   * trust dialog, as on a first visit.
   */
  trust: 'off' | 'prompt';
  userSettings?: Record<string, unknown>;
}

/** Starts a code-server with a fresh user-data dir on a free loopback port and opens the workspace in a new browser context. */
export async function openEditor(name: string, options: EditorOptions): Promise<EditorSession> {
  const env = e2e();
  const userDataDir = path.join(RESULTS_DIR, 'user-data', name);
  fs.rmSync(userDataDir, { recursive: true, force: true });
  writeUserSettings(userDataDir, {
    ...BASE_USER_SETTINGS,
    'security.workspace.trust.enabled': options.trust !== 'off',
    ...options.userSettings,
  });
  const port = await freePort();
  const server = await env.timings.measure(`${name}: code-server up`, () =>
    launchCodeServer({ installDir: env.installDir, folder: env.workspace, port, userDataDir, extensionsDir: env.extensionsDir }),
  );
  const context = await env.browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const workbench = new Workbench(page, RESULTS_DIR, name);
  const session: EditorSession = {
    name,
    server,
    context,
    workbench,
    userDataDir,
    close: async () => {
      env.sessions.delete(session);
      await context.close().catch(() => undefined);
      await server.stop();
    },
  };
  env.sessions.add(session);
  await env.timings.measure(`${name}: workbench loaded`, async () => {
    await page.goto(server.workbenchUrl);
    await workbench.waitForReady({ expectTrustDialog: options.trust === 'prompt' });
  });
  return session;
}

/** One trusted editor shared by the tests that profile in it (each starts where the last left off). */
let shared: Promise<EditorSession> | undefined;

export function sharedEditor(): Promise<EditorSession> {
  shared ??= openEditor('trusted', { trust: 'off' });
  return shared;
}

export function forgetSharedEditor(): void {
  shared = undefined;
}

/**
 * Replaces the workspace's .vscode/settings.json and reloads the window, so the next run sees exactly
 * these values. The interpreter goes in too: once, in a full CI run, the first run right after a
 * reload saw no trainlens.pythonPath from the user settings and ran `python3` without torch (later
 * runs saw it), so the trusted workspace's own file carries it as well.
 */
export async function setWorkspaceSettings(session: EditorSession, settings: Record<string, unknown>): Promise<void> {
  const dir = path.join(e2e().workspace, '.vscode');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ 'trainlens.pythonPath': PYTHON, ...settings }, null, 2));
  await e2e().timings.measure(`${session.name}: window reloaded for new settings`, async () => {
    await session.workbench.page.reload();
    await session.workbench.waitForReady({ expectTrustDialog: false });
  });
}

/**
 * A screenshot of one part of the window for the README (the full window is too big to keep in
 * the repository): saved with the test's artefacts, copied to docs/screenshots when TRAINLENS_E2E_DOCS=1.
 */
export async function forDocs(region: Locator, docsName: string): Promise<void> {
  const file = path.join(RESULTS_DIR, `docs-${docsName}`);
  await region.screenshot({ path: file });
  e2e().docsShots.set(file, docsName);
}

/**
 * `trainlens record --json` on the same script: the reference figures the editor must match.
 * `out`: where the recording goes; by default outside the workspace, so the editor never lists it.
 */
export async function recordWithCli(script: string, args: readonly string[], out = path.join(RESULTS_DIR, 'cli-runs')): Promise<RunSummary> {
  const cli = path.join(REPO_ROOT, 'dist', 'cli.js');
  const child = spawn(process.execPath, [cli, 'record', '--json', '--out', out, '--', PYTHON, script, ...args], {
    cwd: e2e().workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`trainlens record exited ${String(code)}:\n${stderr}`);
  // The script's own output shares stdout (`record` inherits it); the summary is the last JSON document.
  const start = stdout.lastIndexOf('{\n  "summaryFormat"');
  if (start === -1) throw new Error(`trainlens record --json printed no summary:\n${stdout.slice(-2000)}`);
  return JSON.parse(stdout.slice(start)) as RunSummary;
}

export function workspaceFile(relative: string): string {
  return path.join(e2e().workspace, relative);
}

export { extensionId };
