/**
 * Runs the extension inside a real VS Code (@vscode/test-electron). Not part of `npm test`: it
 * needs VS Code (downloaded, or VSCODE_EXECUTABLE) and a display. Where either is missing it says
 * so and exits 0 (skipped), so machines without them are not failed by it.
 *
 *   npm run build && node --import tsx test/vscode-electron/run.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '..', '..');
const suiteBundle = path.join(root, 'out', 'vscode-electron', 'suite.js');
const workspace = path.join(__dirname, 'workspace');

/** The parts of @vscode/test-electron used here; it is optional, so it is loaded by name. */
interface TestElectron {
  downloadAndUnzipVSCode(options: { cachePath: string }): Promise<string>;
  runTests(options: { vscodeExecutablePath: string; extensionDevelopmentPath: string; extensionTestsPath: string; launchArgs: string[] }): Promise<number>;
}

function skip(why: string): number {
  console.log(`vscode-electron suite SKIPPED: ${why}`);
  return 0;
}

async function loadTestElectron(): Promise<TestElectron | undefined> {
  const name = '@vscode/test-electron';
  try {
    return (await import(name)) as TestElectron;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const testElectron = await loadTestElectron();
  if (!testElectron) return skip('@vscode/test-electron is not installed (npm install --no-save @vscode/test-electron).');
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return skip('no display; run it under xvfb-run (xvfb-run -a node --import tsx test/vscode-electron/run.ts).');
  }
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) {
    console.error('vscode-electron suite: dist/extension.js is missing; run `npm run build` first.');
    return 1;
  }
  let executable = process.env.VSCODE_EXECUTABLE;
  if (!executable) {
    try {
      executable = await testElectron.downloadAndUnzipVSCode({ cachePath: path.join(root, '.cache', 'vscode-test') });
    } catch (error) {
      return skip(`VS Code is not available here and could not be downloaded (${(error as Error).message}). Set VSCODE_EXECUTABLE to a VS Code binary to run the suite offline.`);
    }
  }
  // The suite runs inside VS Code's extension host: one CommonJS bundle, `vscode` and mocha from there.
  await build({ entryPoints: [path.join(__dirname, 'suite', 'index.ts')], outfile: suiteBundle, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'mocha'], logLevel: 'warning' });
  try {
    await testElectron.runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: root,
      extensionTestsPath: suiteBundle,
      // A trusted, otherwise bare editor: trust is covered by the real-editor (code-server) tests.
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
    return 0;
  } catch (error) {
    console.error(`vscode-electron suite FAILED: ${(error as Error).message}`);
    return 1;
  }
}

main().then((code) => process.exit(code));
