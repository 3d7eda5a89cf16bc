/** The tuning panel's view model and chart data, fed the tuner's callbacks in the order it makes them. */
import assert from 'node:assert/strict';
import { noiseBand } from '../../src/core/compare';
import { SETTING_DEFAULTS, SETTING_LIMITS } from '../../src/core/editor-view/settings-defaults';
import { tuneBudgetSeconds } from '../../src/core/tune/budget-setting';
import { fixesForSettings } from '../../src/core/tune/fixes';
import { verdictSentence, type TuneOutcome } from '../../src/core/tune/report';
import { judge, type TrialResult } from '../../src/core/tune/result';
import type { TuneSettings } from '../../src/core/tune/settings';
import { rungReference, secondsLeft, tuneChartData } from '../../src/core/tune/tune-chart';
import { TuneViewModel } from '../../src/core/tune/tune-view';
import { DEFAULT_BUDGET_S } from '../../src/host/tune/tuner';
import { parseTuneWebviewMessage } from '../../src/protocol/tune-messages';

const T0 = 1_000_000;

function trial(settings: TuneSettings, rung: number, batchesPerSec: number | null, status: TrialResult['status'] = 'measured', steps = 100): TrialResult {
  return { settings, rung, steps, batchesPerSec, status, note: status === 'failed' ? 'exit 1' : null, recording: `/runs/tune/${rung}-${JSON.stringify(settings)}`, durationMs: 4000 };
}

/** A baseline, one rung of two contenders (one crashes), a last rung control–contender–control. */
const BASELINE = trial({}, -1, 50, 'measured', 300);
const RUNG0 = [trial({}, 0, 52), trial({ numWorkers: 2 }, 0, 98), trial({ numWorkers: 1, numThreads: 1 }, 0, null, 'failed')];
const RUNG1 = [trial({}, 1, 49, 'measured', 200), trial({ numWorkers: 2 }, 1, 101, 'measured', 200), trial({}, 1, 51, 'measured', 200)];

function drive(model: TuneViewModel, trials: readonly TrialResult[]): void {
  for (const t of trials) {
    model.trialStarted(t.settings, t.rung, t.rung < 0 ? null : t.steps);
    const state = model.state(T0);
    assert.equal(state.current?.index, state.trials.length, 'the running trial is numbered after those that ended');
    model.trialEnded(t);
  }
}

function outcomeOf(trials: TrialResult[], notes: string[] = []): TuneOutcome {
  const verdict = judge({ batchesPerSec: BASELINE.batchesPerSec, steps: BASELINE.steps }, trials);
  const { fixes, unwritable } = fixesForSettings(verdict.best);
  return {
    script: '/w/train.py',
    baseline: { settings: {}, batchesPerSec: BASELINE.batchesPerSec, steps: BASELINE.steps, recording: BASELINE.recording },
    trials,
    verdict,
    fixes,
    unwritable,
    fixTarget: { file: '/w/train.py', line: 30, torchVersion: '1.13.1', cuda: false },
    notes,
    load: null,
    budgetMs: 60_000,
    elapsedMs: 50_000,
  };
}

describe('tuning panel view model', () => {
  it('lists each trial as it ends, with the one running, the time left and the band of the script’s own runs', () => {
    const model = new TuneViewModel('train.py', ['python', 'train.py'], 60_000, T0);
    model.trialStarted({}, -1, null);
    let state = model.state(T0 + 2_000);
    assert.deepEqual(state.current, { index: 0, rung: -1, settingsText: 'as written', steps: null });
    assert.equal(state.elapsedMs, 2_000);
    assert.equal(state.band, null);
    model.trialEnded(BASELINE);
    drive(model, RUNG0);
    state = model.state(T0 + 21_400);
    assert.equal(state.phase, 'running');
    assert.equal(secondsLeft(state.budgetMs, state.elapsedMs), 39);
    assert.deepEqual(
      state.trials.map((r) => [r.index, r.rung, r.settingsText, r.batchesPerSec, r.statusText, r.asWritten]),
      [
        [0, -1, 'as written', 50, 'measured', true],
        [1, 0, 'as written', 52, 'measured', true],
        [2, 0, 'num_workers=2', 98, 'measured', false],
        [3, 0, 'num_workers=1 threads=1', null, 'failed', false],
      ],
    );
    assert.equal(state.trials[3]?.note, 'exit 1');
    const band = noiseBand([50, 52]);
    assert.deepEqual(state.band, { batchesPerSec: 51, pct: band.pct, runs: band.runs });
  });

  it('a trial that did not run its settings keeps its row but no rate, as the verdict ignores it', () => {
    const model = new TuneViewModel('train.py', [], 60_000, T0);
    model.trialStarted({ numWorkers: 2 }, 0, 100);
    model.trialEnded({ ...trial({ numWorkers: 2 }, 0, 80), status: 'not-applied', note: 'the loader kept num_workers=0' });
    const row = model.state(T0).trials[0];
    assert.equal(row?.batchesPerSec, null);
    assert.equal(row?.statusText, 'not applied');
  });

  it('ends with the verdict, its band and Apply when a fix writes the best; the clock stops', () => {
    const model = new TuneViewModel('train.py', [], 60_000, T0);
    drive(model, [BASELINE, ...RUNG0, ...RUNG1]);
    model.stopping();
    assert.equal(model.state(T0).phase, 'stopping');
    const outcome = outcomeOf([...RUNG0, ...RUNG1]);
    model.finished(outcome, T0 + 50_000);
    const state = model.state(T0 + 90_000);
    assert.equal(state.phase, 'done');
    assert.equal(state.elapsedMs, 50_000, 'time stops when tuning ends');
    assert.equal(state.current, null);
    assert.equal(state.verdict?.sentence, verdictSentence(outcome.verdict));
    assert.deepEqual(state.verdict?.best, { numWorkers: 2 });
    assert.equal(state.verdict?.canApply, true);
    assert.deepEqual(state.band, { batchesPerSec: 50, pct: outcome.verdict.noiseBandPct, runs: outcome.verdict.noiseRuns });
    model.setApplied('Applied DataLoader num_workers=2.');
    assert.equal(model.state(T0).applied, 'Applied DataLoader num_workers=2.');
  });

  it('offers no Apply when the script’s own settings stay best', () => {
    const model = new TuneViewModel('train.py', [], 60_000, T0);
    const flat = [trial({}, 0, 48), trial({ numWorkers: 2 }, 0, 50.5), trial({}, 0, 51.5)];
    drive(model, [BASELINE, ...flat]);
    model.finished(outcomeOf(flat, ['tuning was stopped before its budget was spent: the verdict is from what was measured']), T0 + 10_000);
    const state = model.state(T0);
    assert.equal(state.verdict?.canApply, false);
    assert.deepEqual(state.verdict?.best, {});
    assert.match(state.verdict?.sentence ?? '', /^No setting beyond noise/);
    assert.equal(state.notes.length, 1);
  });

  it('a failure is shown with its message and no verdict', () => {
    const model = new TuneViewModel('train.py', [], 60_000, T0);
    model.trialStarted({}, -1, null);
    model.failed('tuning was stopped before the baseline run measured its speed', T0 + 3_000);
    const state = model.state(T0 + 9_000);
    assert.equal(state.phase, 'failed');
    assert.equal(state.elapsedMs, 3_000);
    assert.equal(state.verdict, null);
    assert.match(state.error ?? '', /stopped before the baseline/);
  });
});

