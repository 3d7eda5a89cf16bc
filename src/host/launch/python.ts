/**
 * `python [flags] script.py args…` becomes `python [flags] -m trainlens_runner script.py args…`
 * with our runner folder prepended to PYTHONPATH (the runner restores the user's value before the
 * script runs, so nothing leaks into child processes).
 */
import path from 'node:path';
import { RUNNER_OPTIONS_ENV, UnsupportedCommandError, type LaunchPlan, type PlanContext } from './plan';

const PYTHON_RUNNER_MODULE = 'trainlens_runner';

/** Interpreter flags that take a separate value (`-W error`, `-X dev`). */
const FLAGS_WITH_VALUE = new Set(['-W', '-X', '--check-hash-based-pycs']);

export function isPythonExecutable(command: string): boolean {
  return /^python(\d+(\.\d+)*)?(\.exe)?$/i.test(path.basename(command));
}

export function planPythonLaunch(argv: readonly string[], ctx: PlanContext): LaunchPlan {
  const [interpreter, ...rest] = argv;
  if (interpreter === undefined) throw new UnsupportedCommandError('no command given');
  const flags: string[] = [];
  let i = 0;
  for (; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '-m' || arg === '-c' || arg === '-') {
      throw new UnsupportedCommandError(
        `TrainLens profiles a script file (python train.py …); "python ${arg}" is not supported. Run the script file directly.`,
      );
    }
    if (!arg.startsWith('-')) break;
    flags.push(arg);
    if (FLAGS_WITH_VALUE.has(arg) && i + 1 < rest.length) flags.push(rest[++i] as string);
  }
  const script = rest[i];
  if (script === undefined) throw new UnsupportedCommandError(`no script given to ${interpreter}: expected "${interpreter} train.py …"`);
  const original = ctx.env.PYTHONPATH;
  const runnerPath = path.join(ctx.runnersDir, 'python');
  const options = { ...ctx.options, pythonPath: original ?? null };
  return {
    runner: 'python',
    command: interpreter,
    args: [...flags, '-m', PYTHON_RUNNER_MODULE, script, ...rest.slice(i + 1)],
    env: {
      ...ctx.env,
      PYTHONPATH: original ? `${runnerPath}${path.delimiter}${original}` : runnerPath,
      [RUNNER_OPTIONS_ENV]: JSON.stringify(options),
    },
    script: path.resolve(ctx.cwd, script),
  };
}
