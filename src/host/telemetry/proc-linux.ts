/**
 * Process-tree and machine figures straight from /proc, cheap enough for 1 Hz (~15 µs per pread
 * here). Every file read each tick is opened once and re-read with pread at offset 0, which makes
 * the kernel regenerate it: one syscall per file instead of open/fstat/read/close. Per tick that
 * is /proc/stat, /proc/meminfo, and for each process of the tree its stat and its main thread's
 * children list.
 *
 * Known gaps, chosen for cost: a process that exits between two ticks loses its last partial
 * second of CPU time; RSS is summed per process, so pages shared by forked DataLoader workers count
 * once per worker (PSS from smaps_rollup would be exact but walks every mapping).
 */
import { access, open, readdir, readFile, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { TelemetryError } from './notes';
import type { ProcReading, ProcSampler } from './proc-sampler';

/**
 * `task/<pid>/children` lists only what the main thread forked (DataLoader workers, subprocess);
 * children of other threads are found by a scan of all of /proc, this often.
 */
const FULL_SCAN_EVERY_TICKS = 30;
/** Bounds open files during a full scan. */
const SCAN_CONCURRENCY = 64;

export interface PidStat {
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Start time since boot; with the pid it identifies a process across pid reuse. */
  startTime: string;
  rssPages: number;
  /** State Z or X: the process has exited and holds no memory; only its last CPU time is news. */
  exited: boolean;
}

/** proc(5) /proc/<pid>/stat; the command name may hold spaces and parentheses, so split after the last ')'. */
export function parsePidStat(text: string): PidStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text.slice(close + 2).split(' '); // f[0] is field 3, "state"
  const exited = f[0] === 'Z' || f[0] === 'X';
  const ppid = Number(f[1]);
  const cpuTicks = Number(f[11]) + Number(f[12]);
  const rssPages = Number(f[21]);
  const startTime = f[19];
  if (startTime === undefined || ![ppid, cpuTicks, rssPages].every(Number.isFinite)) return null;
  return { ppid, cpuTicks, startTime, rssPages, exited };
}

/** First line of /proc/stat: busy and total jiffies of all CPUs (guest time is already in user). */
export function parseCpuLine(text: string): { busy: number; total: number } | null {
  const m = /^cpu\s+(.*)$/m.exec(text);
  if (m === null || m[1] === undefined) return null;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = m[1].split(/\s+/).map(Number);
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return Number.isFinite(total) ? { busy: total - idle - iowait, total } : null;
}

export function parseMeminfo(text: string): { usedBytes: number; totalBytes: number } | null {
  const kib = (key: string): number | null => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m?.[1] === undefined ? null : Number(m[1]) * 1024;
  };
  const total = kib('MemTotal');
  // MemAvailable exists since Linux 3.14; before that, free + page cache is the usual estimate.
  const available = kib('MemAvailable') ?? (kib('MemFree') ?? 0) + (kib('Buffers') ?? 0) + (kib('Cached') ?? 0);
  return total === null ? null : { usedBytes: total - available, totalBytes: total };
}

/** Page size and USER_HZ from the ELF auxiliary vector (AT_PAGESZ = 6, AT_CLKTCK = 17); arm64 kernels may use 64 KiB pages. */
async function readAuxv(): Promise<{ pageBytes: number; ticksPerSec: number }> {
  const found = { pageBytes: 4096, ticksPerSec: 100 };
  try {
    const buf = await readFile('/proc/self/auxv');
    const word = ['ia32', 'arm', 'mips', 'mipsel', 'ppc'].includes(process.arch) ? 4 : 8;
    const le = endianness() === 'LE';
    const at = (off: number): number =>
      word === 8 ? Number(le ? buf.readBigUInt64LE(off) : buf.readBigUInt64BE(off)) : le ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
    for (let off = 0; off + 2 * word <= buf.length; off += 2 * word) {
      const key = at(off);
      if (key === 6) found.pageBytes = at(off + word);
      if (key === 17) found.ticksPerSec = at(off + word);
    }
  } catch {
    // Keep the defaults: right on x86-64 and most arm64 distributions.
  }
  return found;
}

