/**
 * Entry of dist/preload.js, loaded with `--require` into the user's Node process (on node's command
 * line, or through NODE_OPTIONS for launchers such as tsx and ts-node; see src/host/launch/node.ts).
 * It imports only the protocol and Node built-ins, and nothing it does may break the program.
 *
 * Through NODE_OPTIONS every Node process of the launch chain loads us (npx, tsx's CLI, the script's
 * process). Launchers are library code (node_modules); there we stay dormant and leave the
 * environment alone so it reaches the next process. The runner starts in the process whose main
 * module is the user's: at once when that is this process's entry (`node … script`, tsx's child),
 * or when a launcher loads it in-process (ts-node). Worker threads also run `--require` modules;
 * the main thread's runner already covers their process.
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { packageOf } from './frames';
import { leaveEnvironment, OPTIONS_ENV, parseOptions, type PreloadOptions } from './options';
import { NodeRunner, warnDisabled } from './runner';

function start(options: PreloadOptions): void {
  leaveEnvironment(options);
  const socket = fs.statSync(options.socket, { throwIfNoEntry: false });
  if (!socket?.isSocket()) {
    warnDisabled(`no run socket at ${options.socket}`);
    return;
  }
  new NodeRunner(options);
}

function isLauncherProcess(): boolean {
  const main = process.argv[1];
  return main !== undefined && isLibraryFile(main);
}

/** A main module is given as typed or found on PATH (`/usr/bin/npx`); the file it links to says
 * which package it belongs to (`…/node_modules/npm/bin/npx-cli.js`). */
function isLibraryFile(file: string): boolean {
  let real = file;
  try {
    real = fs.realpathSync(file);
  } catch {
    // not a file on disk: judge the path as given
  }
  return packageOf(real) !== null;
}

/** Starts when this process loads a main module outside the libraries (ts-node's Module.runMain). */
function startWithUserMain(options: PreloadOptions): void {
  const loader = Module as unknown as { _load: (...args: unknown[]) => unknown };
  const original = loader._load;
  loader._load = function (this: unknown, ...args: unknown[]) {
    const [request, , isMain] = args;
    if (isMain === true && typeof request === 'string' && !isLibraryFile(request)) {
      loader._load = original;
      try {
        start(options);
      } catch (error) {
        warnDisabled(String(error));
      }
    }
    return original.apply(this, args);
  };
}

function main(): void {
  const raw = process.env[OPTIONS_ENV];
  if (raw === undefined || !isMainThread) return;
  const options = parseOptions(raw);
  if (typeof options === 'string') {
    leaveEnvironment(null);
    warnDisabled(options);
    return;
  }
  if (options.nodeOptions !== undefined && isLauncherProcess()) startWithUserMain(options);
  else start(options);
}

try {
  main();
} catch (error) {
  warnDisabled(String(error));
}
