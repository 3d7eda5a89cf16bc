/** input-bound: steps wait for their data; points at the pipeline's construction and its hot lines. */
import type { LoaderEvent } from '../../../protocol/events';
import { formatMs, formatShare } from '../../format';
import type { RunFacts } from '../facts';
import type { Finding, FixId } from '../finding';
import { gpuBusy, runGpu } from '../gpu';
import { loaderFamily, loadingWaits, nameLoader, shortKind, suggestedWorkers, TORCH_DEFAULT_PREFETCH_FACTOR, torchSettings, type LoaderFamily } from '../loaders';
import { gradeShare, hotLinesIn, isCudaRun, meanStepMs, treeCpuWhileStepping, where } from '../measures';

const MAX_DATA_LINES = 3;

export function inputBound(facts: RunFacts): Finding | null {
  const { summary } = facts;
  const data = summary.stages.data;
  const severity = data ? gradeShare(data.share) : null;
  if (!data || !severity) return null;
  // On CUDA the host may wait for data while queued kernels still run: only an idle GPU loses time.
  if (gpuBusy(runGpu(facts))) return null;
  const loader = summary.loaders[0];
  const family = loaderFamily(summary, loader);
  const lines = hotLinesIn(summary, ['data'], MAX_DATA_LINES);
  const stepMs = meanStepMs(summary);
  const cpuPct = treeCpuWhileStepping(facts);
  const waits = family === 'torch' && loadingWaits(cpuPct, loader?.numWorkers ?? 0, facts.cores);
  const workers = suggestedWorkers(facts.cores, waits);
  const fixes = fixesFor(facts, family, loader, workers);
  let pipeline = '';
  if (loader && family === 'torch' && typeof loader.numWorkers === 'number') {
    const cores = fixes.includes('dataloader-workers') ? ` with ${facts.cores} cores available` : '';
    const waiting = waits && cpuPct !== null ? `; loading waits rather than computes (the run's processes used ${Math.round(cpuPct)}% of one core), so up to ${workers} workers overlap the waits` : '';
    pipeline = `; ${nameLoader(loader)} uses num_workers=${loader.numWorkers}${cores}${waiting}`;
  } else if (loader) {
    pipeline = `; data comes from ${nameLoader(loader)}`;
  } else if (lines[0]) {
    pipeline = `; the hottest data-loading line is ${where(lines[0].file, lines[0].line)}`;
  }
  const evidence: Record<string, number> = { dataShare: data.share, dataMs: data.ms, stepMs, cores: facts.cores };
  if (typeof loader?.numWorkers === 'number') evidence.numWorkers = loader.numWorkers;
  if (family === 'torch') evidence.suggestedWorkers = workers;
  if (cpuPct !== null) evidence.treeCpuPct = cpuPct;
  return {
    code: 'input-bound',
    severity,
    title: 'Input-bound: steps wait for data',
    message: `Steps wait for data ${formatShare(data.share)} of the time (${formatMs(data.ms)} of ${formatMs(stepMs)} per step)${pipeline}.`,
    evidence,
    locations: [
      ...summary.loaders.map((l) => ({ file: l.file, line: l.line, why: builtHere(l, family) })),
      ...lines.map((l) => ({ file: l.file, line: l.line, why: `hot data-loading line, ${formatShare(l.share)} of samples` })),
    ],
    fixes,
    impact: data.share,
  };
}

function builtHere(loader: LoaderEvent, family: LoaderFamily | null): string {
  const settings = family === 'torch' ? torchSettings(loader) : '';
  return `${shortKind(loader)} built here${settings ? `: ${settings}` : ''}`;
}

function fixesFor(facts: RunFacts, family: LoaderFamily | null, loader: LoaderEvent | undefined, target: number): FixId[] {
  if (family === 'tfjs') return ['tfjs-prefetch'];
  if (family === 'tf.data') return ['tfdata-prefetch', 'tfdata-parallel-map'];
  if (family !== 'torch' || !loader) return [];
  const fixes: FixId[] = [];
  const workers = loader.numWorkers ?? 0;
  if (workers < target) fixes.push('dataloader-workers');
  // Pinned host memory only speeds up copies to a CUDA device.
  if (isCudaRun(facts.summary) && loader.pinMemory !== true) fixes.push('dataloader-pin-memory');
  // Both need worker processes: PyTorch rejects them with num_workers=0.
  if (Math.max(workers, target) > 0 && loader.persistentWorkers !== true) fixes.push('dataloader-persistent-workers');
  if (workers > 0 && (loader.prefetchFactor ?? TORCH_DEFAULT_PREFETCH_FACTOR) <= TORCH_DEFAULT_PREFETCH_FACTOR) {
    fixes.push('dataloader-prefetch-factor');
  }
  return fixes;
}