/** A /proc file kept open and re-read from offset 0. */
class ProcFile {
  private buf: Buffer;
  private constructor(
    private readonly fh: FileHandle,
    size: number,
    /** Only the first `size` bytes matter (the head of /proc/stat); otherwise grow to fit. */
    private readonly prefixOnly: boolean,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  static async open(path: string, size: number, prefixOnly = false): Promise<ProcFile | null> {
    return open(path, 'r').then(
      (fh) => new ProcFile(fh, size, prefixOnly),
      () => null,
    );
  }

  /** Null once the process is gone (ESRCH). */
  async read(): Promise<string | null> {
    try {
      for (;;) {
        const { bytesRead } = await this.fh.read(this.buf, 0, this.buf.length, 0);
        if (bytesRead < this.buf.length || this.prefixOnly) return this.buf.toString('latin1', 0, bytesRead);
        this.buf = Buffer.allocUnsafe(this.buf.length * 2);
      }
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

interface Tracked {
  stat: ProcFile;
  children: ProcFile | null;
  startTime: string;
  /** CPU ticks at the previous tick; null for a process first seen this tick. */
  prevCpuTicks: number | null;
}

async function readOnce(path: string): Promise<string | null> {
  const file = await ProcFile.open(path, 1024);
  if (file === null) return null;
  const text = await file.read();
  await file.close();
  return text;
}

/** pid -> parent pid of every visible process not `skip`ped; empty where /proc does not exist. */
export async function readParentMap(skip: (pid: number) => boolean = () => false): Promise<Map<number, number>> {
  const pids = (await readdir('/proc').catch(() => [])).filter((n) => /^\d+$/.test(n)).map(Number).filter((pid) => !skip(pid));
  const parentOf = new Map<number, number>();
  for (let i = 0; i < pids.length; i += SCAN_CONCURRENCY) {
    await Promise.all(
      pids.slice(i, i + SCAN_CONCURRENCY).map(async (pid) => {
        const text = await readOnce(`/proc/${pid}/stat`);
        const stat = text === null ? null : parsePidStat(text);
        if (stat !== null) parentOf.set(pid, stat.ppid);
      }),
    );
  }
  return parentOf;
}

export class LinuxProcSampler implements ProcSampler {
  private readonly tracked = new Map<number, Tracked>();
  private ticks = 0;
  private prevCpu: { busy: number; total: number } | null = null;
  private prevAtMs = performance.now();

  private constructor(
    private readonly rootPid: number,
    private readonly cpuFile: ProcFile,
    private readonly memFile: ProcFile,
    private readonly aux: { pageBytes: number; ticksPerSec: number },
    private readonly childrenFiles: boolean,
  ) {}

  /** Opens the shared files and takes the baseline read that the first sample is measured against. */
  static async open(rootPid: number): Promise<LinuxProcSampler> {
    const [cpuFile, memFile, aux, childrenFiles] = await Promise.all([
      // The aggregate "cpu" line comes first; per-CPU and interrupt lines can run to tens of KiB.
      ProcFile.open('/proc/stat', 512, true),
      // MemTotal, MemFree, MemAvailable, Buffers and Cached are the first five lines.
      ProcFile.open('/proc/meminfo', 512, true),
      readAuxv(),
      access(`/proc/${process.pid}/task/${process.pid}/children`).then(() => true, () => false),
    ]);
    if (cpuFile === null || memFile === null) throw new TelemetryError('proc-unavailable', 'process telemetry unavailable: /proc is not readable');
    const sampler = new LinuxProcSampler(rootPid, cpuFile, memFile, aux, childrenFiles);
    await sampler.read();
    return sampler;
  }

  async read(): Promise<ProcReading> {
    const first = this.ticks++ === 0;
    const [cpuText, memText, tree] = await Promise.all([this.cpuFile.read(), this.memFile.read(), this.readTree()]);
    const cpu = cpuText === null ? null : parseCpuLine(cpuText);
    const mem = memText === null ? null : parseMeminfo(memText);
    if (cpu === null || mem === null) throw new TelemetryError('proc-unavailable', 'process telemetry unavailable: /proc/stat or /proc/meminfo unreadable');

    const now = performance.now();
    const elapsedSec = Math.max(1e-3, (now - this.prevAtMs) / 1000);
    this.prevAtMs = now;
    let cpuTicks = 0;
    let rssPages = 0;
    let live = 0;
    for (const [pid, { stat, viaScan }] of tree) {
      const t = this.tracked.get(pid);
      if (t === undefined) continue;
      // New since the last tick via a children list: born since then, all its CPU time is ours.
      const base = t.prevCpuTicks ?? (first || viaScan ? stat.cpuTicks : 0);
      cpuTicks += Math.max(0, stat.cpuTicks - base);
      t.prevCpuTicks = stat.cpuTicks;
      if (stat.exited) continue;
      rssPages += stat.rssPages;
      live++;
    }
    for (const [pid, t] of this.tracked) if (!tree.has(pid)) await this.forget(pid, t);

    const dTotal = this.prevCpu === null ? 0 : cpu.total - this.prevCpu.total;
    const dBusy = this.prevCpu === null ? 0 : cpu.busy - this.prevCpu.busy;
    this.prevCpu = cpu;
    return {
      proc: { cpuPct: (100 * cpuTicks) / this.aux.ticksPerSec / elapsedSec, rssBytes: rssPages * this.aux.pageBytes, processes: live },
      // iowait may go backwards between reads (proc(5)), so busy can move more than total: clamp.
      system: { cpuPct: dTotal > 0 ? Math.min(100, Math.max(0, (100 * dBusy) / dTotal)) : 0, memUsedBytes: mem.usedBytes, memTotalBytes: mem.totalBytes },
      pids: new Set(tree.keys()),
    };
  }

  async close(): Promise<void> {
    for (const [pid, t] of this.tracked) await this.forget(pid, t);
    await Promise.all([this.cpuFile.close(), this.memFile.close()]);
  }

  private async readTree(): Promise<Map<number, { stat: PidStat; viaScan: boolean }>> {
    const tree = new Map<number, { stat: PidStat; viaScan: boolean }>();
    let frontier = [this.rootPid];
    while (frontier.length > 0) {
      const next: number[] = [];
      await Promise.all(
        frontier.map(async (pid) => {
          const stat = await this.readStat(pid);
          if (stat === null || tree.has(pid)) return;
          tree.set(pid, { stat, viaScan: false });
          next.push(...(await this.readChildren(pid)));
        }),
      );
      frontier = next.filter((pid) => !tree.has(pid));
    }
    if (!this.childrenFiles || (this.ticks - 1) % FULL_SCAN_EVERY_TICKS === 0) await this.scanForMissed(tree);
    return tree;
  }

  /** Reads through the kept handle; a dead handle is replaced once, in case the pid was reused. */
  private async readStat(pid: number): Promise<PidStat | null> {
    const known = this.tracked.get(pid);
    const text = known === undefined ? null : await known.stat.read();
    const stat = text === null ? null : parsePidStat(text);
    if (known !== undefined && stat !== null && stat.startTime === known.startTime) return stat;
    if (known !== undefined) await this.forget(pid, known);

    const file = await ProcFile.open(`/proc/${pid}/stat`, 1024);
    const fresh = file === null ? null : await file.read().then((t) => (t === null ? null : parsePidStat(t)));
    if (file === null || fresh === null) {
      await file?.close();
      return null;
    }
    const children = this.childrenFiles ? await ProcFile.open(`/proc/${pid}/task/${pid}/children`, 256) : null;
    this.tracked.set(pid, { stat: file, children, startTime: fresh.startTime, prevCpuTicks: null });
    return fresh;
  }

  private async readChildren(pid: number): Promise<number[]> {
    const text = await this.tracked.get(pid)?.children?.read();
    return text ? text.trim().split(/\s+/).map(Number).filter(Number.isInteger) : [];
  }

  /** Adds descendants the children lists missed: any process whose parent is already in the tree. */
  private async scanForMissed(tree: Map<number, { stat: PidStat; viaScan: boolean }>): Promise<void> {
    const parentOf = await readParentMap((pid) => tree.has(pid));
    for (let added = true; added; ) {
      added = false;
      for (const [pid, ppid] of parentOf) {
        if (!tree.has(ppid)) continue;
        parentOf.delete(pid);
        const stat = await this.readStat(pid);
        if (stat === null) continue;
        tree.set(pid, { stat, viaScan: true });
        added = true;
      }
    }
  }

  private async forget(pid: number, t: Tracked): Promise<void> {
    this.tracked.delete(pid);
    await Promise.all([t.stat.close(), t.children?.close()]);
  }
}
