/**
 * Before/after comparison of two runs: did the change make training faster, slower, or nothing
 * measurable? "Measurable" means beyond the run-to-run noise, taken from repeated runs of the same
 * command when there are some. A change that did not help is said plainly.
 */
import { STAGE_NAMES, type StageName } from '../protocol/events';
import { formatSpeedup } from './findings/loaders';
import { COMPUTE_STAGES, HIGH_SHARE, hotLinesIn, where } from './findings/measures';
import { formatMs, formatRate, formatShare, formatSignedPct, STAGE_LABELS } from './format';
import { mean } from './stats';
import type { RunSummary } from './summary';
import type { CompareData, CompareVerdict } from '../protocol/webview-messages';

/** Repeated runs of the "before" command, for the noise band. */
export interface NoiseSamples {
  batchesPerSec: number[];
}

/**
 * A comparison is what the panel's compare message carries, less the title the editor adds: the
 * protocol (shared with the webview) holds the one definition. `next` (also the sentence's last
 * clause) is what the after run's figures point to when the change did not help.
 */
export type RunComparison = Omit<CompareData, 'title'> & { next: string | null };
type StageShareChange = RunComparison['stageShares'][number];

/** Without repeated runs: short runs on a shared machine commonly differ by a few percent. */
export const DEFAULT_NOISE_BAND_PCT = 5;
/** Even identical repeats do not license claims finer than this. */
export const MIN_NOISE_BAND_PCT = 1;
/** Stage share moves smaller than this (in share points) are not worth a mention. */
const STAGE_MENTION_MIN = 0.05;

export function compareRuns(before: RunSummary, after: RunSummary, noise?: NoiseSamples): RunComparison {
  const bpsBefore = usable(before.throughput.batchesPerSec);
  const bpsAfter = usable(after.throughput.batchesPerSec);
  const band = noiseBand(noise?.batchesPerSec ?? []);
  const changePct = bpsBefore !== null && bpsAfter !== null ? ((bpsAfter - bpsBefore) / bpsBefore) * 100 : null;
  let verdict: CompareVerdict = 'not-comparable';
  if (changePct !== null) verdict = Math.abs(changePct) <= band.pct ? 'no-change' : changePct > 0 ? 'faster' : 'slower';
  const stageShares = STAGE_NAMES.filter((stage) => before.stages[stage] || after.stages[stage]).map((stage) => ({
    stage,
    before: before.stages[stage]?.share ?? null,
    after: after.stages[stage]?.share ?? null,
  }));
  const comparison: RunComparison = {
    batchesPerSecBefore: bpsBefore,
    batchesPerSecAfter: bpsAfter,
    changePct,
    noiseBandPct: band.pct,
    noiseRuns: band.runs,
    verdict,
    stageShares,
    caveats: caveats(before, after),
    sentence: '',
    next: verdict === 'no-change' || verdict === 'slower' ? nextStep(after) : null,
  };
  comparison.sentence = sentence(comparison, after);
  return comparison;
}

/**
 * Two single runs that each vary by σ differ by σ·√2; twice that covers ~95% of pure-noise
 * differences. σ is estimated as the coefficient of variation of the repeated runs.
 */
export function noiseBand(samples: readonly number[]): { pct: number; runs: number } {
  const valid = samples.filter((s) => Number.isFinite(s) && s > 0);
  const average = mean(valid);
  if (valid.length < 2 || average === null) return { pct: DEFAULT_NOISE_BAND_PCT, runs: 0 };
  const variance = valid.reduce((total, s) => total + (s - average) ** 2, 0) / (valid.length - 1);
  const cvPct = (Math.sqrt(variance) / average) * 100;
  return { pct: Math.max(MIN_NOISE_BAND_PCT, 2 * Math.SQRT2 * cvPct), runs: valid.length };
}

function usable(value: number | null): number | null {
  return value !== null && Number.isFinite(value) && value > 0 ? value : null;
}

function caveats(before: RunSummary, after: RunSummary): string[] {
  const notes: string[] = [];
  if (before.command.join(' ') !== after.command.join(' ')) notes.push('the two runs used different commands');
  if (before.steps > 0 && after.steps > 0 && before.steps !== after.steps) {
    // Same command and arguments, yet a stopped run or a script that changed its own step count.
    const very = Math.max(before.steps, after.steps) > 2 * Math.min(before.steps, after.steps) ? 'very ' : '';
    notes.push(`the runs measured ${very}different numbers of steps (${before.steps} and ${after.steps})`);
  }
  if (before.device !== after.device) notes.push(`the runs used different devices (${before.device ?? 'unknown'} and ${after.device ?? 'unknown'})`);
  for (const [run, which] of [[before, 'before'], [after, 'after']] as const) {
    if (run.status === 'failed') notes.push(`the ${which} run failed${run.error ? `: ${run.error.message}` : ''}`);
  }
  return notes;
}

