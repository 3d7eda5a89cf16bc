/**
 * What the tuning panel shows, built from the tuner's callbacks as they come (trial started, trial
 * ended, outcome): the trials so far, the one running, the noise band of the script's own settings
 * and, at the end, the verdict. Pure: the caller passes the clock.
 */
import type { TuneBand, TunePanelState, TuneSettingsData, TuneTrialRow } from '../../protocol/tune-messages';
import { noiseBand } from '../compare';
import { mean } from '../stats';
import { verdictSentence, STATUS_WORDS, type TuneOutcome } from './report';
import { usable, type TrialResult } from './result';
import { describeSettings, isBaseline, type TuneSettings } from './settings';

export class TuneViewModel {
  private readonly trials: TuneTrialRow[] = [];
  private current: TunePanelState['current'] = null;
  private phase: TunePanelState['phase'] = 'running';
  private verdict: TunePanelState['verdict'] = null;
  private finalBand: TuneBand | null = null;
  private notes: string[] = [];
  private error: string | null = null;
  private applied: string | null = null;
  private endedAtMs: number | null = null;

  constructor(
    private readonly title: string,
    private readonly command: readonly string[],
    private readonly budgetMs: number,
    private readonly startedAtMs: number,
  ) {}

  get running(): boolean {
    return this.phase === 'running' || this.phase === 'stopping';
  }

  trialStarted(settings: TuneSettings, rung: number, steps: number | null): void {
    this.current = { index: this.trials.length, rung, settingsText: describeSettings(settings), steps };
  }

  trialEnded(trial: TrialResult): void {
    this.trials.push(rowOf(trial, this.trials.length));
    this.current = null;
  }

  /** Stop was asked: the running trial ends, then the verdict comes from what was measured. */
  stopping(): void {
    if (this.phase === 'running') this.phase = 'stopping';
  }

  finished(outcome: TuneOutcome, nowMs: number): void {
    const v = outcome.verdict;
    this.phase = 'done';
    this.current = null;
    this.endedAtMs = nowMs;
    this.notes = [...outcome.notes];
    this.finalBand = v.baselineBatchesPerSec === null ? null : { batchesPerSec: v.baselineBatchesPerSec, pct: v.noiseBandPct, runs: v.noiseRuns };
    this.verdict = {
      sentence: verdictSentence(v),
      best: settingsData(v.best),
      gainPct: v.gainPct,
      beyondNoise: v.beyondNoise,
      canApply: outcome.fixes.length > 0 && outcome.fixTarget !== null,
      unwritable: [...outcome.unwritable],
    };
  }

  failed(message: string, nowMs: number): void {
    this.phase = 'failed';
    this.current = null;
    this.endedAtMs = nowMs;
    this.error = message;
  }

  /** What Apply did, in a sentence. */
  setApplied(text: string): void {
    this.applied = text;
  }

  state(nowMs: number): TunePanelState {
    return {
      title: this.title,
      command: [...this.command],
      phase: this.phase,
      budgetMs: this.budgetMs,
      elapsedMs: Math.max(0, (this.endedAtMs ?? nowMs) - this.startedAtMs),
      trials: this.trials.map((t) => ({ ...t })),
      current: this.current && { ...this.current },
      band: this.finalBand ?? liveBand(this.trials),
      verdict: this.verdict && { ...this.verdict },
      notes: [...this.notes],
      error: this.error,
      applied: this.applied,
    };
  }
}

function rowOf(trial: TrialResult, index: number): TuneTrialRow {
  return {
    index,
    rung: trial.rung,
    settingsText: describeSettings(trial.settings),
    asWritten: isBaseline(trial.settings),
    steps: trial.steps,
    // A rate counts only where the trial ran the settings it names (core/tune/result.ts's usable).
    batchesPerSec: usable(trial) ? trial.batchesPerSec : null,
    status: trial.status,
    statusText: STATUS_WORDS[trial.status],
    note: trial.note,
    recording: trial.recording,
    durationMs: trial.durationMs,
  };
}

/** While trials run: the mean of the script's own settings so far, and compare.ts's band of their repeats. */
function liveBand(rows: readonly TuneTrialRow[]): TuneBand | null {
  const rates = rows.filter((r) => r.asWritten && r.batchesPerSec !== null).map((r) => r.batchesPerSec as number);
  const average = mean(rates);
  if (average === null) return null;
  const band = noiseBand(rates);
  return { batchesPerSec: average, pct: band.pct, runs: band.runs };
}

function settingsData(settings: TuneSettings): TuneSettingsData {
  const data: TuneSettingsData = {};
  for (const [key, value] of Object.entries(settings) as Array<[string, number | boolean | undefined]>) {
    if (value !== undefined) data[key] = value;
  }
  return data;
}
