/**
 * Messages between the extension host and the tuning panel (webview), both ways, as discriminated
 * unions on `type`. The whole tuning fits in one small state (tens of trials), so the host sends it
 * whole on every change and once a second while trials run: no versions, no deltas.
 *
 * Handshake: the webview posts `ready` whenever it (re)loads; the host answers with the state.
 */

// ---- host -> webview -----------------------------------------------------------------------

/** running: trials go on; stopping: Stop was asked, the running trial is ending; done: a verdict; failed: no verdict. */
export type TunePhase = 'running' | 'stopping' | 'done' | 'failed';

/** A setting's value as the tuner tries it (core/tune/settings.ts's TuneSettings, as plain data). */
export type TuneSettingsData = Record<string, number | boolean>;

export interface TuneTrialRow {
  /** Order in which trials ran: the baseline run is 0. */
  index: number;
  /** -1 is the baseline run (the script as written, before the rungs). */
  rung: number;
  /** "num_workers=2 threads=1"; "as written" for the script's own settings. */
  settingsText: string;
  /** True for the script's own settings (the baseline run and each rung's control). */
  asWritten: boolean;
  steps: number;
  /** Steady-state batches/s; null when the trial measured none. */
  batchesPerSec: number | null;
  /** core/tune/result.ts's TrialStatus. */
  status: string;
  statusText: string;
  note: string | null;
  /** The trial's recording folder. */
  recording: string | null;
  durationMs: number;
}

/** The trial running now. */
export interface TuneCurrentTrial {
  index: number;
  rung: number;
  settingsText: string;
  /** Steps it runs before it is stopped; null for the baseline, which runs for a time instead. */
  steps: number | null;
}

/** The script's own speed and the noise band around it: a setting inside the band is not told apart from it. */
export interface TuneBand {
  batchesPerSec: number;
  pct: number;
  /** Repeats of the script's own settings the band was measured from; 0 means an assumed band. */
  runs: number;
}

export interface TuneVerdictData {
  /** core/tune/report.ts's verdictSentence. */
  sentence: string;
  /** The settings Apply writes; empty when the script's own stay best. */
  best: TuneSettingsData;
  gainPct: number | null;
  beyondNoise: boolean;
  /** There are fixes that write `best`: the panel offers Apply. */
  canApply: boolean;
  /** Settings of the best that no fix writes, to set by hand. */
  unwritable: string[];
}

export interface TunePanelState {
  /** The script's file name, e.g. `input_bound.py`. */
  title: string;
  command: string[];
  phase: TunePhase;
  budgetMs: number;
  /** Time since tuning started, when the host sent this state. */
  elapsedMs: number;
  trials: TuneTrialRow[];
  current: TuneCurrentTrial | null;
  band: TuneBand | null;
  verdict: TuneVerdictData | null;
  /** What was not tried, budget remarks, a stop by the user. */
  notes: string[];
  /** Why tuning failed (phase `failed`). */
  error: string | null;
  /** What Apply wrote, or why it wrote nothing; null until Apply was asked. */
  applied: string | null;
}

export interface TuneStateMessage {
  type: 'state';
  state: TunePanelState;
}

export type TuneHostMessage = TuneStateMessage;

// ---- webview -> host (untrusted: validated by parseTuneWebviewMessage) -------------------------

export type TuneWebviewMessage = { type: 'ready' } | { type: 'stop' } | { type: 'apply' };

/** Returns the message when it is well-formed, else undefined. */
export function parseTuneWebviewMessage(raw: unknown): TuneWebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const type = (raw as Record<string, unknown>).type;
  return type === 'ready' || type === 'stop' || type === 'apply' ? { type } : undefined;
}
