/** Picks the runner for a user's command and checks what can be checked before spawning. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { planNodeLaunch, isNodeLauncher } from './node';
import { UnsupportedCommandError, type LaunchPlan, type PlanContext } from './plan';
import { isPythonExecutable, planPythonLaunch } from './python';

const SUPPORTED_COMMANDS =
  'TrainLens runs Python scripts ("python train.py …") and Node scripts ("node train.js …", "npx tsx train.ts …", "node --import tsx train.ts …", "ts-node train.ts …").';

export class ScriptNotFoundError extends Error {
  readonly category = 'script-not-found';
}

/** `train.py` alone means "run it with python3"; `train.js`/`train.ts` alone, with node/tsx. */
export function withDefaultInterpreter(argv: readonly string[], python = 'python3'): string[] {
  const first = argv[0] ?? '';
  if (first.endsWith('.py')) return [python, ...argv];
  if (/\.(c|m)?js$/.test(first)) return ['node', ...argv];
  if (/\.(c|m)?ts$/.test(first)) return ['node', '--import', 'tsx', ...argv];
  return [...argv];
}

export function planLaunch(argv: readonly string[], ctx: PlanContext): LaunchPlan {
  const command = argv[0];
  if (command === undefined) throw new UnsupportedCommandError(`no command given. ${SUPPORTED_COMMANDS}`);
  let plan: LaunchPlan;
  if (isPythonExecutable(command)) plan = planPythonLaunch(argv, ctx);
  else if (isNodeLauncher(command)) plan = planNodeLaunch([...argv], ctx);
  else throw new UnsupportedCommandError(`"${path.basename(command)}" is not a command TrainLens can profile. ${SUPPORTED_COMMANDS}`);
  if (plan.script && !existsSync(plan.script)) throw new ScriptNotFoundError(`script not found: ${plan.script}`);
  return plan;
}

export { UnsupportedCommandError } from './plan';
