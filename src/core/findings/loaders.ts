/** Data pipelines the runners saw built: which kind, what they were given, how to name them. */
import type { LoaderEvent } from '../../protocol/events';
import { formatMs, formatShare } from '../format';
import type { RunSummary } from '../summary';
import type { RunFacts } from './facts';
import type { FindingLocation } from './finding';
import { dataCpuWhileLoading, machineCpuWhileStepping, treeCpuWhileStepping, where, type DataCpu } from './measures';

/** Which family of fixes applies to a pipeline. */
export type LoaderFamily = 'torch' | 'tf.data' | 'tfjs';

/** torch.utils.data.DataLoader's default prefetch_factor (batches each worker loads ahead). */
export const TORCH_DEFAULT_PREFETCH_FACTOR = 2;

export function loaderFamily(summary: RunSummary, loader: LoaderEvent | undefined): LoaderFamily | null {
  if (summary.framework === 'tfjs') return 'tfjs';
  if (!loader) return null;
  if (/DataLoader/.test(loader.kind)) return 'torch';
  return loader.kind.startsWith('tf.data') ? 'tf.data' : null;
}

/** Beyond this, more workers rarely help and each one holds its own copy of the dataset. */
const MAX_WORKERS = 8;

/**
 * Workers that leave the main process a core of its own: the count oversubscription lowers to. PyTorch warns
 * when num_workers exceeds the cores it may run on (DataLoader's _check_worker_number_rationality).
 */
export function suggestedWorkers(cores: number): number {
  return Math.max(0, Math.min(Math.floor(cores) - 1, MAX_WORKERS));
}

/** The most workers that computing loaders can use: one per core (more only take turns on them). */
export function computingWorkersCap(cores: number): number {
  return Math.max(1, Math.min(Math.floor(cores), MAX_WORKERS));
}

/**
 * A worker count is offered only when the figures say it gains at least this much: twice the
 * assumed noise of a short run (compare.ts's DEFAULT_NOISE_BAND_PCT), since the estimate ignores
 * what workers cost (start-up, passing batches between processes) and a re-run must tell the gain.
 */
export const MIN_EXPECTED_SPEEDUP = 1.1;

/** What a run's figures say about loading with more workers. */
export interface WorkerPlan {
  /** The count expected to hide loading behind the rest of the step; the current count when no raise helps. */
  workers: number;
  /** One batch's loading time in one worker (or the main thread), ms. */
  loadMs: number;
  /** The rest of the step, which the main process does itself whatever the workers do, ms. */
  restMs: number;
  /** The step time expected with `workers`, ms. */
  expectedStepMs: number;
  /** Current step time over the expected one. */
  expectedSpeedup: number;
  /** Cores the run could use: all of them, or (computing loaders, measured) its own CPU plus the machine's idle cores. */
  usableCores: number;
  /** Which bound the expectation stops at. */
  bound: 'rest-of-step' | 'cores' | 'workers' | 'compute-ceiling' | 'data-ceiling';
}

export interface WorkerFigures {
  numWorkers: number;
  /** Mean steady-state data-stage ms and step ms. */
  dataMs: number;
  stepMs: number;
  cores: number;
  /** Loading waits (files, network, sleeps) rather than computes. */
  waits: boolean;
  /** The main thread's CPU ms per step in its data stage, when measured (num_workers=0). */
  loadCpuMs: number | null;
  /** The process tree's CPU while stepping, % of one core, and the cores the machine left idle meanwhile, when measured. */
  treeCpuPct: number | null;
  idleCores: number | null;
  /** Cores of the tree's CPU that its idle thread pools spun on (spinningCores): not work, and gone
   * with the pools sized to 1 thread, which the workers fix then writes too. */
  spinningCores: number;
  /** Measured ceilings, batches/s (summary.ceilings), when the run measured them. */
  dataOnlyBatchesPerSec: number | null;
  computeOnlyBatchesPerSec: number | null;
}

