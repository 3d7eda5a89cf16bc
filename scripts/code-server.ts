/**
 * A real VS Code without downloading one: code-server 4.100.3 (VS Code 1.100.3) from npm, installed
 * once into a cache folder outside the repository, plus the steps both `npm start` and the
 * end-to-end tests share: build, package the VSIX, install it, launch on loopback, stop.
 *
 * The recipe (build deps, the ripgrep cache seed, the npm flags) is the tested one from
 * ENVIRONMENT.md; each workaround is explained where it is applied.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
/** The VS Code release inside it (what users compare with their desktop editor). */
export const VSCODE_VERSION = '1.100.3';
/** code-server 4.100.x runs on Node 20 only (its postinstall refuses anything else; ≥ 4.104 wants 22). */
const REQUIRED_NODE_MAJOR = 20;
const RIPGREP_CACHE = { version: '1.15.11', archive: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz' };
export const DEBIAN_BUILD_DEPS = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep'];
/** Native modules VS Code's server needs at runtime; each must load, not merely exist. */
const NATIVE_MODULES = ['@vscode/spdlog', 'node-pty', 'native-watchdog', 'kerberos', '@parcel/watcher'];

export const REPO_ROOT = path.resolve(__dirname, '..');

export type Log = (line: string) => void;

/** A failure the user can act on: `message` says what to do. */
export class SetupError extends Error {
  readonly category = 'setup';
}

export function cacheRoot(): string {
  if (process.env.TRAINLENS_CACHE_DIR) return path.resolve(process.env.TRAINLENS_CACHE_DIR);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'trainlens');
}

export function codeServerDir(): string {
  return path.join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
}

function packageDir(installDir: string): string {
  return path.join(installDir, 'node_modules', 'code-server');
}

/** The entry point; run with this Node (the one code-server was built against), never a PATH lookup. */
export function codeServerEntry(installDir = codeServerDir()): string {
  return path.join(packageDir(installDir), 'out', 'node', 'entry.js');
}

const STAMP = '.trainlens-installed.json';

/**
 * Installed means: our stamp (written only after verification), the entry point still there, and
 * native modules built for this Node's major version (another Node cannot load them).
 */
export function isCodeServerInstalled(installDir = codeServerDir()): boolean {
  if (!fs.existsSync(codeServerEntry(installDir))) return false;
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(installDir, STAMP), 'utf8')) as { node?: unknown };
    return typeof stamp.node === 'string' && stamp.node.split('.')[0] === process.versions.node.split('.')[0];
  } catch {
    return false;
  }
}

function run(command: string, args: string[], options: SpawnSyncOptions & { what: string }): void {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw new SetupError(`${options.what}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new SetupError(`${options.what} failed (${result.signal ?? `exit ${String(result.status)}`}): ${command} ${args.join(' ')}`);
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function missingDebianPackages(packages: readonly string[]): string[] {
  const probe = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...packages], { encoding: 'utf8' });
  if (probe.error) return []; // not Debian: nothing we can check; npm will say what it lacks
  const installed = new Set(
    probe.stdout.split('\n').filter((line) => line.endsWith(' installed')).map((line) => line.split(' ')[0]),
  );
  return packages.filter((name) => !installed.has(name));
}

/** Installs with apt-get when root; otherwise stops with the exact command to run. */
export function ensureDebianPackages(packages: readonly string[], why: string, log: Log): void {
  const missing = missingDebianPackages(packages);
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (!isRoot()) throw new SetupError(`${why} needs Debian packages ${missing.join(', ')}. Run as root:\n  ${command}`);
  log(`installing ${missing.join(', ')} (${why})`);
  run('sh', ['-c', command], { what: 'apt-get', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here, unless a
 * cached archive exists in os.tmpdir(): seed that cache from Debian's rg.
 */
function seedRipgrepCache(log: Log): void {
  const cacheDir = path.join(os.tmpdir(), `vscode-ripgrep-cache-${RIPGREP_CACHE.version}`);
  const archive = path.join(cacheDir, RIPGREP_CACHE.archive);
  if (fs.existsSync(archive)) return;
  const rg = ['/usr/bin/rg', '/usr/local/bin/rg'].find((candidate) => fs.existsSync(candidate));
  if (!rg) throw new SetupError('ripgrep (rg) is missing; install the Debian package "ripgrep"');
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-rg-'));
  try {
    fs.copyFileSync(rg, path.join(staging, 'rg'));
    fs.chmodSync(path.join(staging, 'rg'), 0o755);
    fs.mkdirSync(cacheDir, { recursive: true });
    run('tar', ['czf', `${archive}.tmp`, '-C', staging, 'rg'], { what: 'seeding the ripgrep cache' });
    fs.renameSync(`${archive}.tmp`, archive);
    log(`seeded ${archive} from ${rg}`);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** node-gyp must not download headers (no internet): point it at the headers of the running Node. */
function nodeHeadersDir(): string | undefined {
  const prefix = path.dirname(path.dirname(process.execPath));
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** Loads each native module in a child Node: proves they were built, not only that npm said so. */
function verifyInstall(installDir: string): void {
  const vscodeDir = path.join(packageDir(installDir), 'lib', 'vscode');
  // argon2 (password auth, unused with --auth none) still loads at startup; npm hoists it.
  const script = `for (const m of ${JSON.stringify(NATIVE_MODULES)}) require(m); require(require.resolve('argon2', { paths: [${JSON.stringify(packageDir(installDir))}] }));`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: vscodeDir, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new SetupError(
      `code-server's native modules did not build (npm may have skipped install scripts):\n${result.stderr.trim()}`,
    );
  }
  const rg = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  if (!fs.existsSync(rg)) throw new SetupError(`code-server's ripgrep is missing (${rg}): its postinstall did not run`);
}

