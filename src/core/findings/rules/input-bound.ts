/** input-bound: steps wait for their data; points at the pipeline's construction and its hot lines. */
import type { LoaderEvent } from '../../../protocol/events';
import { formatMs, formatShare } from '../../format';
import type { RunFacts } from '../facts';
import type { Finding, FixId } from '../finding';
import { gpuBusy, runGpu } from '../gpu';
import {
  describeSignal,
  formatSpeedup,
  loaderFamily,
  loadingSignal,
  loadingWaits,
  machineSaturated,
  nameLoader,
  spinningCores,
  shortKind,
  signalEvidence,
  TORCH_DEFAULT_PREFETCH_FACTOR,
  torchSettings,
  workerPlan,
  type LoaderFamily,
  type LoadingSignal,
  type WorkerPlan,
} from '../loaders';
import { gradeShare, hotLinesIn, idleCoresWhileStepping, isCudaRun, lineStepShare, meanStepMs, treeCpuWhileStepping, where } from '../measures';

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
  const numWorkers = loader?.numWorkers ?? 0;
  const signal = family === 'torch' ? loadingSignal(facts, numWorkers) : null;
  const waits = loadingWaits(signal, numWorkers, facts.cores);
  const treeCpuPct = treeCpuWhileStepping(facts);
  // Only the main thread's own CPU says it loaded the data itself while the others spun.
  const spinning = signal?.kind === 'main-thread' && !waits ? spinningCores({ stepMs, dataMs: data.ms, cores: facts.cores, treeCpuPct }) : 0;
  const plan =
    family === 'torch'
      ? workerPlan({
          numWorkers,
          dataMs: data.ms,
          stepMs,
          cores: facts.cores,
          waits,
          loadCpuMs: signal?.kind === 'main-thread' ? signal.cpu.cpuMs : null,
          treeCpuPct,
          idleCores: idleCoresWhileStepping(facts),
          spinningCores: spinning,
          dataOnlyBatchesPerSec: summary.ceilings?.dataOnlyBatchesPerSec ?? null,
          computeOnlyBatchesPerSec: summary.ceilings?.computeOnlyBatchesPerSec ?? null,
        })
      : null;
  const fixes = fixesFor(facts, family, loader, plan?.workers ?? 0);
  let pipeline = '';
  if (loader && family === 'torch' && typeof loader.numWorkers === 'number') {
    const cores = fixes.includes('dataloader-workers') ? ` with ${facts.cores} cores available` : '';
    pipeline = `; ${nameLoader(loader)} uses num_workers=${loader.numWorkers}${cores}${loadingWords(signal, waits)}${planWords(plan, numWorkers, waits, facts.cores, spinning)}`;
  } else if (loader) {
    pipeline = `; data comes from ${nameLoader(loader)}`;
  } else if (lines[0]) {
    pipeline = `; the hottest data-loading line is ${where(lines[0].file, lines[0].line)}`;
  }
  const evidence: Record<string, number> = { dataShare: data.share, dataMs: data.ms, stepMs, cores: facts.cores };
  if (typeof loader?.numWorkers === 'number') evidence.numWorkers = loader.numWorkers;
  if (plan) {
    Object.assign(evidence, {
      suggestedWorkers: plan.workers,
      loadMsPerBatch: plan.loadMs,
      restOfStepMs: plan.restMs,
      expectedStepMs: plan.expectedStepMs,
      expectedSpeedup: plan.expectedSpeedup,
      usableCores: plan.usableCores,
      loadingWaits: waits ? 1 : 0,
    });
    if (spinning > 0) evidence.spinningCores = spinning;
  }
  Object.assign(evidence, signalEvidence(signal));
  return {
    code: 'input-bound',
    severity,
    title: 'Input-bound: steps wait for data',
    message: `Steps wait for data ${formatShare(data.share)} of the time (${formatMs(data.ms)} of ${formatMs(stepMs)} per step)${pipeline}.`,
    evidence,
    locations: [
      ...summary.loaders.map((l) => ({ file: l.file, line: l.line, why: builtHere(l, family) })),
      ...lines.map((l) => ({ file: l.file, line: l.line, why: `hot data-loading line, ${formatShare(lineStepShare(facts, l, ['data']))} of step time` })),
    ],
    fixes,
    impact: data.share,
  };
}

/** What the measured signal says about loading, with its figure. */
function loadingWords(signal: LoadingSignal | null, waits: boolean): string {
  if (!signal) return '';
  if (waits) return `; loading waits rather than computes (${describeSignal(signal)})`;
  // The tree's CPU only says "computes" loosely (spinning threads count too); the main thread's own says it exactly.
  if (signal.kind === 'main-thread') return `; loading computes rather than waits (${describeSignal(signal)})`;
  return machineSaturated(signal) ? `; taken as computing (${describeSignal(signal)})` : '';
}

/**
 * The worker count with the figures it comes from, the gain they predict and what that assumes, or
 * why no count helps. E.g. "; 2 workers would overlap loading (20.5 ms per batch) with the rest of
 * the step (1.6 ms): expected up to 1.9× faster if each worker loads as fast as the main thread did,
 * on one of the 2 cores".
 */
function planWords(plan: WorkerPlan | null, current: number, waits: boolean, cores: number, spinning: number): string {
  if (!plan) return '';
  const busyElsewhere = Math.floor(cores) - plan.usableCores;
  // Other programs kept some cores busy: a computing worker there only takes turns with them.
  const coreCount = `${Math.floor(cores)} ${Math.floor(cores) === 1 ? 'core' : 'cores'}${busyElsewhere >= 0.5 && !waits ? `, ${busyElsewhere.toFixed(1)} of them kept busy by other programs` : ''}`;
  const load = `${formatMs(plan.loadMs)} per batch${current > 0 ? ' in each worker' : ''}`;
  if (plan.workers <= current) return `; more workers would not help (loading ${load}, the rest of the step ${formatMs(plan.restMs)}${waits ? '' : `, ${coreCount}`})`;
  const assumption = waits ? '' : `, on one of the ${coreCount}`;
  const bounds: Partial<Record<WorkerPlan['bound'], string>> = {
    'compute-ceiling': '; the measured compute-only ceiling bounds it',
    'data-ceiling': '; the measured data-only ceiling bounds it',
  };
  // The plan counted the spinning threads out: it holds with the pools sized to 1 thread, which the workers fix writes too.
  const pools = spinning > 0 ? `; torch's thread pools kept ${spinning.toFixed(1)} of a core busy beyond any work they had (idle threads spin between calls) while the main thread loaded the data; with the pools sized to 1 thread,` : ';';
  return `${pools} ${plan.workers} workers would overlap loading (${load}) with the rest of the step (${formatMs(plan.restMs)}): expected up to ${formatSpeedup(plan.expectedSpeedup)} faster if each worker loads as fast as the main thread did${assumption}${bounds[plan.bound] ?? ''}`;
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
