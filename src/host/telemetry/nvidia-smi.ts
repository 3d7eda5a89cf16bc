/**
 * GPU telemetry from two long-lived `nvidia-smi --loop-ms` children, read asynchronously, so
 * nvidia-smi starts (and initialises NVML) once per run. Each poll of systeminformation's
 * graphics() instead runs lspci, then nvidia-smi through execFileSync, blocking the event loop for
 * that whole start-up, then clinfo, xdpyinfo and xrandr (systeminformation 5.33, lib/graphics.js).
 *
 * The latest line per GPU is kept and handed out by snapshot() at the sampler's own 1 Hz tick, so
 * nothing here depends on nvidia-smi's output being aligned with that tick.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import type { GpuSample, HardwareEvent } from '../../protocol/recording';
import { describeEnd, runLineChild, type ChildEnd, type LineChild } from './line-child';
import {
  NVLINK_STATUS_ARGS,
  computeAppsArgs,
  gpuQueryArgs,
  isNoProcessesMessage,
  parseComputeAppRow,
  parseGpuRow,
  parseNvlinkStatus,
  type ComputeAppRow,
  type GpuRow,
} from './nvidia-smi-parse';
import type { Notify } from './notes';

const NO_GPU_NOTE = 'no NVIDIA GPU found';
/** Per child and run; backoff doubles from one loop interval. Enough for a blip, never a storm. */
export const MAX_RESTARTS = 3;
const NVLINK_TIMEOUT_MS = 10_000;

export interface GpuFacts {
  gpus: HardwareEvent['gpus'];
  nvlink: boolean | null;
  note: string | null;
}

export interface GpuSnapshot {
  gpus?: GpuSample[];
  ownGpuMemMiB?: number | null;
}

interface Slot {
  child: LineChild | null;
  restarts: number;
}

export class NvidiaSmiSampler {
  readonly facts: Promise<GpuFacts>;
  private resolveFacts: (facts: GpuFacts) => void = () => undefined;
  private factsSettled = false;
  private readonly rows = new Map<number, { row: GpuRow; atMs: number }>();
  private readonly gpu: Slot = { child: null, restarts: 0 };
  private readonly apps: Slot = { child: null, restarts: 0 };
  /** Rows of the latest --query-compute-apps iteration (lines arriving together). */
  private appsBurst: ComputeAppRow[] = [];
  private appsLastLineAtMs = -Infinity;
  /** Some process was ever listed: inside a PID namespace nvidia-smi lists none, so ours is unknown. */
  private appsSeen = false;
  private firstRowSeen = false;
  private firstNonDataLine: string | null = null;
  private nvlinkChild: ChildProcess | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** A line older than this is a GPU (or process list) nvidia-smi no longer reports. */
  private readonly staleMs: number;

  constructor(
    private readonly command: string,
    private readonly loopMs: number,
    private readonly notify: Notify,
  ) {
    this.staleMs = 2.5 * loopMs + 500;
    this.facts = new Promise((resolve) => (this.resolveFacts = resolve));
  }

  start(): void {
    try {
      this.startGpuChild();
    } catch (err) {
      // spawn() throws synchronously only for a malformed command, e.g. an empty setting.
      this.noGpu({ kind: 'spawn-failed', reason: (err as Error).message });
    }
  }

  snapshot(treePids: ReadonlySet<number>): GpuSnapshot {
    const now = performance.now();
    const gpus = [...this.rows.values()]
      .filter((r) => now - r.atMs <= this.staleMs)
      .map((r) => r.row.sample)
      .sort((a, b) => a.index - b.index);
    return gpus.length === 0 ? {} : { gpus, ownGpuMemMiB: this.ownGpuMemMiB(treePids, now) };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.nvlinkChild?.kill('SIGKILL');
    await Promise.all([this.gpu.child?.stop(), this.apps.child?.stop()]);
    this.settleFacts(this.firstRowSeen ? null : 'nvidia-smi had not reported any GPU when the run ended');
  }