/** One installer at a time per cache folder (npm start and the e2e tests may race on a fresh machine). */
async function withLock<T>(lockDir: string, log: Log, body: () => T): Promise<T> {
  const staleMs = 20 * 60_000;
  for (let waited = 0; ; waited += 1) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - fs.statSync(lockDir).mtimeMs;
      if (age > staleMs) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (waited === 0) log(`another install holds ${lockDir}; waiting`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  try {
    return body();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Installs code-server into the cache folder unless a verified install is there. Installs into a
 * staging folder and renames it into place, so an interrupted install never looks complete.
 * Returns the install folder.
 */
export async function ensureCodeServer(log: Log): Promise<string> {
  const installDir = codeServerDir();
  if (isCodeServerInstalled(installDir)) return installDir;
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor !== REQUIRED_NODE_MAJOR) {
    throw new SetupError(`code-server ${CODE_SERVER_VERSION} needs Node ${REQUIRED_NODE_MAJOR}; this is Node ${process.versions.node}`);
  }
  fs.mkdirSync(cacheRoot(), { recursive: true });
  await withLock(path.join(cacheRoot(), `.code-server-${CODE_SERVER_VERSION}.lock`), log, () => {
    if (isCodeServerInstalled(installDir)) return; // the other installer finished it
    ensureDebianPackages(DEBIAN_BUILD_DEPS, `building code-server ${CODE_SERVER_VERSION}'s native modules`, log);
    seedRipgrepCache(log);
    const staging = `${installDir}.partial`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    fs.writeFileSync(
      path.join(staging, 'package.json'),
      JSON.stringify({ name: 'trainlens-code-server', private: true, description: 'Cache for TrainLens e2e/start' }, null, 2),
    );
    const headers = nodeHeadersDir();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // Its postinstall refuses to run as root without unsafe-perm, and `npx node-gyp` aborts without yes.
      npm_config_unsafe_perm: 'true',
      npm_config_yes: 'true',
      // npm 11's install-script policy (allowScripts) only warns today, but fails under
      // strict-allow-scripts and is meant to block; code-server's postinstall runs nested
      // `npm install`s (lib/vscode, its extensions) whose package.json we cannot annotate first.
      // This folder holds only code-server, pinned; verifyInstall() checks what got built.
      // npm 10 ignores the unknown setting and runs scripts anyway.
      npm_config_dangerously_allow_all_scripts: 'true',
      npm_config_ignore_scripts: 'false',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      ...(headers ? { npm_config_nodedir: headers } : {}),
    };
    log(`installing code-server ${CODE_SERVER_VERSION} into ${installDir} (about a minute; ~300 MB)`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    run(npm, ['install', '--no-save', `code-server@${CODE_SERVER_VERSION}`], { cwd: staging, env, what: 'npm install code-server' });
    verifyInstall(staging);
    fs.writeFileSync(
      path.join(staging, STAMP),
      JSON.stringify({ version: CODE_SERVER_VERSION, node: process.versions.node, installedAt: new Date().toISOString() }, null, 2),
    );
    fs.rmSync(installDir, { recursive: true, force: true });
    fs.renameSync(staging, installDir);
  });
  return installDir;
}

export function readManifest(): { name: string; publisher: string; version: string } {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  return { name: String(manifest.name), publisher: String(manifest.publisher), version: String(manifest.version) };
}

export function extensionId(): string {
  const { publisher, name } = readManifest();
  return `${publisher}.${name}`;
}

export function buildExtension(): void {
  run('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, what: 'npm run build' });
}

/**
 * `vsce package --no-dependencies` (the bundles are self-contained); returns the VSIX path.
 * `--no-rewrite-relative-links`: the README's screenshots are repository-relative and package.json
 * names no repository for vsce to make them absolute with; the VSIX's README keeps them as written.
 */
export function packageVsix(): string {
  const { name, version } = readManifest();
  const vsix = path.join(REPO_ROOT, `${name}-${version}.vsix`);
  const vsce = path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
  run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix], {
    cwd: REPO_ROOT,
    what: 'vsce package',
    // Its file listing is progress, not a result: stdout stays for what `npm start` prints (the address).
    stdio: ['ignore', 2, 2],
  });
  return vsix;
}

export function installVsix(installDir: string, vsix: string, extensionsDir: string): void {
  fs.mkdirSync(extensionsDir, { recursive: true });
  run(process.execPath, [codeServerEntry(installDir), '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'], {
    what: 'code-server --install-extension',
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Writes User/settings.json in a user-data dir (created if needed). */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const userDir = path.join(userDataDir, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify(settings, null, 2));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function httpStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', () => resolve(undefined));
    request.on('timeout', () => {
      request.destroy();
      resolve(undefined);
    });
  });
}

export interface LaunchOptions {
  installDir: string;
  folder: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  env?: NodeJS.ProcessEnv;
  /** Where code-server's own stdout/stderr go; default: a log file in userDataDir. */
  stdio?: 'inherit' | 'file';
}

export interface CodeServer {
  readonly url: string;
  /** The workbench URL with the folder open. */
  readonly workbenchUrl: string;
  readonly process: ChildProcess;
  readonly logFile: string | undefined;
  /** SIGTERM to code-server's whole process group, SIGKILL if it lingers; resolves once it exited. */
  stop(): Promise<void>;
}

/** Starts code-server on 127.0.0.1 only, auth off, and resolves once /healthz answers. */
export async function launchCodeServer(options: LaunchOptions): Promise<CodeServer> {
  const args = [
    codeServerEntry(options.installDir),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${options.port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--user-data-dir', options.userDataDir,
    '--extensions-dir', options.extensionsDir,
    options.folder,
  ];
  if (!fs.existsSync(options.folder)) throw new SetupError(`no folder ${options.folder} to open`);
  const logFile = options.stdio === 'inherit' ? undefined : path.join(options.userDataDir, 'code-server.log');
  const out = logFile ? fs.openSync(logFile, 'a') : 'inherit';
  // Own process group: stopping kills code-server and everything it started (extension host, runs).
  const child = spawn(process.execPath, args, {
    cwd: options.folder,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', out, out],
    detached: true,
  });
  if (typeof out === 'number') fs.closeSync(out);
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      spawnError = error;
      resolve();
    });
  });
  const url = `http://127.0.0.1:${options.port}/`;
  const stop = async (): Promise<void> => {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) return;
    const signalGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    signalGroup('SIGKILL'); // stragglers that ignored SIGTERM after the leader left
  };
  const deadline = Date.now() + 60_000;
  while ((await httpStatus(`${url}healthz`)) !== 200) {
    if (spawnError) throw new SetupError(`could not start code-server: ${spawnError.message}`);
    if (child.exitCode !== null) {
      const tail = logFile ? fs.readFileSync(logFile, 'utf8').slice(-2000) : '';
      throw new SetupError(`code-server exited (${child.exitCode}) before it was ready\n${tail}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new SetupError(`code-server did not answer on ${url} within 60 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const workbenchUrl = `${url}?folder=${encodeURIComponent(options.folder)}`;
  return { url, workbenchUrl, process: child, logFile, stop };
}
