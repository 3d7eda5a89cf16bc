/**
 * The user's training process: spawned without a shell in its own process group, so a stop
 * reaches DataLoader workers and other children too. Stop escalates SIGINT -> SIGTERM -> SIGKILL.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { isStillRunning, listDescendants, type Descendant } from './descendants';
import type { LaunchPlan } from './plan';

export interface ProcessExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export class LaunchError extends Error {
  readonly category = 'launch';
}

/** Time each stop signal gets before the next, stronger one. */
const STOP_GRACE_MS = 3000;

/**
 * Where the script's output goes. 'stdout-to-stderr': the terminal sees everything, but our own
 * stdout stays free for a machine-readable result (`trainlens record --json > summary.json`).
 */
export type TrainingStdio = 'inherit' | 'stdout-to-stderr' | 'pipe' | 'ignore';

const SPAWN_STDIO: Record<TrainingStdio, StdioOptions> = {
  inherit: 'inherit',
  'stdout-to-stderr': ['inherit', 2, 'inherit'],
  pipe: ['pipe', 'pipe', 'pipe'],
  ignore: 'ignore',
};

export class TrainingProcess {
  readonly exited: Promise<ProcessExit>;
  private exit: ProcessExit | undefined;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (exitCode, signal) => {
        this.exit = { exitCode, signal };
        resolve(this.exit);
      });
    });
  }

  /** Resolves once the process is running; rejects with a LaunchError it could not start. */
  static async start(plan: LaunchPlan, cwd: string, stdio: TrainingStdio): Promise<TrainingProcess> {
    const child = spawn(plan.command, plan.args, {
      cwd,
      env: plan.env,
      stdio: SPAWN_STDIO[stdio],
      detached: true,
      shell: false,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error: NodeJS.ErrnoException) => {
        const what = error.code === 'ENOENT' ? 'not found' : error.message;
        reject(new LaunchError(`cannot start ${plan.command}: ${what}`));
      });
    });
    return new TrainingProcess(child);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get stdout(): Readable | null {
    return this.child.stdout;
  }

  get stderr(): Readable | null {
    return this.child.stderr;
  }

  get stdin(): Writable | null {
    return this.child.stdin;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** SIGINT, then SIGTERM, then SIGKILL, each to the whole process group and any escaped descendants. */
  async stop(graceMs = STOP_GRACE_MS): Promise<ProcessExit> {
    // Every descendant seen while stopping: once the leader exits, one that left the group (setsid)
    // is reparented away and can no longer be found through the tree.
    const escaped = new Map<number, Descendant>();
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
      if (!this.running) break;
      for (const descendant of await listDescendants(this.pid)) escaped.set(descendant.pid, descendant);
      this.signalGroup(signal);
      for (const pid of escaped.keys()) trySignal(pid, signal);
      if (await settlesWithin(this.exited, signal === 'SIGKILL' ? graceMs * 3 : graceMs)) break;
    }
    const result = await this.exited;
    // The leader is gone; anything left in its group (a worker that ignored the signals) goes too,
    // and so does a descendant outside the group that outlived it (a daemon that ignored them).
    this.signalGroup('SIGKILL');
    const killed: Descendant[] = [];
    for (const descendant of escaped.values()) {
      if (!(await isStillRunning(descendant))) continue;
      trySignal(descendant.pid, 'SIGKILL');
      killed.push(descendant);
    }
    // A SIGKILL lands at once but the process is gone only once the kernel has torn it down: wait,
    // so that a stop that returned left nothing running (a check right after saw a daemon still there).
    await untilGone(killed, KILLED_GONE_MS);
    return result;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    trySignal(-this.pid, signal);
  }
}

function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone: nothing to stop.
  }
}

/** How long a stop waits for killed escaped descendants to be gone. */
const KILLED_GONE_MS = 2000;

async function untilGone(processes: readonly Descendant[], withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  let left = [...processes];
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const running = await Promise.all(left.map((p) => isStillRunning(p)));
    left = left.filter((_, i) => running[i]);
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return settled;
}
