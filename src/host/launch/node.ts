/**
 * Node launch planner: turns `node script.js …` (or a TypeScript launcher) into a command that loads
 * the bundled preload (dist/preload.js). Pure: no file system, no spawning.
 *
 * Two ways in:
 * - `node [flags] script …`: `--require <preload>` goes on node's own command line, so only this
 *   process gets it and child processes inherit nothing.
 * - launchers that are not node themselves (`tsx`, `npx tsx`, `ts-node`, `npx ts-node`): they start
 *   node for us (tsx even starts a second node process), so the preload can only travel in
 *   NODE_OPTIONS. The user's original value goes along in `options.nodeOptions`; the preload stays
 *   dormant in launcher processes and, in the process that runs the script, restores NODE_OPTIONS
 *   so nothing leaks further.
 */
import * as path from 'node:path';
import { RUNNER_OPTIONS_ENV, UnsupportedCommandError, type LaunchPlan, type PlanContext, type RunnerOptions } from './plan';

const PRELOAD_FILE = 'preload.js';

const SUPPORTED =
  'TrainLens runs Node scripts as `node [flags] script.js`, `node --import tsx script.ts`, `tsx script.ts`, ' +
  '`npx tsx script.ts`, `ts-node script.ts` or `npx ts-node script.ts`';

/** Node flags whose value is the next argument (when not written as --flag=value). */
const NODE_VALUE_FLAGS = new Set([
  '-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type',
  '--inspect-port', '--debug-port', '--title', '--env-file', '--redirect-warnings', '--report-dir',
  '--report-directory', '--report-filename', '--report-signal', '--diagnostic-dir', '--cpu-prof-dir',
  '--cpu-prof-name', '--cpu-prof-interval', '--heap-prof-dir', '--heap-prof-name', '--heap-prof-interval',
  '--heapsnapshot-signal', '--icu-data-dir', '--openssl-config', '--tls-keylog', '--tls-cipher-list',
  '--unhandled-rejections', '--dns-result-order', '--disable-warning', '--secure-heap', '--secure-heap-min',
  '--stack-size', '--max-old-space-size', '--experimental-policy', '--policy-integrity', '--watch-path',
]);
/** Node invocations that run no script file of ours to profile. */
const NODE_NON_RUN_FLAGS = new Set(['-i', '--interactive', '-v', '--version', '-h', '--help', '-c', '--check', '--test', '--watch', '--v8-options']);
const NODE_EVAL_FLAGS = new Set(['-e', '--eval', '-p', '--print']);

const TSX_VALUE_FLAGS = new Set([...NODE_VALUE_FLAGS, '--tsconfig']);
const TS_NODE_VALUE_FLAGS = new Set([
  '-r', '--require', '-P', '--project', '-C', '--compiler', '-O', '--compiler-options', '-I', '--ignore',
  '--cwd', '--dir', '--scope-dir', '-D', '--ignore-diagnostics', '--cwd-mode', '--script-mode',
]);
const NPX_VALUE_FLAGS = new Set(['-p', '--package', '--cache', '--userconfig', '-w', '--workspace']);

type Launcher = 'tsx' | 'ts-node';

const NODE_NAME = /^node(js)?(\d+(\.\d+)*)?$/;
const LAUNCHER_NAMES = new Set(['npx', 'tsx', 'ts-node', 'ts-node-transpile-only', 'ts-node-esm']);

/** Commands planNodeLaunch takes (it may still refuse one with a reason, e.g. `npx cowsay`). */
export function isNodeLauncher(command: string): boolean {
  const name = commandName(command);
  return NODE_NAME.test(name) || LAUNCHER_NAMES.has(name);
}

export function planNodeLaunch(argv: string[], ctx: PlanContext): LaunchPlan {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UnsupportedCommandError(`No command given. ${SUPPORTED}.`);
  const preload = path.join(ctx.runnersDir, PRELOAD_FILE);
  const name = commandName(command);
  if (NODE_NAME.test(name)) {
    const script = nodeScript(rest, ctx.cwd);
    const options: RunnerOptions = { ...ctx.options };
    delete options.nodeOptions; // absent = injected on node's command line, not through NODE_OPTIONS
    return {
      runner: 'node',
      command,
      args: ['--require', preload, ...rest],
      env: { ...ctx.env, [RUNNER_OPTIONS_ENV]: JSON.stringify(options) },
      script,
    };
  }
  const launched = launcherScript(name, rest, ctx.cwd);
  const nodeOptions = ctx.env.NODE_OPTIONS ?? null;
  const ours = `--require ${quoteNodeOption(preload)}`;
  const options: RunnerOptions = { ...ctx.options, nodeOptions };
  return {
    runner: 'node',
    command,
    args: rest,
    env: {
      ...ctx.env,
      NODE_OPTIONS: nodeOptions ? `${nodeOptions} ${ours}` : ours,
      [RUNNER_OPTIONS_ENV]: JSON.stringify(options),
    },
    script: launched,
  };
}

