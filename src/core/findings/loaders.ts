/** Data pipelines the runners saw built: which kind, what they were given, how to name them. */
import type { LoaderEvent } from '../../protocol/events';
import type { RunSummary } from '../summary';
import type { FindingLocation } from './finding';
import { where } from './measures';

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
 * Below this share of the cores its processes could use, a loading tree spends most of its time
 * waiting rather than computing: a CPU-bound loader keeps each process (or each core, when the
 * processes outnumber the cores) near 100%.
 */
export const WAITING_CPU_SHARE = 0.5;

/** Measured: the run's processes (main plus workers) used under half the cores they could. */
export function loadingWaits(treeCpuPct: number | null, numWorkers: number, cores: number): boolean {
  return treeCpuPct !== null && treeCpuPct < WAITING_CPU_SHARE * 100 * Math.min(numWorkers + 1, cores);
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
