/** host-sync: hot lines that copy CUDA tensors to the host every step, making the CPU wait for the GPU. */
import { STAGE_NAMES } from '../../../protocol/events';
import { formatPct, formatShare } from '../../format';
import { sum } from '../../stats';
import type { HotLine } from '../../summary';
import type { RunFacts } from '../facts';
import type { Finding } from '../finding';
import { gpuBusy, runGpu } from '../gpu';
import { gradeShare, hotLinesIn, isCudaRun, lineStepShare, where } from '../measures';
import { codeAt, modelFlow } from '../sources';

/** Calls that wait for the device: PyTorch's .item()/.cpu()/.numpy()/.tolist() and print (formatting
 * a CUDA tensor copies it; a print of plain numbers is too cheap to be a hot line). */
const TORCH_SYNC = /\.(item|cpu|numpy|tolist)\(\)|\bprint\(/;
/** tfjs reads a tensor back synchronously with dataSync()/arraySync(). */
const TFJS_SYNC = /\.(dataSync|arraySync)\(\)/;

export interface SyncLine {
  line: HotLine;
  /** The call found, e.g. ".item()". */
  call: string;
  /** The line's share of step time. */
  stepShare: number;
}

/** Hot lines inside steps of a CUDA run whose code waits for the device; empty without source. */
export function syncLines(facts: RunFacts): SyncLine[] {
  const { summary } = facts;
  if (!isCudaRun(summary)) return [];
  const pattern = summary.framework === 'tfjs' ? TFJS_SYNC : TORCH_SYNC;
  return hotLinesIn(summary, STAGE_NAMES, summary.hotLines.length).flatMap((line) => {
    const match = pattern.exec(codeAt(facts, line.file, line.line) ?? '');
    const call = match?.[0] === 'print(' ? 'print()' : match?.[0];
    return call ? [{ line, call, stepShare: lineStepShare(facts, line, STAGE_NAMES) }] : [];
  });
}

export function hostSync(facts: RunFacts): Finding | null {
  const lines = syncLines(facts);
  const gpu = runGpu(facts);
  if (lines.length === 0 || gpuBusy(gpu)) return null;
  const syncShare = sum(lines.map((s) => s.stepShare));
  const util = gpu?.utilPctMean ?? null;
  // A wait costs at most the time the GPU then sits idle.
  const impact = util === null ? syncShare : Math.min(syncShare, 1 - util / 100);
  const severity = gradeShare(impact);
  if (!severity) return null;
  const busy = util === null ? '' : `, and the GPU was busy only ${formatPct(util)} of the time`;
  const first = lines[0] as SyncLine;
  const flow = modelFlow(facts);
  const what =
    lines.length === 1
      ? `${where(first.line.file, first.line.line)} (${first.call}) makes the CPU wait for the GPU every step`
      : `${lines.length} lines copy GPU tensors to the host every step (${lines.map((s) => `${where(s.line.file, s.line.line)} ${s.call}`).join(', ')})`;
  const evidence: Record<string, number> = { syncShare, lines: lines.length };
  if (util !== null) evidence.gpuUtilPct = util;
  return {
    code: 'host-sync',
    severity,
    title: 'Host-device syncs every step',
    message: `${what}: ${formatShare(syncShare)} of step time${busy}.`,
    evidence,
    locations: lines.map((s) => ({ file: s.line.file, line: s.line.line, why: `${s.call} waits for the GPU; ${formatShare(s.stepShare)} of step time` })),
    // A sync on the model's input (a batch built on the GPU and read back) must stay every step.
    fixes: facts.summary.framework === 'pytorch' && lines.some((s) => !flow.feeds(s.line.file, s.line.line)) ? ['metric-every-n'] : [],
    impact,
  };
}
