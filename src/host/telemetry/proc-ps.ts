/**
 * Fallback where there is no /proc (macOS, BSDs): one async `ps` per tick, machine figures from
 * Node's os module. ps's %cpu there is a decaying average, not the last second's share, so bursts
 * show late. Where ps does not exist (Windows) the tree is reported as not measured (processes 0)
 * and GPU and machine figures still flow.
 */
import { execFile } from 'node:child_process';
import { cpus, freemem, totalmem } from 'node:os';
import { promisify } from 'node:util';
import type { Notify } from './notes';
import type { ProcReading, ProcSampler } from './proc-sampler';

const execFileAsync = promisify(execFile);
const PS_TIMEOUT_MS = 5000;

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    total += times.user + times.nice + times.sys + times.irq + times.idle;
  }
  return { busy, total };
}

/** `ps -A -o pid=,ppid=,%cpu=,rss=` output → the tree under rootPid (rss is in KiB). */
export function treeFromPs(stdout: string, rootPid: number): { cpuPct: number; rssBytes: number; pids: Set<number> } {
  const childrenOf = new Map<number, number[]>();
  const usage = new Map<number, { cpuPct: number; rssKiB: number }>();
  for (const line of stdout.split('\n')) {
    const [pid, ppid, cpuPct, rssKiB] = line.trim().split(/\s+/).map(Number);
    if (pid === undefined || ppid === undefined || cpuPct === undefined || rssKiB === undefined || !Number.isFinite(pid + ppid + cpuPct + rssKiB)) continue;
    usage.set(pid, { cpuPct, rssKiB });
    childrenOf.set(ppid, [...(childrenOf.get(ppid) ?? []), pid]);
  }
  const pids = new Set<number>();
  let cpuPct = 0;
  let rssKiB = 0;
  for (let queue = usage.has(rootPid) ? [rootPid] : []; queue.length > 0; ) {
    const pid = queue.pop() as number;
    if (pids.has(pid)) continue;
    pids.add(pid);
    cpuPct += usage.get(pid)?.cpuPct ?? 0;
    rssKiB += usage.get(pid)?.rssKiB ?? 0;
    queue = queue.concat(childrenOf.get(pid) ?? []);
  }
  return { cpuPct, rssBytes: rssKiB * 1024, pids };
}

export class PsProcSampler implements ProcSampler {
  private prevCpu = cpuTimes();
  private psWorks = true;

  constructor(
    private readonly rootPid: number,
    private readonly notify: Notify,
  ) {}

  async read(): Promise<ProcReading> {
    const tree = await this.readTree();
    const cpu = cpuTimes();
    const dTotal = cpu.total - this.prevCpu.total;
    const dBusy = cpu.busy - this.prevCpu.busy;
    this.prevCpu = cpu;
    return {
      proc: { cpuPct: tree.cpuPct, rssBytes: tree.rssBytes, processes: tree.pids.size },
      system: { cpuPct: dTotal > 0 ? (100 * dBusy) / dTotal : 0, memUsedBytes: totalmem() - freemem(), memTotalBytes: totalmem() },
      // Unmeasured tree: the root alone still lets GPU memory be matched to the run.
      pids: tree.pids.size > 0 ? tree.pids : new Set([this.rootPid]),
    };
  }

  async close(): Promise<void> {
    // Nothing held between reads.
  }

  private async readTree(): Promise<ReturnType<typeof treeFromPs>> {
    if (this.psWorks) {
      try {
        const { stdout } = await execFileAsync('ps', ['-A', '-o', 'pid=,ppid=,%cpu=,rss='], { timeout: PS_TIMEOUT_MS, maxBuffer: 8 << 20, windowsHide: true });
        return treeFromPs(stdout, this.rootPid);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // A missing ps will not appear later; a timeout might be a one-off.
        if (code === 'ENOENT') this.psWorks = false;
        this.notify('proc-unavailable', `process telemetry unavailable: ps failed (${code ?? (err as Error).message})`);
      }
    }
    return { cpuPct: 0, rssBytes: 0, pids: new Set() };
  }
}