/**
 * The worker count the measurement calls for. Loading one batch takes `loadMs` in one process
 * (the data stage without workers; with W workers each delivers one batch per W steps, so W step
 * times); the main process's own part of the step (`restMs`) stays serial. W workers bring a
 * batch every loadMs / W, so the step cannot beat max(restMs, loadMs / W), nor, when loading
 * computes, the CPU all of it needs spread over the cores: (loadCpu + restMs) / cores, or where
 * telemetry measured it, the CPU a step took, less what idle thread pools spun (spinningCores), over
 * the cores the run can have (its own CPU plus the cores the machine left idle; other programs keep
 * the rest). The count
 * is the fewest workers that reach the best of those bounds: ceil(loadMs / best), at most the
 * usable cores when loading computes (more would only take turns on them), at most MAX_WORKERS when it
 * waits (waits overlap whatever the cores). Measured ceilings bound the gain further: the
 * compute-only ceiling is the step without loading; the data-only one, measured with the current
 * workers, scales with the count. One worker doing serial loading that dwarfs the rest of the step
 * overlaps only that rest: the count then comes out above one, or no raise is offered.
 */
export function workerPlan(f: WorkerFigures): WorkerPlan {
  const cores = Math.max(1, Math.floor(f.cores));
  const current = f.numWorkers;
  const restMs = Math.max(0, f.stepMs - f.dataMs);
  const loadMs = current === 0 ? f.dataMs : current * f.stepMs;
  // Computing loaders need their whole loading time on a CPU; waiting ones what the thread measured (else nothing).
  const loadCpuMs = f.waits ? (f.loadCpuMs ?? 0) : loadMs;
  let coresFloor = (loadCpuMs + restMs) / cores;
  let usable = cores;
  if (!f.waits && f.treeCpuPct !== null && f.idleCores !== null) {
    // Measured: the CPU a step took, over the cores the run had plus those the machine left idle.
    // Other programs keep the rest: a computing worker there only takes turns with them.
    usable = Math.min(cores, f.treeCpuPct / 100 + f.idleCores);
    coresFloor = (f.stepMs * Math.max(0, f.treeCpuPct / 100 - f.spinningCores)) / Math.max(usable, Number.EPSILON);
  }
  const best = Math.max(restMs, coresFloor, Number.EPSILON);
  const cap = f.waits ? MAX_WORKERS : Math.min(computingWorkersCap(cores), Math.max(1, Math.ceil(usable)));
  const workers = Math.max(current, Math.min(Math.ceil(loadMs / best - 1e-9), cap));
  const stepAt = (w: number) => Math.max(restMs, coresFloor, w > 0 ? loadMs / w : loadMs + restMs);
  let expectedStepMs = stepAt(workers);
  let bound: WorkerPlan['bound'] = expectedStepMs === restMs ? 'rest-of-step' : expectedStepMs === coresFloor ? 'cores' : 'workers';
  if (f.computeOnlyBatchesPerSec && 1000 / f.computeOnlyBatchesPerSec > expectedStepMs) {
    expectedStepMs = 1000 / f.computeOnlyBatchesPerSec;
    bound = 'compute-ceiling';
  }
  if (f.dataOnlyBatchesPerSec) {
    const dataStepMs = 1000 / (f.dataOnlyBatchesPerSec * (workers / Math.max(current, 1)));
    if (dataStepMs > expectedStepMs) {
      expectedStepMs = dataStepMs;
      bound = 'data-ceiling';
    }
  }
  const expectedSpeedup = f.stepMs > 0 ? f.stepMs / expectedStepMs : 1;
  const helps = workers > current && expectedSpeedup >= MIN_EXPECTED_SPEEDUP;
  return helps
    ? { workers, loadMs, restMs, expectedStepMs, expectedSpeedup, usableCores: usable, bound }
    : { workers: current, loadMs, restMs, expectedStepMs: f.stepMs, expectedSpeedup: 1, usableCores: usable, bound };
}

/**
 * Below this many cores of spinning, the pools are left as they are: the estimate below is a lower
 * bound from two means, and half a core is what a worker would visibly lose to them.
 */
