/**
 * A tuning run: the baseline (the command as written), then successive halving over the
 * candidates the baseline's facts allow (core/tune), each trial a recorded run with its settings
 * applied by the runner. Trials run one at a time: two at once would share the cores they measure.
 */
import os from 'node:os';
import path from 'node:path';
import { tuneCandidates } from '../../core/tune/candidates';
import { fixesForSettings } from '../../core/tune/fixes';
import type { TuneOutcome } from '../../core/tune/report';
import { judge, promote, type TrialResult } from '../../core/tune/result';
import { finalRungSteps, halvingSchedule, minTrialSteps, survivorsAfter, trialMs } from '../../core/tune/schedule';
import { isBaseline, type TuneSettings } from '../../core/tune/settings';
import type { RunSummary } from '../../core/summary';
import { availableCores } from '../analysis';
import { isPythonExecutable } from '../launch/python';
import type { RunRequest } from '../run-session';
import { startTrial, type TrialHandle } from './trial';

export const DEFAULT_BUDGET_S = 300;
/** The baseline's steady-state measurement: this share of the budget, within the bounds below. */
const BASELINE_SHARE = 0.08;
const BASELINE_MIN_MS = 3000;
const BASELINE_MAX_MS = 30_000;
/** A trial costs at least this beyond its steps: a process starts and is stopped. */
const MIN_OVERHEAD_MS = 1000;
/** No step for this long (start-up included) is a hang, however short the trial. */
const MIN_STALL_MS = 60_000;

export interface TuneRequest {
  run: RunRequest;
  budgetMs: number;
  /** Called as each trial starts and ends (the baseline is rung -1). */
  onTrialStart?: (settings: TuneSettings, rung: number, steps: number | null) => void;
  onTrialEnd?: (trial: TrialResult) => void;
}

export interface Tuning {
  /** Ends tuning: the running trial is stopped, and the outcome keeps what was measured. */
  stop(): void;
  readonly outcome: Promise<TuneOutcome>;
}

export class TuneError extends Error {
  readonly category = 'tune';
}

export function startTuning(request: TuneRequest): Tuning {
  let stopped = false;
  let current: TrialHandle | undefined;
  const outcome = tune(request, () => stopped, (handle) => (current = handle));
  return {
    stop: () => {
      stopped = true;
      current?.stop();
    },
    outcome,
  };
}

