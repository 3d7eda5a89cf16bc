/**
 * What is running, read from /proc: the training script's process tree (the script itself plus
 * every descendant, e.g. DataLoader workers), identified by pid and start time so a reused pid is
 * never mistaken for a survivor.
 */
import fs from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Clock ticks since boot; with the pid, identifies one process for its whole life. */
  startTicks: number;
  state: string;
  cmdline: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself contain spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return {
      pid,
      state: fields[0] ?? '?',
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      startTicks: Number(fields[19]),
      cmdline,
    };
  } catch {
    return undefined; // exited while we looked
  }
}

/** Running, not a zombie left for a PID 1 that does not reap (as in some containers). */
export function isAlive(pid: number): boolean {
  const now = readProcess(pid);
  return now !== undefined && now.state !== 'Z';
}

export function allProcesses(): ProcessInfo[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== undefined);
}

/** Processes whose command line mentions `needle` (e.g. the script's absolute path) and all their descendants. */
export function processTreeOf(needle: string): ProcessInfo[] {
  const processes = allProcesses();
  const roots = processes.filter((p) => p.cmdline.includes(needle) && p.pid !== process.pid);
  const tree = new Map(roots.map((p) => [p.pid, p]));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of processes) {
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.set(p.pid, p);
        grew = true;
      }
    }
  }
  return [...tree.values()];
}

/** Those of `processes` still alive: same pid and start time, and not a zombie. */
export function survivors(processes: readonly ProcessInfo[]): ProcessInfo[] {
  return processes.filter((p) => {
    const now = readProcess(p.pid);
    return now !== undefined && now.startTicks === p.startTicks && now.state !== 'Z';
  });
}

export function describe(processes: readonly ProcessInfo[]): string {
  return processes.map((p) => `${p.pid} (ppid ${p.ppid}, pgid ${p.pgid}, ${p.state}) ${p.cmdline}`).join('\n');
}
