import assert from 'node:assert/strict';
import fs from 'node:fs';
import { MAX_BUCKETS } from '../../src/core/view/series-buckets';
import { RunView } from '../../src/core/view/run-view';
import type { StepEvent } from '../../src/protocol/events';
import type { RecordedEvent } from '../../src/protocol/recording';
import type { PanelView } from '../../src/protocol/webview-messages';
import { applyDelta } from '../../src/webview/view-state';
import { isStagedStep, sampleStages, stepsOf } from '../core/sampled-stages';
import { syntheticRun, syntheticSummary } from './synthetic-run';

function fixtureEvents(): RecordedEvent[] {
  return fs
    .readFileSync('test/fixtures/protocol/valid.jsonl', 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedEvent);
}

function viewOf(events: readonly RecordedEvent[]): RunView {
  const view = new RunView('train.py');
  view.add(events);
  return view;
}

/** Independent oracle: batches/s of the steps ending in each bucket [tS[i], tS[i+1]). */
function expectedRates(events: readonly RecordedEvent[], tS: readonly number[]): Array<number | null> {
  const start = events.find((e) => e.type === 'run');
  const hello = events.find((e) => e.type === 'hello');
  const offsetMs = start?.type === 'run' && hello?.type === 'hello' ? hello.timeOriginMs - start.startedAtMs : 0;
  const sums = tS.map(() => ({ steps: 0, ms: 0 }));
  for (const e of events) {
    if (e.type !== 'step') continue;
    const endS = (e.t + e.ms + offsetMs) / 1000;
    let lo = 0;
    let hi = tS.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((tS[mid] as number) <= endS) lo = mid;
      else hi = mid - 1;
    }
    const i = lo;
    const sum = sums[i] as { steps: number; ms: number };
    sum.steps++;
    sum.ms += e.ms;
  }
  return sums.map((s) => (s.steps > 0 ? (s.steps / s.ms) * 1000 : null));
}

/** The steps ending in each bucket [tS[i], tS[i+1]), on the host's clock. */
function stepsByBucket(events: readonly RecordedEvent[], tS: readonly number[]): StepEvent[][] {
  const start = events.find((e) => e.type === 'run');
  const hello = events.find((e) => e.type === 'hello');
  const offsetMs = start?.type === 'run' && hello?.type === 'hello' ? hello.timeOriginMs - start.startedAtMs : 0;
  const buckets = tS.map((): StepEvent[] => []);
  for (const step of stepsOf(events)) {
    const endS = (step.t + step.ms + offsetMs) / 1000;
    let i = 0;
    while (i + 1 < tS.length && (tS[i + 1] as number) <= endS) i++;
    buckets[i]?.push(step);
  }
  return buckets;
}

function assertRates(actual: ReadonlyArray<number | null>, expected: ReadonlyArray<number | null>): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((rate, i) => (rate === null || expected[i] === null ? assert.equal(rate, expected[i], `bucket ${i}`) : near(rate, expected[i] as number, 1e-9)));
}

const near = (actual: number | null | undefined, expected: number, tolerance: number): void =>
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= tolerance, `${actual} not within ${tolerance} of ${expected}`);