export const MIN_SPINNING_CORES = 0.5;

/**
 * The cores the run's other threads kept busy beyond any work they had, while the main thread
 * loaded the data itself (num_workers=0, loading computes): the main thread uses one core at most,
 * and torch's intra-op pools work only beside its torch calls, i.e. in the rest of the step, on the
 * other cores. The tree's CPU beyond both is threads spinning between calls (OpenBLAS's pool spins
 * after each call; libgomp's for a while). python_transform.py measured 0.77–0.86 of a core so
 * (the tree at 186–199% of one core, the rest of the step 1.4 of 15.2 ms), its second thread at
 * 100% of a core in /proc while the main thread ran Python; with OPENBLAS_NUM_THREADS=1 the thread
 * was gone. Those threads take turns with DataLoader workers on a small machine: 2 workers measured
 * 0.98× plain (a quiet 2-core machine) to 1.34× (three alternating rounds on a busier one), 2 workers
 * with the pools at 1 thread 1.17× to 2.05× in the same rounds. Zero when unmeasured.
 */
export function spinningCores(f: { stepMs: number; dataMs: number; cores: number; treeCpuPct: number | null }): number {
  if (f.treeCpuPct === null || f.stepMs <= 0) return 0;
  const othersMs = (f.treeCpuPct / 100) * f.stepMs - f.stepMs;
  const workMs = Math.max(0, f.stepMs - f.dataMs) * (Math.max(1, Math.floor(f.cores)) - 1);
  const spinning = (othersMs - workMs) / f.stepMs;
  return spinning >= MIN_SPINNING_CORES ? spinning : 0;
}

/** "1.9×" */
export function formatSpeedup(ratio: number): string {
  return `${ratio.toFixed(ratio >= 10 ? 0 : 1)}×`;
}

/**
 * Below this share of its time on a CPU, loading spends most of its time waiting rather than
 * computing: a CPU-bound loader keeps its thread (or each process, or each core when the processes
 * outnumber the cores) near 100%.
 */
export const WAITING_CPU_SHARE = 0.5;

/**
 * The main thread's CPU time counts only while it runs: a loader that computes on a core shared
 * with other busy processes (a CI runner, a run pinned to one core beside another job) gets half of
 * it or less (measured: 47% on a busy 2-core machine, as its own thread clock said too; 25% and 34%
 * for python_transform.py's pure-Python transform at a load average of 12 on 2 cores), while one
 * that waits gets next to none (1–5% measured, busy or not). 15% tells them apart up to six
 * runnable threads per core.
 */
export const MAIN_THREAD_WAITING_SHARE = 0.15;

/** What says whether loading waits or computes, with the figure it measured. */
export type LoadingSignal =
  /** Loading runs in the main thread (num_workers=0): its own CPU time over its data-stage time. */
  | { kind: 'main-thread'; cpu: DataCpu }
  /** The whole process tree's CPU while steps ran, % of one core: workers load the data, or the
   * recording predates the main thread's data-stage CPU time. `machinePct`: the whole machine's
   * CPU meanwhile, 0..100 of all its cores, when measured. */
  | { kind: 'process-tree'; cpuPct: number; machinePct: number | null };

/**
 * A machine this busy gives each runnable thread a share of a core, however much it would compute:
 * the tree's CPU then says how busy the machine is, not whether loading waits (measured: a
 * computing loader's tree at 16-64% of one core with 2 workers, the 2-core machine at 100%).
 */
const SATURATED_MACHINE_PCT = 95;

/**
 * With workers, the main thread's data stage is the wait for them whether they compute or wait, so
 * only the tree's CPU (workers included) can tell; it overstates computing when BLAS/OpenMP threads
 * spin, which errs towards fewer workers. Without workers, the main thread's own CPU tells exactly.
 */
