import assert from 'node:assert/strict';
import { RunAggregator } from '../../src/core/aggregator';
import { LiveState, type LiveHooks } from '../../src/core/editor-view/live-state';
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
});
