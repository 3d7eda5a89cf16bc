/** Data pipelines the runners saw built: which kind, what they were given, how to name them. */
import type { LoaderEvent } from '../../protocol/events';
import { formatMs, formatShare } from '../format';
import type { RunSummary } from '../summary';
import type { RunFacts } from './facts';
import type { FindingLocation } from './finding';
import { dataCpuWhileLoading, treeCpuWhileStepping, where, type DataCpu } from './measures';

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
 * Workers that leave the main process a core of its own. PyTorch warns when num_workers exceeds
 * the cores it may run on (DataLoader's _check_worker_number_rationality); the training loop
 * needs one more. The input-bound finding, the oversubscription finding and the workers fix all
 * use this one figure, so applying the fix never triggers the other finding.
 */
export function suggestedWorkers(cores: number, loadingWaits = false): number {
  // Workers that mostly wait (files, network, sleeps) leave their cores idle: twice as many keep
  // twice the waits in flight without competing for CPU.
  const wanted = loadingWaits ? 2 * Math.floor(cores) : Math.floor(cores) - 1;
  return Math.max(0, Math.min(wanted, MAX_WORKERS));
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
 * it or less (measured: 47% on a busy 2-core machine, as its own thread clock said too), while one
 * that waits gets next to none (1–5% measured, busy or not). A quarter tells them apart up to four
 * runnable threads per core.
 */
export const MAIN_THREAD_WAITING_SHARE = 0.25;

/** What says whether loading waits or computes, with the figure it measured. */
export type LoadingSignal =
  /** Loading runs in the main thread (num_workers=0): its own CPU time over its data-stage time. */
  | { kind: 'main-thread'; cpu: DataCpu }
  /** The whole process tree's CPU while steps ran, % of one core: workers load the data, or the
   * recording predates the main thread's data-stage CPU time. */
  | { kind: 'process-tree'; cpuPct: number };

/**
 * With workers, the main thread's data stage is the wait for them whether they compute or wait, so
 * only the tree's CPU (workers included) can tell; it overstates computing when BLAS/OpenMP threads
 * spin, which errs towards fewer workers. Without workers, the main thread's own CPU tells exactly.
 */
export function loadingSignal(facts: RunFacts, numWorkers: number): LoadingSignal | null {
  const cpu = numWorkers === 0 ? dataCpuWhileLoading(facts) : null;
  if (cpu) return { kind: 'main-thread', cpu };
  const cpuPct = treeCpuWhileStepping(facts);
  return cpuPct === null ? null : { kind: 'process-tree', cpuPct };
}

/** Measured: loading spent under half its time on a CPU (for the tree, of the cores it could use). */
export function loadingWaits(signal: LoadingSignal | null, numWorkers: number, cores: number): boolean {
  if (!signal) return false;
  if (signal.kind === 'main-thread') return signal.cpu.share < MAIN_THREAD_WAITING_SHARE;
  return signal.cpuPct < WAITING_CPU_SHARE * 100 * Math.min(numWorkers + 1, cores);
}

/** The measured figure in words, e.g. "the main thread was on a CPU for 4% of its loading time". */
export function describeSignal(signal: LoadingSignal): string {
  if (signal.kind === 'process-tree') return `the run's processes used ${Math.round(signal.cpuPct)}% of one core`;
  const { cpu } = signal;
  return `the main thread was on a CPU for ${formatShare(cpu.share)} of its loading time, ${formatMs(cpu.cpuMs)} of ${formatMs(cpu.dataMs)} per step`;
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
