/** Re-run and Compare in words: the notification after the re-run and the panel's title for it. */
import type { RunComparison } from '../compare';
import { formatRate } from '../format';

/** Below this ratio a change reads better as a percentage ("12% faster") than as "1.1× faster". */
const RATIO_FROM = 1.5;

/**
 * "2.1× faster: 43.7 → 91.2 batches/s (±5% noise, assumed)"; a change within the noise is plainly
 * "no measurable change", and a run that got slower says so, each with what the after run's figures
 * point to next. Caveats follow, since a verdict on runs that were not like for like needs them.
 */
export function compareNotification(c: RunComparison): string {
  const caveats = c.caveats.map((caveat) => ` Caveat: ${caveat}.`).join('');
  if (c.batchesPerSecBefore === null || c.batchesPerSecAfter === null || c.changePct === null) return `TrainLens: ${c.sentence}${caveats}`;
  const rates = `${formatRate(c.batchesPerSecBefore)} → ${formatRate(c.batchesPerSecAfter)} batches/s`;
  const noise = `±${formatBand(c.noiseBandPct)}% noise${c.noiseRuns > 0 ? ` from ${c.noiseRuns} runs` : ', assumed'}`;
  switch (c.verdict) {
    case 'faster':
      return `TrainLens: ${howMuch(c.batchesPerSecAfter / c.batchesPerSecBefore, c.changePct)} faster: ${rates} (${noise}).${caveats}`;
    case 'slower':
      return `TrainLens: ${howMuch(c.batchesPerSecBefore / c.batchesPerSecAfter, -c.changePct)} slower: ${rates} (${noise}).${next(c)}${caveats}`;
    default:
      return `TrainLens: no measurable change: ${rates} is within ${noise}.${next(c)}${caveats}`;
  }
}

/** The panel's heading names what changed between the runs: the fixes applied since the first. */
export function compareTitle(fixTitles: readonly string[]): string {
  const what = fixTitles.length > 0 ? [...new Set(fixTitles)].join(' + ') : 'the same command, run again';
  return `${what} · compared with the run before`;
}

function howMuch(ratio: number, changePct: number): string {
  if (ratio >= 10) return `${Math.round(ratio)}×`;
  return ratio >= RATIO_FROM ? `${ratio.toFixed(1)}×` : `${Math.abs(changePct).toFixed(0)}%`;
}

/** The default band is a whole number; a measured one keeps a decimal. */
function formatBand(pct: number): string {
  return Number.isInteger(pct) ? String(pct) : pct.toFixed(1);
}

/** "Next: data is still 93% of the step: …" — capitalised as a sentence of its own. */
function next(c: RunComparison): string {
  return c.next ? ` Next: ${c.next}.` : '';
}
