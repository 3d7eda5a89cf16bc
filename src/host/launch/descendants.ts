/**
 * Descendants of a process, read from /proc on Linux (a process may leave our process group with
 * setsid, but it stays our descendant). Elsewhere: none known, the process group covers the rest.
 */
import { readParentMap } from '../telemetry/proc-linux';

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