  /** Summed over GPUs: a DDP run holds memory on each card it uses. */
  private ownGpuMemMiB(treePids: ReadonlySet<number>, now: number): number | null {
    if (!this.appsSeen || this.apps.child === null) return null;
    // nvidia-smi prints nothing in an iteration where no process holds a GPU.
    if (now - this.appsLastLineAtMs > this.staleMs) return 0;
    let sum = 0;
    for (const app of this.appsBurst) if (treePids.has(app.pid) && app.usedMiB !== null) sum += app.usedMiB;
    return sum;
  }

  private startGpuChild(): void {
    this.gpu.child = runLineChild(
      this.command,
      gpuQueryArgs(this.loopMs),
      (line) => this.onGpuLine(line),
      (end) => {
        this.gpu.child = null;
        if (this.firstRowSeen) this.restartLater(this.gpu, end, () => this.startGpuChild());
        else this.noGpu(end);
      },
    );
  }

  private onGpuLine(line: string): void {
    const row = parseGpuRow(line);
    if (row === null) {
      if (this.firstRowSeen) this.notify('nvidia-smi-message', `nvidia-smi: ${line.trim()}`);
      else this.firstNonDataLine ??= line.trim();
      return;
    }
    this.rows.set(row.sample.index, { row, atMs: performance.now() });
    if (this.firstRowSeen) return;
    this.firstRowSeen = true;
    this.startAppsChild();
    this.readNvlink();
  }

  /** Before any GPU row, a failed nvidia-smi means there is no usable GPU: report once, never retry. */
  private noGpu(end: ChildEnd): void {
    const missing = end.kind === 'spawn-failed' && end.reason === 'ENOENT';
    // nvidia-smi explains itself on stdout ("NVIDIA-SMI has failed because…", "Failed to initialize
    // NVML: Driver/library version mismatch", "No devices were found"); that beats an exit code.
    const why = this.firstNonDataLine ?? describeEnd(end);
    const note = missing ? NO_GPU_NOTE : `${NO_GPU_NOTE} (nvidia-smi: ${why})`;
    this.notify('no-gpu', note);
    this.settleFacts(note);
  }

  private startAppsChild(): void {
    this.apps.child = runLineChild(
      this.command,
      computeAppsArgs(this.loopMs),
      (line) => this.onAppsLine(line),
      (end) => {
        this.apps.child = null;
        this.restartLater(this.apps, end, () => this.startAppsChild());
      },
    );
  }

  private onAppsLine(line: string): void {
    const now = performance.now();
    if (now - this.appsLastLineAtMs > this.loopMs / 2) this.appsBurst = [];
    this.appsLastLineAtMs = now;
    if (isNoProcessesMessage(line)) return;
    const app = parseComputeAppRow(line);
    if (app === null) return;
    this.appsSeen = true;
    this.appsBurst.push(app);
  }

  private restartLater(slot: Slot, end: ChildEnd, start: () => void): void {
    if (this.stopped) return;
    this.notify('nvidia-smi-exited', `nvidia-smi stopped mid-run (${describeEnd(end)}); restarting it at most ${MAX_RESTARTS} times`);
    if (slot.restarts >= MAX_RESTARTS) return;
    const delayMs = this.loopMs * 2 ** slot.restarts;
    slot.restarts++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) start();
    }, delayMs);
    this.timers.add(timer);
  }

  private readNvlink(): void {
    this.nvlinkChild = execFile(
      this.command,
      NVLINK_STATUS_ARGS,
      { timeout: NVLINK_TIMEOUT_MS, maxBuffer: 1 << 20, windowsHide: true },
      // Cards without NVLink may exit non-zero yet list the GPUs, so stdout is parsed regardless.
      (_err, stdout) => {
        this.nvlinkChild = null;
        this.settleFacts(null, parseNvlinkStatus(stdout));
      },
    );
  }

  private settleFacts(note: string | null, nvlink: boolean | null = null): void {
    if (this.factsSettled) return;
    this.factsSettled = true;
    const gpus = [...this.rows.values()]
      .map(({ row }) => ({
        index: row.sample.index,
        name: row.name,
        memTotalMiB: row.sample.memTotalMiB,
        pcieGenMax: row.pcieGenMax,
        pcieWidthMax: row.pcieWidthMax,
      }))
      .sort((a, b) => a.index - b.index);
    this.resolveFacts({ gpus, nvlink, note });
  }
}
