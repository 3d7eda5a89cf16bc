/** worker-oversubscription: DataLoader workers plus the main process outnumber the available cores. */
import type { LoaderEvent } from '../../../protocol/events';
import type { RunFacts } from '../facts';
import type { Finding } from '../finding';
import { loaderFamily, loadingSignal, loadingWaits, nameLoader, suggestedWorkers } from '../loaders';

export function workerOversubscription(facts: RunFacts): Finding | null {
  const { summary, cores } = facts;
  // Loaders of one run rarely iterate at once (train, then eval): the largest one is what competes.
  let loader: LoaderEvent | undefined;
  for (const l of summary.loaders) if ((l.numWorkers ?? 0) > (loader?.numWorkers ?? 0)) loader = l;
  const workers = loader?.numWorkers ?? 0;
  const processes = workers + 1;
  if (!loader || processes <= cores) return null;
  // Processes that mostly wait do not compete for cores: only a busy tree is oversubscribed.
  if (loadingWaits(loadingSignal(facts, workers), workers, cores)) return null;
  return {
    code: 'worker-oversubscription',
    severity: 'moderate',
    title: 'More DataLoader workers than cores',
    message: `${capitalize(nameLoader(loader))} starts ${workers} worker processes on ${cores} available cores; with the main process that is ${processes} busy processes competing for ${cores} cores.`,
    evidence: { numWorkers: workers, cores, suggestedWorkers: suggestedWorkers(cores) },
    locations: [{ file: loader.file, line: loader.line, why: `num_workers=${workers} set here` }],
    fixes: loaderFamily(summary, loader) === 'torch' ? ['dataloader-workers'] : [],
    // The share of processes left without a core: the slowdown when all of them are busy.
    impact: (processes - cores) / processes,
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
