/**
 * One measurement of bench/telemetry.ts, run in a plain Node process from an esbuild bundle: a
 * process started with `--import tsx` burns ~0.6% of a core while idle, more than the figure
 * being measured. No event-loop-delay monitor either: its 10 ms timer costs more than the
 * sampler. Usage: node <bundle> idle|trainlens|graphics|full; prints one JSON ProbeResult.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import si from 'systeminformation';
import { startTelemetry } from '../src/host/telemetry';

export const WINDOW_MS = 10_000;
export const INTERVAL_MS = 1000;
/** Hardware facts and the nvidia-smi children start here; left out of the 1 Hz figure. */
const WARMUP_MS = 2000;

export type ProbeMode = 'idle' | 'trainlens' | 'graphics' | 'full';

export interface ProbeResult {
  /** CPU of this process during the window. */
  selfSec: number;
  /** CPU of child processes reaped during the window (Linux only; null elsewhere). */
  childrenSec: number | null;
  wallSec: number;
  /** TrainLens only: CPU of this process during start-up, and of its children over the whole run. */
  startupSelfMs?: number;
  runChildrenSec?: number | null;
}

/** cutime + cstime of this process: children count once reaped. USER_HZ is 100 on Linux. */
function reapedChildrenCpuSec(): number | null {
  if (process.platform !== 'linux') return null;
  const f = readFileSync('/proc/self/stat', 'latin1').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[13]) + Number(f[14])) / 100;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const cpuSec = (since?: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

async function window(work: () => Promise<void>): Promise<ProbeResult> {
  const cpu0 = process.cpuUsage();
  const children0 = reapedChildrenCpuSec();
  const t0 = performance.now();
  await work();
  const children1 = reapedChildrenCpuSec();
  return {
    selfSec: cpuSec(cpu0),
    childrenSec: children0 === null || children1 === null ? null : children1 - children0,
    wallSec: (performance.now() - t0) / 1000,
  };
}

/** A root with four idle children, like a training process with DataLoader workers. */
async function trainLens(): Promise<ProbeResult> {
  const tree = spawn('sh', ['-c', 'sleep 60 & sleep 60 & sleep 60 & sleep 60 & wait'], { detached: true, stdio: 'ignore' });
  const rootPid = tree.pid ?? 0;
  process.env.FAKE_NVIDIA_SMI_PIDS = String(rootPid);
  const children0 = reapedChildrenCpuSec();
  const cpu0 = process.cpuUsage();
  let samples = 0;
  const telemetry = startTelemetry({
    rootPid,
    startedAtMs: Date.now(),
    intervalMs: INTERVAL_MS,
    onSample: () => samples++,
    onHardware: () => undefined,
    onNote: (m) => process.stderr.write(`note: ${m}\n`),
  });
  await sleep(WARMUP_MS);
  const startupSelfMs = cpuSec(cpu0) * 1000;
  const result = await window(() => sleep(WINDOW_MS));
  await telemetry.stop();
  process.kill(-rootPid, 'SIGKILL');
  if (samples < (WARMUP_MS + WINDOW_MS) / INTERVAL_MS - 1) throw new Error(`only ${samples} samples`);
  const children1 = reapedChildrenCpuSec();
  return { ...result, startupSelfMs, runChildrenSec: children0 === null || children1 === null ? null : children1 - children0 };
}

async function poll(once: () => Promise<unknown>): Promise<ProbeResult> {
  await once(); // systeminformation caches static facts on its first call: measure steady polling
  return window(async () => {
    const endAt = performance.now() + WINDOW_MS;
    while (performance.now() < endAt) {
      const started = performance.now();
      await once();
      await sleep(Math.max(0, INTERVAL_MS - (performance.now() - started)));
    }
  });
}

const probes: Record<ProbeMode, () => Promise<ProbeResult>> = {
  // The floor: this same bundle doing nothing (Node's own timers and GC).
  idle: () => window(() => sleep(WINDOW_MS)),
  trainlens: trainLens,
  graphics: () => poll(() => si.graphics()),
  full: () => poll(() => Promise.all([si.graphics(), si.currentLoad(), si.mem(), si.processes()])),
};

if (require.main === module) {
  const probe = probes[process.argv[2] as ProbeMode];
  if (probe === undefined) throw new Error(`usage: probe ${Object.keys(probes).join('|')}`);
  probe().then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