function sentence(c: RunComparison, after: RunSummary): string {
  const band = c.noiseRuns > 0 ? `the ±${c.noiseBandPct.toFixed(1)}% noise band of ${c.noiseRuns} repeated runs` : `the ±${c.noiseBandPct}% assumed noise band (no repeated runs)`;
  if (c.changePct === null || c.batchesPerSecBefore === null || c.batchesPerSecAfter === null) {
    const which = c.batchesPerSecBefore === null ? 'before' : 'after';
    const failed = which === 'after' && after.status === 'failed' ? ` (it failed${after.error ? `: ${after.error.message}` : ''})` : '';
    return `Cannot compare: the ${which} run has no throughput${failed}.`;
  }
  const rates = `${formatRate(c.batchesPerSecBefore)} → ${formatRate(c.batchesPerSecAfter)} batches/s (${formatSignedPct(c.changePct)})`;
  const stage = stageMove(c.stageShares);
  switch (c.verdict) {
    case 'faster':
      return `Faster: ${rates}, beyond ${band}${stage}.`;
    case 'slower':
      return `Slower: ${rates}, beyond ${band}; the change made training slower${stage}.${next(c)}`;
    default:
      return `The change did not help: ${rates} is within ${band}${stage}.${next(c)}`;
  }
}

/** The stage whose share moved most, when it moved enough to explain something. */
function stageMove(shares: StageShareChange[]): string {
  let best: StageShareChange | null = null;
  for (const s of shares) {
    if (s.before === null || s.after === null) continue;
    if (!best || Math.abs(s.after - s.before) > Math.abs((best.after ?? 0) - (best.before ?? 0))) best = s;
  }
  if (!best || best.before === null || best.after === null || Math.abs(best.after - best.before) < STAGE_MENTION_MIN) return '';
  return `; ${STAGE_LABELS[best.stage]} went from ${formatShare(best.before)} to ${formatShare(best.after)} of the step`;
}

function next(c: RunComparison): string {
  return c.next ? ` Next: ${c.next}.` : '';
}

/**
 * What the after run's own figures point to: its input-bound finding's worker count and the
 * gain it expects, when the workers are the reason steps still wait; else the data-loading line
 * to speed up; else the stage that now takes most of the step.
 */
export function nextStep(after: RunSummary): string | null {
  const data = after.stages.data;
  if (data && data.share >= HIGH_SHARE) {
    const still = `data is still ${formatShare(data.share)} of the step`;
    const input = after.findings.find((f) => f.code === 'input-bound');
    const { numWorkers = 0, suggestedWorkers, loadMsPerBatch, expectedSpeedup } = input?.evidence ?? {};
    if (suggestedWorkers !== undefined && suggestedWorkers > numWorkers) {
      const serial = numWorkers > 0 ? `loading is serial in each worker (${formatMs(loadMsPerBatch)} per batch in each of ${numWorkers})` : 'loading is serial in the main process';
      const gain = expectedSpeedup !== undefined && expectedSpeedup > 1 ? ` (expected up to ${formatSpeedup(expectedSpeedup)} faster)` : '';
      return `${still}: ${serial} — try num_workers=${suggestedWorkers}${gain}`;
    }
    // With workers the main process only waits for them: its hot data line is the loop, not the loading.
    const line = numWorkers === 0 ? hotLinesIn(after, ['data'], 1)[0] : undefined;
    return `${still} and more workers would not help by its figures: make each batch cheaper to load${line ? `, starting at ${where(line.file, line.line)}` : ''}`;
  }
  const top = STAGE_NAMES.map((stage) => ({ stage, share: after.stages[stage]?.share ?? 0 })).sort((a, b) => b.share - a.share)[0];
  if (!top || top.share <= 0) return null;
  const computeBound = COMPUTE_STAGES.includes(top.stage) ? 'the step is now compute-bound: ' : '';
  return `${computeBound}${STAGE_LABELS[top.stage]} is ${formatShare(top.share)} of the step`;
}
