/**
 * Descendants of a process, read from /proc on Linux (a process may leave our process group with
 * setsid, but it stays our descendant). Elsewhere: none known, the process group covers the rest.
 */
import { promises as fs } from 'node:fs';

export async function listDescendants(rootPid: number): Promise<number[]> {
  const parents = await readParentMap();
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const result: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const child of children.get(pid) ?? []) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

/** pid -> parent pid of every visible process; empty where /proc does not exist. */
export async function readParentMap(): Promise<Map<number, number>> {
  const map = new Map<number, number>();
  let names: string[];
  try {
    names = await fs.readdir('/proc');
  } catch {
    return map;
  }
  await Promise.all(
    names
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        try {
          const stat = await fs.readFile(`/proc/${name}/stat`, 'utf8');
          // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          map.set(Number(name), Number(fields[1]));
        } catch {
          // The process exited while we looked.
        }
      }),
  );
  return map;
}
