/** worker-oversubscription: more DataLoader workers than available cores, all of them busy. */
import type { LoaderEvent } from '../../../protocol/events';
import type { RunFacts } from '../facts';
import type { Finding } from '../finding';
import { computingWorkersCap, loaderFamily, loadingSignal, loadingWaits, nameLoader } from '../loaders';

export function workerOversubscription(facts: RunFacts): Finding | null {
  const { summary, cores } = facts;
  // Loaders of one run rarely iterate at once (train, then eval): the largest one is what competes.
  let loader: LoaderEvent | undefined;
  for (const l of summary.loaders) if ((l.numWorkers ?? 0) > (loader?.numWorkers ?? 0)) loader = l;
  const workers = loader?.numWorkers ?? 0;
  const processes = workers + 1;
  // As many workers as cores is what input-bound offers for computing loaders: while loading is the
  // bottleneck the main process mostly waits for them (2 workers on 2 cores measured 1.4-1.6x
  // faster than 1, issue 18). More workers than cores only take turns on them (PyTorch warns then).
  if (!loader || workers <= cores) return null;
  // Processes that mostly wait do not compete for cores: only a tree measured busy is oversubscribed
  // (a run too short for two telemetry samples in its steady state says nothing either way).
  const signal = loadingSignal(facts, workers);
  if (!signal || loadingWaits(signal, workers, cores)) return null;
  return {
    code: 'worker-oversubscription',
    severity: 'moderate',
    title: 'More DataLoader workers than cores',
    message: `${capitalize(nameLoader(loader))} starts ${workers} worker processes on ${cores} available cores; with the main process that is ${processes} busy processes competing for ${cores} cores.`,
    evidence: { numWorkers: workers, cores, suggestedWorkers: computingWorkersCap(cores) },
    locations: [{ file: loader.file, line: loader.line, why: `num_workers=${workers} set here` }],
    fixes: loaderFamily(summary, loader) === 'torch' ? ['dataloader-workers'] : [],
    // The share of processes left without a core: the slowdown when all of them are busy.
    impact: (processes - cores) / processes,
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