async function tune(request: TuneRequest, isStopped: () => boolean, setCurrent: (h: TrialHandle) => void): Promise<TuneOutcome> {
  if (!isPythonExecutable(request.run.command[0] ?? '')) {
    throw new TuneError('tune tries PyTorch settings, which the Python runner applies: give it a python command (python train.py …)');
  }
  const startedMs = Date.now();
  const loadAtStart = loadAverage();
  const elapsed = (): number => Date.now() - startedMs;
  const run: RunRequest = { ...request.run, runsDir: path.join(request.run.runsDir, `tune-${new Date(startedMs).toISOString().replace(/[:.]/g, '-')}`) };
  const notes: string[] = [];

  request.onTrialStart?.({}, -1, null);
  const baselineMs = Math.min(BASELINE_MAX_MS, Math.max(BASELINE_MIN_MS, request.budgetMs * BASELINE_SHARE));
  const baselineHandle = await startTrial(run, {}, -1, { afterFirstStepMs: baselineMs, stallMs: MIN_STALL_MS });
  setCurrent(baselineHandle);
  const { result: baseline, summary } = await baselineHandle.result;
  request.onTrialEnd?.(baseline);
  if (baseline.batchesPerSec === null || summary === null) {
    if (isStopped()) throw new TuneError('tuning was stopped before the baseline run measured its speed');
    throw new TuneError(`the baseline run measured no steady-state steps (${baseline.status}${baseline.note ? `: ${baseline.note}` : ''}), so there is nothing to compare settings with`);
  }
  const rate = baseline.batchesPerSec;
  const overheads = new Overheads(baseline);
  const { candidates, notes: candidateNotes } = tuneCandidates(factsOf(summary));
  notes.push(...candidateNotes);

  const trials: TrialResult[] = [];
  let contenders = candidates.filter((c) => !isBaseline(c));
  let previousSteps = 0;
  for (let rung = 0; contenders.length > 0 && !isStopped(); rung++) {
    const left = request.budgetMs - elapsed();
    let plan = halvingSchedule({ contenders: contenders.length, budgetMs: left, trialOverheadMs: overheads.ms, batchesPerSec: rate, floorSteps: previousSteps });
    if (plan.contenders < contenders.length) {
      // Past rung 0 the survivors have earned their place: the budget decides the last rung early instead.
      const kept = rung === 0 ? plan.contenders : 1;
      notes.push(`the budget held ${kept} of ${contenders.length} settings in rung ${rung}${rung === 0 ? ': the rest were not tried' : ': the fastest went straight to the last rung'}`);
      contenders = contenders.slice(0, kept);
      plan = halvingSchedule({ contenders: kept, budgetMs: left, trialOverheadMs: overheads.ms, batchesPerSec: rate, floorSteps: rung === 0 ? 0 : previousSteps });
    }
    const final = contenders.length === 1;
    // Each rung as long as the budget left allows for the rest; the last one takes what is left.
    const steps = final ? finalRungSteps(left, overheads.ms, rate) : (plan.rungs[0]?.steps ?? minTrialSteps(rate));
    previousSteps = steps;
    const rungTrials: TrialResult[] = [];
    // The control first: the contenders' trials follow it as the machine's load drifts (and, in the
    // last rung, it runs again after the contender).
    for (const settings of final ? [{}, contenders[0]!, {}] : [{}, ...contenders]) {
      if (isStopped()) break;
      // The last rung always runs: it alone compares the best with the baseline side by side.
      if (!final && elapsed() + trialMs(steps, rate, overheads.ms) > request.budgetMs) {
        notes.push(`the budget ran out in rung ${rung}: ${describeLeft(rungTrials.length, contenders.length + 1)}`);
        break;
      }
      request.onTrialStart?.(settings, rung, steps);
      const stallMs = Math.max(MIN_STALL_MS, 3 * trialMs(steps, rate, overheads.ms));
      const handle = await startTrial(run, settings, rung, { steps, stallMs });
      setCurrent(handle);
      const { result } = await handle.result;
      rungTrials.push(result);
      trials.push(result);
      overheads.add(result);
      request.onTrialEnd?.(result);
    }
    if (final || rungTrials.length < contenders.length + 1) break;
    contenders = promote(rungTrials, survivorsAfter(contenders.length));
  }
  if (isStopped()) notes.push('tuning was stopped before its budget was spent: the verdict is from what was measured');

  const verdict = judge({ batchesPerSec: rate, steps: baseline.steps }, trials);
  const { fixes, unwritable } = fixesForSettings(verdict.best);
  return {
    script: summary.script,
    baseline: { settings: {}, batchesPerSec: rate, steps: baseline.steps, recording: baseline.recording },
    trials,
    verdict,
    fixes,
    unwritable,
    fixTarget: fixTargetOf(summary),
    notes,
    load: loadAtStart === null ? null : { start: loadAtStart, end: loadAverage() ?? loadAtStart, cores: availableCores() },
    budgetMs: request.budgetMs,
    elapsedMs: elapsed(),
  };
}

/** The 1-minute load average: trials share the machine with whatever else runs (null where the OS has none). */
function loadAverage(): number | null {
  const [oneMinute] = os.loadavg();
  return process.platform === 'win32' || oneMinute === undefined ? null : oneMinute;
}

/**
 * What a trial costs beyond its steps (start-up: imports, data set-up; and the stop), as measured so
 * far: the mean over the trials that measured a rate, each one's wall time less its steps' time.
 */
class Overheads {
  private readonly measured: number[] = [];

  constructor(baseline: TrialResult) {
    this.add(baseline);
  }

  add(trial: TrialResult): void {
    if (trial.batchesPerSec !== null && trial.batchesPerSec > 0) this.measured.push(trial.durationMs - (trial.steps / trial.batchesPerSec) * 1000);
  }

  get ms(): number {
    return Math.max(MIN_OVERHEAD_MS, this.measured.reduce((a, b) => a + b, 0) / Math.max(1, this.measured.length));
  }
}

/** Loader settings are written at the first DataLoader call; others in the script. */
function fixTargetOf(summary: RunSummary): TuneOutcome['fixTarget'] {
  const loader = summary.loaders[0];
  const file = loader?.file ?? summary.script;
  if (!file) return null;
  return { file, line: loader?.line ?? null, torchVersion: summary.framework === 'pytorch' ? summary.frameworkVersion : null, cuda: summary.device === 'cuda' };
}

function factsOf(summary: RunSummary) {
  const input = summary.findings.find((f) => f.code === 'input-bound');
  return {
    framework: summary.framework,
    cores: availableCores(),
    device: summary.device,
    loaders: summary.loaders,
    ...(input?.evidence.suggestedWorkers !== undefined && { suggestedWorkers: input.evidence.suggestedWorkers }),
  };
}

function describeLeft(done: number, planned: number): string {
  return `${done} of its ${planned} trials ran`;
}
