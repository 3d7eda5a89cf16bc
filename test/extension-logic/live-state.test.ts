import assert from 'node:assert/strict';
import { RunAggregator } from '../../src/core/aggregator';
import { LiveState, liveAnalysisReady, liveFindings, MIN_LIVE_STEADY_STEPS, type LiveHooks } from '../../src/core/editor-view/live-state';
import { analyzeRun } from '../../src/core/findings';
import { SHAPES, loadShape } from '../findings/shape-fixture';
import type { RecordedEvent, TelemetryEvent } from '../../src/protocol/recording';

function telemetry(gpuUtils: Array<number | null>, cpuPct: number): TelemetryEvent {
  const gpu = (utilPct: number | null, index: number) => ({ index, utilPct, memUtilPct: null, memUsedMiB: null, memTotalMiB: null, powerW: null, smClockMHz: null, tempC: null, pcieGen: null, pcieWidth: null });
  return { type: 'telemetry', t: 0, proc: { cpuPct, rssBytes: 1, processes: 1 }, system: { cpuPct: 50, memUsedBytes: 1, memTotalBytes: 2 }, gpus: gpuUtils.map(gpu) };
}

function recorder(): { state: LiveState; calls: string[]; seen: RecordedEvent[] } {
  const calls: string[] = [];
  const seen: RecordedEvent[] = [];
  const hooks: LiveHooks = { changed: () => calls.push('changed'), linesArrived: () => calls.push('lines'), stepsArrived: () => calls.push('steps') };
  return { state: new LiveState({ add: (events) => seen.push(...events) }, hooks), calls, seen };
}

describe('live state', () => {
  it('shows the latest GPU use (mean over cards) with the aggregator\'s recent figures', () => {
    const aggregator = new RunAggregator();
    const { state } = recorder();
    const events: RecordedEvent[] = [
      { type: 'step', index: 0, t: 0, ms: 100, stages: { data: 25, forward: 75 } },
      { type: 'step', index: 1, t: 100, ms: 100, stages: { data: 25, forward: 75 } },
      telemetry([10, 30], 400),
      telemetry([80, 90, null], 120),
    ];
    for (const e of events) aggregator.add(e);
    state.add(events);
    const figures = state.figures(aggregator.live());
    assert.equal(figures.steps, 2);
    assert.equal(figures.batchesPerSec, 10);
    assert.equal(figures.gpuUtilPct, 85);
    assert.equal(figures.cpuPct, 120);
    assert.equal(figures.stageShares.data, 0.25);
  });

  it('feeds the view every batch and asks for heat and findings only when their inputs arrived', () => {
    const { state, calls, seen } = recorder();
    state.add([{ type: 'log', level: 'info', message: 'x' }]);
    state.add([{ type: 'lines', t: 0, periodMs: 250, samples: 3, entries: [] }]);
    state.add([{ type: 'step', index: 0, t: 0, ms: 1, stages: {} }]);
    assert.deepEqual(calls, ['changed', 'changed', 'lines', 'changed', 'steps']);
    assert.equal(seen.length, 3);
  });

  it('has no GPU figure before the first telemetry sample', () => {
    assert.equal(recorder().state.figures(new RunAggregator().live()).gpuUtilPct, null);
  });

  it('waits for the warm-up to end and enough steps after it before a live analysis', () => {
    assert.equal(liveAnalysisReady({ steps: MIN_LIVE_STEADY_STEPS - 1, warmupSteps: 0 }), false);
    assert.equal(liveAnalysisReady({ steps: MIN_LIVE_STEADY_STEPS, warmupSteps: 0 }), true);
    // 10 of 50 steps is the detector's cap (a fifth): the slow steps may go on, so wait.
    assert.equal(liveAnalysisReady({ steps: 50, warmupSteps: 10 }), false);
    assert.equal(liveAnalysisReady({ steps: 60, warmupSteps: 10 }), true);
  });

  it('on recorded runs, every live analysis shows only findings the final one has, at the same severity', () => {
    for (const name of SHAPES) {
      const shape = loadShape(name);
      const final = new Set(shape.summary.findings.map((f) => `${f.code}/${f.severity}`));
      const aggregator = new RunAggregator();
      let analyses = 0;
      for (const event of shape.events) {
        aggregator.add(event);
        if (event.type !== 'step') continue;
        const summary = aggregator.summary(shape.summary.recording);
        if (!liveAnalysisReady(summary)) continue;
        analyses++;
        const live = liveFindings(analyzeRun({ ...shape.facts, summary, steps: aggregator.steps, telemetry: aggregator.telemetrySamples }));
        for (const f of live) assert.ok(final.has(`${f.code}/${f.severity}`), `${name} after ${summary.steps} steps: live ${f.code}/${f.severity}, final ${[...final].join(', ')}`);
      }
      // Runs too short for a steady state (lbfgs's 6 steps, no-anchor's none) are never analysed live.
      if (shape.summary.steps - shape.summary.warmupSteps >= MIN_LIVE_STEADY_STEPS + 5) assert.ok(analyses > 0, `${name} was analysed live`);
    }
  });
});
