/**
 * A tuning trial's settings: what the runner applies in place of the script's own values (the
 * host passes them on as RuntimeOverrides). A key left out keeps the script's value, so `{}` is
 * the script as written: the baseline.
 */
export interface TuneSettings {
  numWorkers?: number;
  pinMemory?: boolean;
  /** Applied only where the loader has workers (torch rejects it without). */
  persistentWorkers?: boolean;
  /** Applied only where the loader has workers. */
  prefetchFactor?: number;
  /**
   * The thread pools' size: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS set before
   * torch loads them, and torch.set_num_threads(n) at its import (threads-edit.ts writes the first).
   */
  numThreads?: number;
  /** torch.backends.cudnn.benchmark, where CUDA is available. */
  cudnnBenchmark?: boolean;
}

/** Fixed key order, so equal settings print and compare equal. */
const KEYS = ['numWorkers', 'prefetchFactor', 'persistentWorkers', 'pinMemory', 'numThreads', 'cudnnBenchmark'] as const;

const LABELS: Record<(typeof KEYS)[number], string> = {
  numWorkers: 'num_workers',
  prefetchFactor: 'prefetch_factor',
  persistentWorkers: 'persistent_workers',
  pinMemory: 'pin_memory',
  numThreads: 'threads',
  cudnnBenchmark: 'cudnn.benchmark',
};

/** "num_workers=2 threads=1"; the baseline reads "as written". */
export function describeSettings(settings: TuneSettings): string {
  const parts = KEYS.filter((key) => settings[key] !== undefined).map((key) => `${LABELS[key]}=${String(settings[key])}`);
  return parts.length === 0 ? 'as written' : parts.join(' ');
}

export function sameSettings(a: TuneSettings, b: TuneSettings): boolean {
  return KEYS.every((key) => a[key] === b[key]);
}

export function isBaseline(settings: TuneSettings): boolean {
  return KEYS.every((key) => settings[key] === undefined);
}