export function loadingSignal(facts: RunFacts, numWorkers: number): LoadingSignal | null {
  const cpu = numWorkers === 0 ? dataCpuWhileLoading(facts) : null;
  if (cpu) return { kind: 'main-thread', cpu };
  const cpuPct = treeCpuWhileStepping(facts);
  return cpuPct === null ? null : { kind: 'process-tree', cpuPct, machinePct: machineCpuWhileStepping(facts) };
}

/** The tree's CPU was measured on a machine too busy for it to tell waiting from computing. */
export function machineSaturated(signal: LoadingSignal): boolean {
  return signal.kind === 'process-tree' && (signal.machinePct ?? 0) >= SATURATED_MACHINE_PCT;
}

/** Measured: loading spent under half its time on a CPU (for the tree, of the cores it could use). */
export function loadingWaits(signal: LoadingSignal | null, numWorkers: number, cores: number): boolean {
  if (!signal) return false;
  if (signal.kind === 'main-thread') return signal.cpu.share < MAIN_THREAD_WAITING_SHARE;
  if (machineSaturated(signal)) return false;
  return signal.cpuPct < WAITING_CPU_SHARE * 100 * Math.min(numWorkers + 1, cores);
}

/** The measured figure in words, e.g. "the main thread was on a CPU for 4% of its loading time". */
export function describeSignal(signal: LoadingSignal): string {
  if (signal.kind === 'process-tree') {
    const saturated = machineSaturated(signal) ? `, on a machine busy at ${Math.round(signal.machinePct!)}%, which says nothing of waiting` : '';
    return `the run's processes used ${Math.round(signal.cpuPct)}% of one core${saturated}`;
  }
  const { cpu } = signal;
  const sampled = cpu.steps < cpu.of ? `, over the ${cpu.steps} of ${cpu.of} steps that read its CPU clock` : '';
  return `the main thread was on a CPU for ${formatShare(cpu.share)} of its loading time, ${formatMs(cpu.cpuMs)} of ${formatMs(cpu.dataMs)} per step${sampled}`;
}

/** The signal's figure for a finding's evidence. */
export function signalEvidence(signal: LoadingSignal | null): Record<string, number> {
  if (!signal) return {};
  if (signal.kind === 'process-tree') return { treeCpuPct: signal.cpuPct };
  return { dataCpuShare: signal.cpu.share, dataCpuMs: signal.cpu.cpuMs };
}

/** "DataLoader" for "torch.utils.data.DataLoader". */
export function shortKind(loader: LoaderEvent): string {
  return loader.kind.split('.').pop() || loader.kind;
}

/** "the DataLoader at train.py:31" */
export function nameLoader(loader: LoaderEvent): string {
  return `the ${shortKind(loader)} at ${where(loader.file, loader.line)}`;
}

/** The loader's recorded settings as the user wrote them, e.g. "num_workers=0, pin_memory=False". */
export function torchSettings(loader: LoaderEvent): string {
  const py = (value: boolean) => (value ? 'True' : 'False');
  const parts: string[] = [];
  if (typeof loader.batchSize === 'number') parts.push(`batch_size=${loader.batchSize}`);
  if (typeof loader.numWorkers === 'number') parts.push(`num_workers=${loader.numWorkers}`);
  if (typeof loader.pinMemory === 'boolean') parts.push(`pin_memory=${py(loader.pinMemory)}`);
  if (typeof loader.persistentWorkers === 'boolean') parts.push(`persistent_workers=${py(loader.persistentWorkers)}`);
  if (typeof loader.prefetchFactor === 'number') parts.push(`prefetch_factor=${loader.prefetchFactor}`);
  return parts.join(', ');
}

/** Where the batch size was set, for findings that suggest changing it. */
export function batchSite(summary: RunSummary): { phrase: string; locations: FindingLocation[] } {
  const loader = summary.loaders.find((l) => typeof l.batchSize === 'number');
  if (!loader) return { phrase: '', locations: [] };
  return {
    phrase: ` (batch_size=${loader.batchSize} at ${where(loader.file, loader.line)})`,
    locations: [{ file: loader.file, line: loader.line, why: `batch_size=${loader.batchSize} set here` }],
  };
}