describe('RunView', () => {
  it('reads the golden runner fixture', () => {
    const { tables } = viewOf(fixtureEvents()).snapshot().view;
    assert.equal(tables.headline.steps, 3);
    assert.equal(tables.headline.status, 'running');
    assert.equal(tables.headline.stepsNote, 'Steps end at the optimizer step (2 optimizers per step)');
    assert.equal(tables.headline.stepsRecognised, true);
    assert.deepEqual(tables.headline.eval, { passes: 1, batches: 10, ms: 40.5 });
    assert.equal(tables.headline.tokensPerSec, null, 'only one step of three counted its tokens');
    assert.equal(tables.runInfo.runtime, 'CPython 3.11.2');
    assert.equal(tables.runInfo.framework?.name, 'tfjs', 'the latest framework event wins');
    assert.deepEqual(tables.runInfo.notes, ['instrumentation disabled: boom']);
    assert.deepEqual(tables.runInfo.error?.location, { file: '/w/train.py', line: 77, displayPath: 'train.py', why: null });
    assert.equal(tables.hotLines[0]?.displayPath, 'train.py');
    assert.equal(tables.hotLines[0]?.via, 'time:sleep');
    assert.equal(tables.stages.forwardBackwardMerged, true);
    const data = tables.stages.rows.find((r) => r.stage === 'data');
    near(data?.share, (20.1 + 10 + 1) / (41.5 + 30 + 52), 1e-9);
    near(data?.ms, (20.1 + 10 + 1) / 3, 1e-9);
  });

  it('builds per-second series and live tables from steps and telemetry', () => {
    const events = syntheticRun({ seconds: 20, stepsPerSec: 40, exit: false });
    const { series, tables } = viewOf(events).snapshot().view;
    assert.deepEqual([tables.runInfo.sampleHz, tables.runInfo.longRun], [100, { sampleHz: 20, afterS: 60 }]);
    assert.ok(series.tS.length >= 20 && series.tS.length <= 22, `${series.tS.length} buckets`);
    assert.deepEqual(series.tS.slice(0, 3), [0, 1, 2]);
    assertRates(series.batchesPerSec, expectedRates(events, series.tS));
    series.samplesPerSec.forEach((rate, i) => assert.equal(rate, series.batchesPerSec[i] === null ? null : (series.batchesPerSec[i] as number) * 64));
    near(series.batchesPerSec[3], 40, 3);
    near(series.batchesPerSec[series.tS.length - 2], 40 / 1.7, 3);
    for (let i = 0; i < series.tS.length; i++) {
      const shares = Object.values(series.stageShare).map((column) => column[i] ?? null);
      if (shares.every((v) => v !== null)) near(shares.reduce<number>((a, b) => a + (b ?? 0), 0), 1, 1e-9);
    }
    assert.ok(series.gpuUtilPct.filter((v) => v !== null).length >= 19);
    assert.ok(series.rssBytes.some((v) => v !== null && v > 2 * 2 ** 30));
    assert.equal(tables.headline.scope, 'live');
    near(tables.headline.batchesPerSec, 40 / 1.7, 2);
    assert.equal(tables.headline.gpuMemTotalMiB, 40960);
    // The live window is the input-bound second half.
    near(tables.stages.rows.find((r) => r.stage === 'data')?.share, 0.8 / 1.8, 1e-9);
    assert.ok((tables.stages.rows.find((r) => r.stage === 'forward')?.deviceMs ?? 0) > 0);
    assert.equal(tables.hotLines[0]?.displayPath, 'data.py');
    assert.equal(tables.runInfo.hardware?.gpus[0]?.pcieGen, 4);
    assert.deepEqual(tables.runInfo.hardwareCheck, []);
  });

  it('takes per-second stage shares and samples/s, and the live stage table, over the staged steps when the runner timed a sample', () => {
    // Stages (and samples) timed on 10 steps in every 100: two windows a second at 200 steps/s.
    const events = sampleStages(syntheticRun({ seconds: 12, stepsPerSec: 200, exit: false }), 10, 100);
    const { series, tables } = viewOf(events).snapshot().view;
    const byBucket = stepsByBucket(events, series.tS);
    let checked = 0;
    byBucket.forEach((steps, i) => {
      const staged = steps.filter(isStagedStep);
      const stagedMs = staged.reduce((a, s) => a + s.ms, 0);
      if (staged.length === 0) {
        assert.equal(series.stageShare.data?.[i] ?? null, null, `bucket ${i}: no staged step, no share`);
        return;
      }
      near(series.stageShare.data?.[i], staged.reduce((a, s) => a + (s.stages.data ?? 0), 0) / stagedMs, 1e-9);
      near(series.samplesPerSec[i], 64 * (series.batchesPerSec[i] as number), 1e-6);
      checked++;
    });
    assert.ok(checked >= 8, `${checked} buckets with staged steps`);
    const last = stepsOf(events).at(-1) as StepEvent;
    const recent = stepsOf(events).filter((s) => s.t >= last.t + last.ms - 5000);
    assert.deepEqual([tables.stages.steps, tables.stages.stagedSteps], [recent.length, recent.filter(isStagedStep).length]);
    const stagedRecent = recent.filter(isStagedStep);
    near(tables.stages.rows.find((r) => r.stage === 'data')?.share, stagedRecent.reduce((a, s) => a + (s.stages.data ?? 0), 0) / stagedRecent.reduce((a, s) => a + s.ms, 0), 1e-9);
  });

  it('aligns runner and host clocks', () => {
    const { series } = viewOf(syntheticRun({ seconds: 5, stepsPerSec: 10, runnerDelayMs: 2500 })).snapshot().view;
    const firstStep = series.batchesPerSec.findIndex((v) => v !== null);
    assert.equal(series.tS[firstStep], 2, 'the first step ends 2.5 s + 0.3 s after the host started the run');
  });

  it('shows the final summary once set: steady-state figures, findings, ceilings', () => {
    const events = syntheticRun({ seconds: 12, stepsPerSec: 20 });
    const view = viewOf(events);
    const before = view.version;
    view.setSummary(syntheticSummary(events));
    assert.ok(view.version > before);
    const { tables } = view.snapshot().view;
    assert.equal(tables.headline.scope, 'final');
    assert.equal(tables.headline.status, 'completed');
    assert.deepEqual(tables.findings.map((f) => f.code), ['input-bound', 'gpu-underutilized']);
    assert.equal(tables.findings[0]?.locations[0]?.displayPath, 'train.py');
    assert.equal(tables.ceilings?.limitedBy, 'data');
    assert.equal(tables.stages.windowMs, null);
    assert.ok(view.knowsLocation('/home/ada/train/train.py', 31));
    assert.ok(view.knowsLocation('/home/ada/train/data.py', 18), 'hot lines can be opened');
    assert.ok(!view.knowsLocation('/etc/passwd', 1));
  });

  it('shows the live analysis\'s findings while the run goes on, and the final ones after', () => {
    const events = syntheticRun({ seconds: 12, stepsPerSec: 20 });
    const view = viewOf(events);
    const final = syntheticSummary(events);
    const before = view.version;
    view.setLiveFindings(final.findings.slice(0, 1));
    const delta = view.deltaSince(before);
    assert.deepEqual(delta?.tables.findings?.map((f) => f.code), ['input-bound']);
    assert.equal(view.snapshot().view.tables.headline.scope, 'live');
    view.setSummary(final);
    view.setLiveFindings([]);
    assert.deepEqual(view.snapshot().view.tables.findings.map((f) => f.code), ['input-bound', 'gpu-underutilized'], 'a late live analysis does not replace the final findings');
  });

  it('bumps the version only on changes', () => {
    const view = viewOf(syntheticRun({ seconds: 3, stepsPerSec: 10 }));
    const version = view.version;
    view.add([]);
    view.add([{ type: 'bye', reason: 'exit', steps: 20 }]);
    assert.equal(view.version, version);
    assert.equal(view.deltaSince(version), null);
    assert.throws(() => view.deltaSince(version + 1), RangeError);
  });

  it('snapshot at v1 plus the delta to v2 equals the snapshot at v2, chunk by chunk', () => {
    const events = syntheticRun({ seconds: 30, stepsPerSec: 25 });
    // Telemetry arriving late (out of order) reopens an older bucket; a stage first seen mid-run adds a column.
    const late = events.findIndex((e) => e.type === 'telemetry' && e.t === 5000);
    const [lateSample] = events.splice(late, 1);
    events.splice(events.length - 300, 0, lateSample as RecordedEvent);
    const midRun = events.length - 200;
    events.splice(midRun, 0, { type: 'step', index: 99_999, t: 25_000, ms: 40, samples: 64, stages: { forwardBackward: 30, data: 10 } });
    const view = new RunView('train.py');
    let shown: PanelView = view.snapshot().view;
    let deltas = 0;
    for (let i = 0, chunk = 1; i < events.length; i += chunk, chunk = (chunk * 7) % 97 + 1) {
      view.add(events.slice(i, i + chunk));
      const delta = view.deltaSince(shown.version);
      if (!delta) continue;
      deltas++;
      const next = applyDelta(shown, delta);
      assert.ok(next, 'the delta applies to the version it was computed from');
      shown = next;
      if (deltas % 5 === 0) assert.deepEqual(shown, view.snapshot().view);
    }
    view.setSummary(syntheticSummary(events));
    shown = applyDelta(shown, view.deltaSince(shown.version) ?? assert.fail('summary is a change')) ?? assert.fail('applies');
    assert.deepEqual(shown, view.snapshot().view);
    assert.ok(deltas > 10, `${deltas} deltas`);
  });

  it('sends only the changed tail of the series', () => {
    const events = syntheticRun({ seconds: 60, stepsPerSec: 10, exit: false });
    const view = viewOf(events.slice(0, -40));
    const version = view.version;
    view.add(events.slice(-40));
    const delta = view.deltaSince(version);
    assert.ok(delta?.series);
    assert.ok(delta.series.from > 50, `from ${delta.series.from}`);
    assert.ok(delta.series.columns.tS.length < 10);
    assert.equal(delta.tables.findings, undefined, 'unchanged tables are not resent');
  });

  it('keeps memory bounded on long runs and merges old buckets exactly', () => {
    // 3 h at 10 steps/s: ~108k steps and ~11k telemetry samples, fed in chunks as a recording would be.
    const events = syntheticRun({ seconds: 3 * 3600, stepsPerSec: 10 });
    const view = new RunView('long');
    let shown = view.snapshot().view;
    for (let i = 0; i < events.length; i += 5000) {
      view.add(events.slice(i, i + 5000));
      shown = applyDelta(shown, view.deltaSince(shown.version) ?? assert.fail('changed')) ?? assert.fail('applies');
    }
    const { series } = view.snapshot().view;
    assert.deepEqual(shown.series, series);
    assert.ok(series.tS.length <= MAX_BUCKETS, `${series.tS.length} buckets`);
    assert.equal(series.tS[0], 0);
    assert.ok((series.tS[series.tS.length - 1] ?? 0) > 3 * 3600 - 5);
    assertRates(series.batchesPerSec, expectedRates(events, series.tS));
    const gaps = series.tS.slice(1).map((t, i) => t - (series.tS[i] as number));
    assert.ok((gaps[0] ?? 0) > 1, 'old buckets are coarser');
    assert.equal(gaps[gaps.length - 1], 1, 'recent buckets stay at 1 s');
  });
});
