/** The run's GPUs as telemetry saw them while steps ran. */
import type { TelemetryEvent } from '../../protocol/recording';
import { max, mean } from '../stats';
import type { RunFacts } from './facts';
import { isCudaRun, steadySteps } from './measures';

/** nvidia-smi utilisation is the share of time a kernel ran; from 90% there is no idle GPU time
 * left for a host-side fix to reclaim, so host waits on such a run are the GPU's work showing. */
export const GPU_BUSY_PCT = 90;
/** Issue 5's "GPU util below 50%": the GPU idles more than it computes. */
export const GPU_LOW_UTIL_PCT = 50;
/** Five 1 Hz samples: fewer is too short a look to call a GPU idle or busy. */
export const MIN_UTIL_SAMPLES = 5;
/** A CUDA context alone takes ~300–500 MiB, so a card the run used grows by more than this. */
export const RUN_GPU_MIN_GROWTH_MIB = 256;

export interface RunGpu {
  name: string | null;
  /** Mean utilisation over the run's cards during steady-state steps; null on too few samples. */
  utilPctMean: number | null;
  utilSamples: number;
  /** Peak memory used on the run's busiest card over the whole run. */
  memPeakMiB: number | null;
  memTotalMiB: number | null;
}

/** Null unless this is a CUDA run with GPU telemetry. */
export function runGpu(facts: RunFacts): RunGpu | null {
  if (!isCudaRun(facts.summary)) return null;
  const cards = runCards(facts.telemetry);
  if (cards.length === 0) return null;
  const onCards = (sample: TelemetryEvent) => (sample.gpus ?? []).filter((g) => cards.includes(g.index));
  const steps = steadySteps(facts);
  const first = steps[0];
  const last = steps[steps.length - 1];
  // Telemetry is timed from the host's run start, steps from the runner's origin: the runner
  // takes its origin as the interpreter starts, well under one 1 Hz sample later.
  const during = first && last ? facts.telemetry.filter((s) => s.t >= first.t && s.t <= last.t + last.ms) : [];
  const utils: number[] = [];
  for (const sample of during) {
    const util = mean(onCards(sample).flatMap((g) => (g.utilPct === null ? [] : [g.utilPct])));
    if (util !== null) utils.push(util);
  }
  const used = facts.telemetry.flatMap((s) => onCards(s).flatMap((g) => (g.memUsedMiB === null ? [] : [g.memUsedMiB])));
  const totals = facts.telemetry.flatMap((s) => onCards(s).flatMap((g) => (g.memTotalMiB === null ? [] : [g.memTotalMiB])));
  return {
    name: facts.summary.hardware?.gpus.find((g) => g.index === cards[0])?.name ?? null,
    utilPctMean: utils.length >= MIN_UTIL_SAMPLES ? mean(utils) : null,
    utilSamples: utils.length,
    memPeakMiB: max(used),
    memTotalMiB: max(totals),
  };
}

export function gpuBusy(gpu: RunGpu | null): boolean {
  const util = gpu?.utilPctMean;
  return typeof util === 'number' && util >= GPU_BUSY_PCT;
}

/**
 * Cards the run used. Telemetry sees every card of the machine; on a shared multi-GPU box the
 * run's are those whose memory grew during the run. If none did (the first sample came after
 * the run allocated), all cards count.
 */
function runCards(telemetry: readonly TelemetryEvent[]): number[] {
  const memory = new Map<number, number[]>();
  for (const sample of telemetry) {
    for (const gpu of sample.gpus ?? []) {
      const values = memory.get(gpu.index) ?? [];
      if (gpu.memUsedMiB !== null) values.push(gpu.memUsedMiB);
      memory.set(gpu.index, values);
    }
  }
  const all = [...memory.keys()].sort((a, b) => a - b);
  if (all.length <= 1) return all;
  const grew = all.filter((index) => {
    const values = memory.get(index) ?? [];
    const lowest = values.reduce((a, b) => Math.min(a, b), Infinity);
    return (max(values) ?? 0) - lowest >= RUN_GPU_MIN_GROWTH_MIB;
  });
  return grew.length > 0 ? grew : all;
}

/**
 * Tensor cores came with Volta: V100/Titan V, Turing RTX and T4, Ampere (A100, A10/A30/A40/A16/A2,
 * RTX 30, RTX A-series), Ada (L4, L40, RTX 40), Hopper (H100/H200/H800/H20/GH200), Blackwell
 * (B100/B200/GB200, RTX 50). GTX cards (Turing GTX 16 included) have none.
 */
const TENSOR_CORE_GPU = /\b(V100|TITAN V|T4|RTX|A100|A800|A10G?|A30|A40|A16|A2|L4|L40S?|L20|H100|H200|H800|H20|GH200|B100|B200|GB200)\b/i;

export function hasTensorCores(gpuName: string | null): boolean {
  return gpuName !== null && TENSOR_CORE_GPU.test(gpuName);
}