/** NODE_OPTIONS splits on spaces; a double-quoted value may hold spaces, with `\` escaping `"` and `\`. */
function quoteNodeOption(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function commandName(command: string): string {
  return path.basename(command.replace(/\\/g, '/')).toLowerCase().replace(/\.(exe|cmd)$/, '');
}

/** The script of `node [flags] script args…`, absolute. */
function nodeScript(args: string[], cwd: string): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return scriptAt(args, i + 1, cwd, 'node');
    const flag = arg.split('=', 1)[0] as string;
    if (NODE_NON_RUN_FLAGS.has(flag)) throw new UnsupportedCommandError(`\`node ${arg}\` does not run a training script once. ${SUPPORTED}.`);
    if (NODE_EVAL_FLAGS.has(flag)) throw new UnsupportedCommandError(`TrainLens profiles a script file; \`node ${arg}\` has none. ${SUPPORTED}.`);
    if (!arg.startsWith('-') || arg === '-') return scriptAt(args, i, cwd, 'node');
    if (NODE_VALUE_FLAGS.has(arg)) i++;
  }
  return scriptAt(args, args.length, cwd, 'node');
}

function launcherScript(name: string, args: string[], cwd: string): string {
  if (name === 'npx') {
    const at = skipFlags(args, 0, NPX_VALUE_FLAGS);
    const pkg = args[at];
    if (args.slice(0, at).some((a) => a === '-c' || a.startsWith('--call'))) throw new UnsupportedCommandError(`\`npx -c\` runs a shell command. ${SUPPORTED}.`);
    const launcher = pkg === undefined ? undefined : launcherOf(pkg.replace(/@[^@/]*$/, ''));
    if (launcher === undefined) throw new UnsupportedCommandError(`\`npx ${pkg ?? ''}\` is not a TypeScript launcher TrainLens knows. ${SUPPORTED}.`);
    return launcherArgsScript(launcher, args.slice(at + 1), cwd);
  }
  const launcher = launcherOf(name);
  if (launcher === undefined) throw new UnsupportedCommandError(`\`${name}\` is not a Node command. ${SUPPORTED}.`);
  return launcherArgsScript(launcher, args, cwd);
}

function launcherOf(name: string): Launcher | undefined {
  if (name === 'tsx') return 'tsx';
  if (name === 'ts-node' || name === 'ts-node-transpile-only') return 'ts-node';
  if (name === 'ts-node-esm') throw new UnsupportedCommandError('`ts-node-esm` runs the script in a child process TrainLens cannot follow; use `node --import tsx script.ts`.');
  return undefined;
}

function launcherArgsScript(launcher: Launcher, args: string[], cwd: string): string {
  if (launcher === 'tsx' && args[0] === 'watch') throw new UnsupportedCommandError('`tsx watch` restarts the script on every change; record one run with `tsx script.ts`.');
  if (launcher === 'ts-node' && args.includes('--esm')) throw new UnsupportedCommandError('`ts-node --esm` runs the script in a child process TrainLens cannot follow; use `node --import tsx script.ts`.');
  if (args.some((a) => NODE_EVAL_FLAGS.has(a.split('=', 1)[0] as string))) throw new UnsupportedCommandError(`TrainLens profiles a script file; \`${launcher} --eval\` has none. ${SUPPORTED}.`);
  const at = skipFlags(args, 0, launcher === 'tsx' ? TSX_VALUE_FLAGS : TS_NODE_VALUE_FLAGS);
  return scriptAt(args, at, cwd, launcher);
}

function skipFlags(args: string[], from: number, valueFlags: ReadonlySet<string>): number {
  let i = from;
  while (i < args.length) {
    const arg = args[i] as string;
    if (arg === '--') return i + 1;
    if (!arg.startsWith('-') || arg === '-') return i;
    i += valueFlags.has(arg) ? 2 : 1;
  }
  return i;
}

function scriptAt(args: string[], at: number, cwd: string, what: string): string {
  const script = args[at];
  if (script === undefined) throw new UnsupportedCommandError(`\`${what}\` without a script starts a REPL. ${SUPPORTED}.`);
  if (script === '-') throw new UnsupportedCommandError(`A script read from stdin cannot be profiled. ${SUPPORTED}.`);
  return path.resolve(cwd, script);
}
