/**
 * Descendants of a process, read from /proc on Linux (a process may leave our process group with
 * setsid, but it stays our descendant). Elsewhere: none known, the process group covers the rest.
 * Each comes with its start time, so that one signalled later is still the same process and not
 * an unrelated one that was given its pid after it exited.
 */
import { readdir, readFile } from 'node:fs/promises';
import { parsePidStat } from '../telemetry/proc-linux';

export interface Descendant {
  pid: number;
  /** Clock ticks since boot at its start (/proc/<pid>/stat field 22). */
  startTime: string;
}

export async function listDescendants(rootPid: number): Promise<Descendant[]> {
  const stats = await readAllStats();
  const children = new Map<number, Descendant[]>();
  for (const [pid, { ppid, startTime }] of stats) {
    const list = children.get(ppid) ?? [];
    list.push({ pid, startTime });
    children.set(ppid, list);
  }
  const result: Descendant[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const child of children.get(pid) ?? []) {
      result.push(child);
      queue.push(child.pid);
    }
  }
  return result;
}

/** Still running (not a zombie) and still the process that was listed. */
export async function isStillRunning(process: Descendant): Promise<boolean> {
  const text = await readFile(`/proc/${process.pid}/stat`, 'utf8').catch(() => null);
  const stat = text === null ? null : parsePidStat(text);
  return stat !== null && !stat.exited && stat.startTime === process.startTime;
}

async function readAllStats(): Promise<Map<number, { ppid: number; startTime: string }>> {
  const pids = (await readdir('/proc').catch(() => [])).filter((name) => /^\d+$/.test(name)).map(Number);
  const stats = new Map<number, { ppid: number; startTime: string }>();
  await Promise.all(
    pids.map(async (pid) => {
      const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
      const stat = text === null ? null : parsePidStat(text);
      if (stat !== null) stats.set(pid, { ppid: stat.ppid, startTime: stat.startTime });
    }),
  );
  return stats;
}
