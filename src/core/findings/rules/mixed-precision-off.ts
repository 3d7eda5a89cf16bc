/** mixed-precision-off: a compute-bound PyTorch run on tensor cores with no sign of autocast or half precision. */
import { formatPct, formatShare } from '../../format';
import type { RunFacts } from '../facts';
import type { Finding } from '../finding';
import { hasTensorCores, runGpu } from '../gpu';
import { computeShare, gradeShare, hotLinesIn, isCudaRun } from '../measures';
import { usesMixedPrecision } from '../sources';
import { isComputeBound } from './compute-bound';

/** NVIDIA's mixed-precision training guide reports up to 3x on tensor cores; count on half the math time. */
export const MIXED_PRECISION_SAVING = 0.5;
const MAX_LINES = 2;

export function mixedPrecisionOff(facts: RunFacts): Finding | null {
  const { summary } = facts;
  if (summary.framework !== 'pytorch' || !isCudaRun(summary) || !isComputeBound(facts)) return null;
  const gpu = runGpu(facts);
  const name = gpu?.name ?? summary.hardware?.gpus[0]?.name ?? null;
  // Silent when the code mentions it or cannot be read: "not seen" must mean looked and absent.
  if (!hasTensorCores(name) || usesMixedPrecision(facts) !== false) return null;
  const util = gpu?.utilPctMean ?? null;
  const mathShare = util !== null ? util / 100 : computeShare(summary);
  const impact = mathShare * MIXED_PRECISION_SAVING;
  const severity = gradeShare(impact);
  if (!severity) return null;
  const busy = util !== null ? `was busy ${formatPct(util)} of the time` : `spent ${formatShare(mathShare)} of each step in forward, backward and optimizer`;
  const evidence: Record<string, number> = { mathShare, expectedSaving: MIXED_PRECISION_SAVING };
  if (util !== null) evidence.gpuUtilPct = util;
  return {
    code: 'mixed-precision-off',
    severity,
    title: 'Mixed precision is off',
    message: `The ${name} ${busy} and no autocast or half precision appears in the run's code; its tensor cores run mixed-precision math up to 3× faster.`,
    evidence,
    locations: hotLinesIn(summary, ['forward'], MAX_LINES).map((l) => ({
      file: l.file,
      line: l.line,
      why: `forward pass in fp32, ${formatShare(l.share)} of samples`,
    })),
    fixes: ['mixed-precision'],
    impact,
  };
}
