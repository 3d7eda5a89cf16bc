/**
 * Which settings a tuning run tries: only knobs that apply to what the baseline run did. No
 * DataLoader, no loader knobs; workers-only knobs (prefetch) only with workers; pinned memory and
 * cuDNN only on CUDA; threads only for PyTorch. The baseline (`{}`) comes first and is always in.
 *
 * Left out on purpose: persistent_workers (it saves worker start-up between epochs, which a short
 * trial inside one epoch does not see), and batch size (it changes what training computes).
 */
import type { LoaderEvent } from '../../protocol/events';
import { TORCH_DEFAULT_PREFETCH_FACTOR } from '../findings/loaders';
import { sameSettings, type TuneSettings } from './settings';

/** More candidates than this would leave each too little of the budget to measure. */
export const MAX_CANDIDATES = 16;
/** Above this many workers a loader rarely gains; the grid stays small on big machines. */
const MAX_WORKERS = 8;
/** The prefetch depth tried beside torch's default (as the dataloader-prefetch-factor fix writes). */
export const TUNED_PREFETCH_FACTOR = 4;

export interface TuneFacts {
  framework: string | null;
  /** Cores the training process may use. */
  cores: number;
  device: string | null;
  /** The baseline run's DataLoaders (the first is the one tuned; the runner applies to all). */
  loaders: readonly LoaderEvent[];
  /** Workers the input-bound finding measured as right, when it offered some. */
  suggestedWorkers?: number;
}

export interface CandidateSet {
  candidates: TuneSettings[];
  /** What was not tried and why, for the report. */
  notes: string[];
}

export function tuneCandidates(facts: TuneFacts): CandidateSet {
  const notes: string[] = [];
  if (facts.framework !== 'pytorch') {
    return { candidates: [{}], notes: [`nothing to tune: the settings tried are PyTorch's, and this run used ${facts.framework ?? 'no framework TrainLens recognised'}`] };
  }
  const cuda = facts.device === 'cuda';
  const loader = facts.loaders.find((l) => l.kind === 'torch.utils.data.DataLoader');
  const threadChoices = [undefined, ...new Set([1, Math.floor(facts.cores / 2)].filter((n) => n >= 1 && n < facts.cores))];
  const loaderChoices: TuneSettings[] = loader ? loaderSettings(loader, facts, cuda) : [{}];
  if (!loader) notes.push('no DataLoader was seen: only the threads were tried');
  if (!cuda) notes.push('no CUDA: pin_memory and cudnn.benchmark were not tried');
  notes.push('persistent_workers was not tried: it saves worker start-up between epochs, which a short trial does not measure');
  notes.push('batch size was not tried: it changes what training computes');
  const cudnnChoices = cuda ? [undefined, true] : [undefined];
  const all: TuneSettings[] = [];
  for (const load of loaderChoices) {
    for (const numThreads of threadChoices) {
      for (const cudnnBenchmark of cudnnChoices) all.push(withoutUndefined({ ...load, numThreads, cudnnBenchmark }));
    }
  }
  // Fewest changes first (a stable sort): past the cap, the combinations of many knobs go.
  const unique = all.filter((s, i) => all.findIndex((t) => sameSettings(s, t)) === i).sort((a, b) => changes(a) - changes(b));
  if (unique.length > MAX_CANDIDATES) notes.push(`${unique.length} combinations: the ${MAX_CANDIDATES} that change fewest settings were tried`);
  return { candidates: unique.slice(0, MAX_CANDIDATES), notes };
}

/** Worker counts (and, with workers, the prefetch depth and pinned memory) unlike the loader's own. */
function loaderSettings(loader: LoaderEvent, facts: TuneFacts, cuda: boolean): TuneSettings[] {
  const own = loader.numWorkers ?? 0;
  const counts = new Set<number>([0, ...powersOfTwoBelow(Math.min(facts.cores, MAX_WORKERS) + 1), Math.min(facts.cores, MAX_WORKERS)]);
  if (facts.suggestedWorkers !== undefined) counts.add(facts.suggestedWorkers);
  counts.delete(own);
  const settings: TuneSettings[] = [];
  const prefetchTried = (loader.prefetchFactor ?? TORCH_DEFAULT_PREFETCH_FACTOR) < TUNED_PREFETCH_FACTOR;
  for (const numWorkers of [own, ...[...counts].sort((a, b) => a - b)]) {
    const base: TuneSettings = numWorkers === own ? {} : { numWorkers };
    const withWorkers = numWorkers > 0;
    const variants: TuneSettings[] = [base];
    if (withWorkers && prefetchTried) variants.push({ ...base, prefetchFactor: TUNED_PREFETCH_FACTOR });
    if (cuda && loader.pinMemory !== true) variants.push(...variants.map((v) => ({ ...v, pinMemory: true })));
    settings.push(...variants);
  }
  return settings;
}

/** 1, 2, 4, … below n (n itself excluded). */
function powersOfTwoBelow(n: number): number[] {
  const out: number[] = [];
  for (let p = 1; p < n; p *= 2) out.push(p);
  return out;
}

function changes(settings: TuneSettings): number {
  return Object.keys(settings).length;
}

function withoutUndefined(settings: TuneSettings): TuneSettings {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as TuneSettings;
}
