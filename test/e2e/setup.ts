/**
 * Root hooks for `npm run test:e2e`: build, package and install the extension exactly as a user
 * gets it (VSIX), make sure code-server is in the cache (installed on a fresh machine, reused
 * after), and start Chromium. Timings of each step are printed and written to timings.json.
 *
 * TRAINLENS_E2E_NO_BUILD=1 skips `npm run build` (when it just ran); TRAINLENS_E2E_VSIX=<file>
 * tests a VSIX built elsewhere (=none: no extension, to work on the harness alone);
 * TRAINLENS_E2E_DOCS=1 copies the screenshots chosen for the README into docs/screenshots.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  CODE_SERVER_VERSION,
  REPO_ROOT,
  buildExtension,
  ensureCodeServer,
  ensureDebianPackages,
  extensionId,
  installVsix,
  packageVsix,
} from '../../scripts/code-server';
import {
  CHROMIUM,
  DOCS_SCREENSHOTS_DIR,
  RESULTS_DIR,
  Timings,
  e2e,
  forgetSharedEditor,
  launchBrowser,
  setEnvironment,
} from './environment';
import { PARALLEL_LOADER } from './examples';

const log = (line: string): void => void process.stderr.write(`      [e2e] ${line}\n`);

function freshWorkspace(): string {
  // Named like the folder it copies, so screenshots read as the user's view of examples/.
  const workspace = path.join(RESULTS_DIR, 'examples');
  fs.rmSync(workspace, { recursive: true, force: true });
  fs.cpSync(path.join(REPO_ROOT, 'examples'), workspace, {
    recursive: true,
    filter: (source) => !/(__pycache__|\.trainlens)$/.test(source),
  });
  // Stop is tested on a run with DataLoader worker processes: the test suite's script for that,
  // next to the example it imports (input_bound.py, _measure.py), as a user's project would have it.
  fs.copyFileSync(path.join(REPO_ROOT, 'test', 'python', 'scripts', 'parallel_loader.py'), path.join(workspace, PARALLEL_LOADER));
  return workspace;
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    // A fresh machine installs code-server (about a minute) and maybe Debian packages.
    this.timeout(15 * 60_000);
    const timings = new Timings();
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    for (const name of fs.readdirSync(RESULTS_DIR)) {
      if (name.endsWith('.png') || name === 'user-data' || name === 'cli-runs') fs.rmSync(path.join(RESULTS_DIR, name), { recursive: true, force: true });
    }
    // code-server's own build deps are checked by ensureCodeServer, only when it must install.
    if (!fs.existsSync(CHROMIUM)) await timings.measure('chromium installed', () => ensureDebianPackages(['chromium'], 'the real-editor tests', log));
    const given = process.env.TRAINLENS_E2E_VSIX;
    let vsix: string | undefined;
    if (given === 'none') {
      log('TRAINLENS_E2E_VSIX=none: no extension installed (harness development); TrainLens tests will fail');
    } else if (given) {
      vsix = path.resolve(given);
    } else {
      if (process.env.TRAINLENS_E2E_NO_BUILD !== '1') await timings.measure('npm run build', buildExtension);
      vsix = await timings.measure('vsce package', packageVsix);
    }
    if (vsix) log(`${path.relative(REPO_ROOT, vsix)}: ${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB`);
    const installDir = await timings.measure(`code-server ${CODE_SERVER_VERSION} (cached or installed)`, () => ensureCodeServer(log));
    const extensionsDir = path.join(RESULTS_DIR, 'extensions');
    fs.rmSync(extensionsDir, { recursive: true, force: true });
    fs.mkdirSync(extensionsDir, { recursive: true });
    if (vsix) await timings.measure('VSIX installed into code-server', () => installVsix(installDir, vsix, extensionsDir));
    const workspace = freshWorkspace();
    const browser = await timings.measure('Chromium started', launchBrowser);
    setEnvironment({
      installDir,
      extensionsDir,
      extensionId: extensionId(),
      workspace,
      browser,
      timings,
      docsShots: new Map(),
      sessions: new Set(),
    });
  },

  /** A failed test leaves a screenshot of every open editor: what the user would have seen. */
  async afterEach(this: Mocha.Context): Promise<void> {
    if (this.currentTest?.state !== 'failed') return;
    let environment;
    try {
      environment = e2e();
    } catch {
      return;
    }
    for (const session of environment.sessions) {
      const file = await session.workbench.screenshot('FAILED').catch(() => undefined);
      if (file) log(`failure screenshot: ${path.relative(REPO_ROOT, file)}`);
    }
  },

  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    let environment;
    try {
      environment = e2e();
    } catch {
      return; // setup failed; nothing to close
    }
    for (const session of [...environment.sessions]) await session.close();
    forgetSharedEditor();
    await environment.browser.close();
    if (process.env.TRAINLENS_E2E_DOCS === '1') copyDocsScreenshots(environment.docsShots);
    const total = environment.timings.totalMs();
    fs.writeFileSync(
      path.join(RESULTS_DIR, 'timings.json'),
      JSON.stringify({ totalMs: total, steps: environment.timings.entries }, null, 2),
    );
    process.stderr.write('\n  e2e timings:\n');
    for (const { label, ms } of environment.timings.entries) process.stderr.write(`    ${(ms / 1000).toFixed(1).padStart(6)} s  ${label}\n`);
    process.stderr.write(`    ${(total / 1000).toFixed(1).padStart(6)} s  total (setup + tests)\n  screenshots: ${path.relative(REPO_ROOT, RESULTS_DIR)}/\n`);
    setEnvironment(undefined);
  },
};

function copyDocsScreenshots(shots: ReadonlyMap<string, string>): void {
  fs.mkdirSync(DOCS_SCREENSHOTS_DIR, { recursive: true });
  for (const [file, name] of shots) {
    if (!fs.existsSync(file)) continue;
    fs.copyFileSync(file, path.join(DOCS_SCREENSHOTS_DIR, name));
    log(`docs/screenshots/${name} ← ${path.basename(file)}`);
  }
}
