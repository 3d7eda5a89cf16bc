/**
 * `npm start`: TrainLens in a real VS Code (code-server) on this machine, with examples/ open.
 * Builds, packages the VSIX, installs code-server into the cache folder if missing, installs the
 * VSIX into a dedicated extensions folder, serves on 127.0.0.1 and runs until Ctrl+C.
 *
 *   npm start [-- --port N] [--no-build] [--folder DIR]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  CODE_SERVER_VERSION,
  REPO_ROOT,
  SetupError,
  VSCODE_VERSION,
  buildExtension,
  cacheRoot,
  ensureCodeServer,
  freePort,
  installVsix,
  isPortFree,
  launchCodeServer,
  packageVsix,
  writeUserSettings,
} from './code-server';

const DEFAULT_PORT = 8080;

const log = (line: string): void => void process.stderr.write(`trainlens start: ${line}\n`);

async function timed<T>(label: string, body: () => T | Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await body();
  log(`${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

/** The first interpreter that has torch, so the PyTorch examples run out of the box. */
function pythonWithTorch(): string | undefined {
  return ['python3', '/usr/bin/python3'].find(
    (candidate) => spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore', timeout: 30_000 }).status === 0,
  );
}

/** First start only: never overwrite settings the user changed in the editor since. */
function seedSettings(userDataDir: string): void {
  if (fs.existsSync(path.join(userDataDir, 'User', 'settings.json'))) return;
  const python = pythonWithTorch();
  writeUserSettings(userDataDir, {
    'workbench.startupEditor': 'none',
    ...(python && python !== 'python3' ? { 'trainlens.pythonPath': python } : {}),
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, 'no-build': { type: 'boolean' }, folder: { type: 'string' } },
  });
  const folder = path.resolve(REPO_ROOT, values.folder ?? 'examples');
  if (!fs.existsSync(folder)) throw new SetupError(`no folder ${folder}`);
  const started = Date.now();

  if (!values['no-build']) await timed('built', buildExtension);
  const vsix = await timed('packaged', packageVsix);
  const installDir = await timed(`code-server ${CODE_SERVER_VERSION} ready`, () => ensureCodeServer(log));

  const home = path.join(cacheRoot(), 'start');
  const userDataDir = path.join(home, 'user-data');
  const extensionsDir = path.join(home, 'extensions');
  seedSettings(userDataDir);
  await timed(`installed ${path.basename(vsix)}`, () => installVsix(installDir, vsix, extensionsDir));

  const wanted = Number(values.port ?? process.env.PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) throw new SetupError(`bad port "${String(values.port)}"`);
  let port = wanted;
  if (!(await isPortFree(port))) {
    port = await freePort();
    log(`port ${wanted} is busy; using ${port}`);
  }
  const server = await timed('code-server listening', () =>
    launchCodeServer({ installDir, folder, port, userDataDir, extensionsDir }),
  );

  process.stdout.write(
    [
      '',
      `  TrainLens in VS Code ${VSCODE_VERSION} (code-server ${CODE_SERVER_VERSION}), ready in ${((Date.now() - started) / 1000).toFixed(1)} s:`,
      '',
      `    ${server.workbenchUrl}`,
      '',
      `  Workspace: ${folder}`,
      `  Log:       ${server.logFile ?? '(this terminal)'}`,
      '  Ctrl+C stops it.',
      '',
    ].join('\n') + '\n',
  );

  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    log('stopping code-server');
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  server.process.once('exit', (code, signal) => {
    if (stopping) return;
    log(`code-server exited (${signal ?? `exit ${String(code)}`}); see ${server.logFile ?? 'above'}`);
    process.exit(1);
  });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  log(error instanceof SetupError ? message : (error as Error).stack ?? message);
  process.exit(1);
});
