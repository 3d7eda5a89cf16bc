/** A tuning run's outcome as the CLI prints it and `--json` writes it. */
import { formatRate, formatSignedPct } from '../format';
import type { SettingFix } from './fixes';
import type { TrialResult, TrialStatus, TuneVerdict } from './result';
import { describeSettings, type TuneSettings } from './settings';

export interface TuneOutcome {
  script: string | null;
  baseline: { settings: TuneSettings; batchesPerSec: number | null; steps: number; recording: string | null };
  trials: TrialResult[];
  verdict: TuneVerdict;
  /** The fixes that write the best settings (empty when the baseline stays best). */
  fixes: SettingFix[];
  /** Settings of the best that no fix writes. */
  unwritable: string[];
  /** Where the fixes write (the first DataLoader's call, else the script), from the baseline run. */
  fixTarget: { file: string; line: number | null; torchVersion: string | null; cuda: boolean } | null;
  /** What was not tried, budget remarks, a stop by the user. */
  notes: string[];
  /** The machine's 1-minute load average as tuning started and ended: what the trials competed with. */
  load: { start: number; end: number; cores: number } | null;
  budgetMs: number;
  elapsedMs: number;
}

/** `--json`: the contract plus the figures that back the verdict. */
export function tuneJson(outcome: TuneOutcome): unknown {
  const v = outcome.verdict;
  return {
    script: outcome.script,
    baseline: { settings: outcome.baseline.settings, batchesPerSec: outcome.baseline.batchesPerSec, steps: outcome.baseline.steps, recording: outcome.baseline.recording },
    trials: outcome.trials.map((t) => ({
      settings: t.settings,
      batchesPerSec: t.batchesPerSec,
      steps: t.steps,
      status: t.status,
      rung: t.rung,
      note: t.note,
      recording: t.recording,
      durationMs: t.durationMs,
    })),
    best: {
      settings: v.best,
      batchesPerSec: v.bestBatchesPerSec,
      fixes: outcome.fixes.map((f) => f.fixId),
      unwritable: outcome.unwritable,
      gainPct: v.gainPct,
      beyondNoise: v.beyondNoise,
      contender: v.contender,
      baselineBatchesPerSec: v.baselineBatchesPerSec,
      noiseBandPct: v.noiseBandPct,
      noiseRuns: v.noiseRuns,
    },
    notes: outcome.notes,
    load: outcome.load,
    budgetMs: outcome.budgetMs,
    elapsedMs: outcome.elapsedMs,
  };
}

export const STATUS_WORDS: Record<TrialStatus, string> = {
  measured: 'measured',
  completed: 'script ended',
  failed: 'failed',
  'timed-out': 'timed out',
  'not-applied': 'not applied',
  stopped: 'stopped',
};

export function formatTrialRow(t: TrialResult): string {
  const rate = t.batchesPerSec === null ? '—' : formatRate(t.batchesPerSec);
  const note = t.note ? `  (${t.note})` : '';
  return `  ${String(t.rung).padEnd(5)}${String(t.steps).padStart(6)}  ${describeSettings(t.settings).padEnd(44)}${rate.padStart(10)}  ${STATUS_WORDS[t.status]}${note}`;
}

export function formatTuneReport(outcome: TuneOutcome): string[] {
  const lines = [
    `Tuning ${outcome.script ?? 'the command'}: baseline ${formatRate(outcome.baseline.batchesPerSec)} batches/s over ${outcome.baseline.steps} steps (settings as written)`,
    `  rung  steps  settings${' '.repeat(36)}batches/s  status`,
    ...outcome.trials.map(formatTrialRow),
    verdictSentence(outcome.verdict),
  ];
  if (outcome.fixes.length > 0) lines.push(`Fixes that write it: ${outcome.fixes.map((f) => f.fixId).join(', ')} (trainlens tune --apply-best writes them)`);
  if (outcome.unwritable.length > 0) lines.push(`No fix writes ${outcome.unwritable.join(', ')}: set it by hand`);
  for (const note of outcome.notes) lines.push(`Note: ${note}`);
  const load = outcome.load;
  if (load) lines.push(`Machine load (1-minute average, ${load.cores} cores): ${load.start.toFixed(2)} at the start, ${load.end.toFixed(2)} at the end; ${Math.round(outcome.elapsedMs / 1000)} s of a ${Math.round(outcome.budgetMs / 1000)} s budget`);
  return lines;
}

export function verdictSentence(v: TuneVerdict): string {
  const band = v.noiseRuns > 0 ? `±${v.noiseBandPct.toFixed(1)}% noise band of ${v.noiseRuns} baseline runs` : `±${v.noiseBandPct}% assumed noise band`;
  if (v.contender === null || v.gainPct === null) return 'No setting was measured: the baseline stays.';
  if (v.beyondNoise) return `Best: ${describeSettings(v.best)}: ${formatRate(v.baselineBatchesPerSec)} → ${formatRate(v.bestBatchesPerSec)} batches/s (${formatSignedPct(v.gainPct)}), beyond the ${band}.`;
  const measured = `the fastest, ${describeSettings(v.contender)}, measured ${formatSignedPct(v.gainPct)} against the baseline's ${formatRate(v.baselineBatchesPerSec)} batches/s`;
  if (v.gainPct < -v.noiseBandPct) return `No setting beyond noise: ${measured}, slower beyond the ${band}; the script's own settings are the fastest measured.`;
  return `No setting beyond noise: ${measured}, within the ${band}.`;
}
