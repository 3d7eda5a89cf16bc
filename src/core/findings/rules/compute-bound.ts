/** compute-bound (informational): the math sets the pace; says what can still make it faster. */
import { formatMs, formatPct, formatShare } from '../../format';
import type { RunFacts } from '../facts';
import type { Finding } from '../finding';
import { GPU_BUSY_PCT, runGpu } from '../gpu';
import { computeMs, computeShare, isCudaRun, meanStepMs, MODERATE_SHARE, stageShare } from '../measures';
import { filesMention, runFiles, usesMixedPrecision } from '../sources';
import { OTHER_HEAVY_SHARE } from './other-heavy';

/** Library frames of a convolution (torch.nn.modules.conv, F.conv2d): what cudnn.benchmark tunes. */
const CONV_FRAME = /conv/i;
const CUDNN_BENCHMARK = /cudnn\.benchmark/;

/**
 * With GPU telemetry, a GPU busy from GPU_BUSY_PCT is the limit, whatever the host stages say
 * (they time kernel launches and waits). Otherwise the host stages decide: not input-bound by
 * XProf's grade and glue below other-heavy's threshold leave the math as the pace-setter.
 */
export function isComputeBound(facts: RunFacts): boolean {
  const { summary } = facts;
  const util = runGpu(facts)?.utilPctMean ?? null;
  if (util !== null) return util >= GPU_BUSY_PCT;
  return computeShare(summary) > 0 && stageShare(summary, 'data') < MODERATE_SHARE && stageShare(summary, 'other') < OTHER_HEAVY_SHARE;
}

export function computeBound(facts: RunFacts): Finding | null {
  if (!isComputeBound(facts)) return null;
  const { summary } = facts;
  const gpu = runGpu(facts);
  const util = gpu?.utilPctMean ?? null;
  const share = computeShare(summary);
  const pace =
    util !== null
      ? `The ${gpu?.name ?? 'GPU'} was busy ${formatPct(util)} of the time while steps ran`
      : `Forward, backward and optimizer take ${formatShare(share)} of each step (${formatMs(computeMs(summary))} of ${formatMs(meanStepMs(summary))})`;
  const mixed = usesMixedPrecision(facts) === true ? '' : 'mixed precision, ';
  const helps = isCudaRun(summary) ? `${mixed}cudnn.benchmark for fixed-shape conv nets, a faster GPU` : 'a smaller model, more cores, a GPU';
  const evidence: Record<string, number> = { computeShare: share, computeMs: computeMs(summary), stepMs: meanStepMs(summary) };
  if (util !== null) evidence.gpuUtilPct = util;
  return {
    code: 'compute-bound',
    severity: 'info',
    title: 'Compute-bound: the math sets the pace',
    message: `${pace}: the step is compute-bound, so only less or faster math helps now (${helps}).`,
    evidence,
    locations: [],
    fixes: cudnnBenchmarkApplies(facts) ? ['cudnn-benchmark'] : [],
    // Nothing outside the math is left to win.
    impact: 0,
  };
}

function cudnnBenchmarkApplies(facts: RunFacts): boolean {
  const { summary } = facts;
  if (summary.framework !== 'pytorch' || !isCudaRun(summary)) return false;
  const convolves = summary.hotLines.some((l) => l.path.some((frame) => CONV_FRAME.test(frame)));
  return convolves && filesMention(facts, runFiles(facts), CUDNN_BENCHMARK) !== true;
}