describe('tuning chart data', () => {
  it('one point per trial with a rate, the script’s own settings apart, rung boundaries and the band', () => {
    const model = new TuneViewModel('train.py', [], 60_000, T0);
    drive(model, [BASELINE, ...RUNG0, ...RUNG1]);
    const state = model.state(T0);
    const chart = tuneChartData(state.trials, state.band);
    assert.deepEqual(chart.x, [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(chart.asWritten, [50, 52, null, null, 49, null, 51]);
    assert.deepEqual(chart.tried, [null, null, 98, null, null, 101, null]);
    assert.equal(chart.points, 6, 'the failed trial has no point');
    assert.deepEqual(chart.rungBreaks, [0.5, 3.5]);
    const band = state.band!;
    assert.deepEqual(chart.band, { low: band.batchesPerSec * (1 - band.pct / 100), high: band.batchesPerSec * (1 + band.pct / 100), mid: band.batchesPerSec });
  });

  it('each rung’s own reference is the mean of its controls', () => {
    const model = new TuneViewModel('train.py', [], 60_000, T0);
    drive(model, [BASELINE, ...RUNG0, ...RUNG1]);
    const rows = model.state(T0).trials;
    assert.equal(rungReference(rows, -1), 50);
    assert.equal(rungReference(rows, 0), 52);
    assert.equal(rungReference(rows, 1), 50);
    assert.equal(rungReference(rows, 2), null);
  });

  it('nothing to plot before the first trial ends', () => {
    assert.deepEqual(tuneChartData([], null), { x: [], asWritten: [], tried: [], rungBreaks: [], rungs: [], band: null, points: 0 });
  });
});

describe('tune budget setting', () => {
  it('defaults to the tuner’s own budget', () => {
    assert.equal(SETTING_DEFAULTS['tune.budgetSeconds'], DEFAULT_BUDGET_S);
  });

  it('takes a number within its limits, else the default with the reason', () => {
    const limits = SETTING_LIMITS['tune.budgetSeconds']!;
    assert.deepEqual(tuneBudgetSeconds(45), { seconds: 45, problem: null });
    assert.deepEqual(tuneBudgetSeconds(limits.min), { seconds: limits.min, problem: null });
    for (const bad of [limits.min - 1, limits.max + 1, '60', null, Number.NaN]) {
      const read = tuneBudgetSeconds(bad);
      assert.equal(read.seconds, DEFAULT_BUDGET_S, String(bad));
      assert.match(read.problem ?? '', /trainlens\.tune\.budgetSeconds: must be a number from 10 to 86400/);
    }
  });
});

describe('tuning panel messages from the webview', () => {
  it('accepts ready, stop and apply only', () => {
    assert.deepEqual(parseTuneWebviewMessage({ type: 'stop', extra: 1 }), { type: 'stop' });
    assert.deepEqual(parseTuneWebviewMessage({ type: 'apply' }), { type: 'apply' });
    assert.deepEqual(parseTuneWebviewMessage({ type: 'ready' }), { type: 'ready' });
    for (const bad of [null, 'stop', { type: 'open', file: '/etc/passwd', line: 1 }, {}]) assert.equal(parseTuneWebviewMessage(bad), undefined);
  });
});
