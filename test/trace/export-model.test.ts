/** The export writers, on small event lists: what goes on which track, and the speedscope stacks. */
import assert from 'node:assert/strict';
import type { RecordedEvent } from '../../src/protocol/recording';
import { toChromeTrace } from '../../src/core/trace/chrome-trace';
import { toSpeedscope } from '../../src/core/trace/speedscope';
import { speedscopeProblems } from './speedscope-schema';

function rankEvents(rank: number, stepMs: number, originMs = 1_000_000): RecordedEvent[] {
  return [
    { type: 'run', format: 2, id: `r${rank}`, command: [], cwd: '/w', startedAtMs: originMs + 500, sampleHz: 100 },
    { type: 'hello', v: 1, token: '', runner: 'python', pid: 10 + rank, runtime: 'cpython', script: '/w/train.py', argv: [], cwd: '/w', sampleHz: 100, timeOriginMs: originMs },
    { type: 'step', index: 0, t: 600, ms: stepMs, stages: { data: 1, forward: 2, backward: 3, optimizer: 1, other: stepMs - 7 } },
    { type: 'step', index: 1, t: 600 + stepMs, ms: stepMs, stages: { data: 1, forward: 2, backward: 3, optimizer: 1, other: stepMs - 7 } },
    { type: 'telemetry', t: 200, proc: { cpuPct: 95, rssBytes: 512 * 1024 * 1024, processes: 1 }, system: { cpuPct: 50, memUsedBytes: 0, memTotalBytes: 1 }, gpus: [{ index: 0, utilPct: 80, memUtilPct: null, memUsedMiB: 1000, memTotalMiB: 8000, powerW: null, smClockMHz: null, tempC: null, pcieGen: null, pcieWidth: null }] },
    {
      type: 'lines',
      t: 700,
      periodMs: 20,
      samples: 2,
      entries: [
        { file: '/w/train.py', line: 12, stage: 'forward', count: 1, ms: 12.5, fn: 'step', path: ['torch.nn.modules.module:_call_impl', 'torch.nn.functional:linear'] },
        { file: '/w/train.py', line: 7, stage: 'data', count: 1, fn: 'load' },
      ],
    },
  ];
}

describe('export writers', () => {
  it('chrome trace: a process per rank on one clock, steps then their stages on the main thread, telemetry on the run clock', () => {
    const trace = toChromeTrace([
      { label: 'train.py', rank: 0, events: rankEvents(0, 10) },
      // Rank 1's runner started its clock 100 ms after rank 0's: one clock for both.
      { label: 'train.py', rank: 1, events: rankEvents(1, 12, 1_000_100) },
    ]);
    const names = trace.traceEvents.filter((e) => e.name === 'process_name').map((e) => [e.pid, e.args?.name]);
    assert.deepEqual(names, [
      [0, 'rank 0: train.py'],
      [1, 'rank 1: train.py'],
    ]);
    const rank1 = trace.traceEvents.filter((e) => e.pid === 1 && e.ph === 'X');
    assert.deepEqual(
      rank1.map((e) => [e.name, e.ts, e.dur]),
      [
        ['step 0', 700_000, 12_000],
        ['data', 700_000, 1000],
        ['forward', 701_000, 2000],
        ['backward', 703_000, 3000],
        ['optimizer', 706_000, 1000],
        ['other', 707_000, 5000],
        ['step 1', 712_000, 12_000],
        ['data', 712_000, 1000],
        ['forward', 713_000, 2000],
        ['backward', 715_000, 3000],
        ['optimizer', 718_000, 1000],
        ['other', 719_000, 5000],
      ],
    );
    // Telemetry's t counts from the run's start, 500 ms after the runner's time origin.
    const cpu = trace.traceEvents.find((e) => e.pid === 0 && e.name === 'CPU %');
    assert.deepEqual([cpu?.ph, cpu?.ts, cpu?.args], ['C', 700_000, { process: 95, system: 50 }]);
    assert.deepEqual(trace.traceEvents.find((e) => e.name === 'Memory MiB')?.args, { rss: 512, system: 0 });
    assert.deepEqual(trace.traceEvents.find((e) => e.name === 'GPU 0 util %')?.args, { util: 80 });
  });

  it('chrome trace: an unstaged step is its step slice alone, marked as not timed by stage', () => {
    const events = rankEvents(0, 10).map((e) => (e.type === 'step' && e.index === 1 ? { type: 'step' as const, index: 1, t: e.t, ms: 9, stages: {} } : e));
    const slices = toChromeTrace([{ label: 'train.py', rank: null, events }]).traceEvents.filter((e) => e.ph === 'X');
    assert.deepEqual(
      slices.map((e) => [e.name, e.ts, e.dur]),
      [['step 0', 600_000, 10_000], ['data', 600_000, 1000], ['forward', 601_000, 2000], ['backward', 603_000, 3000], ['optimizer', 606_000, 1000], ['other', 607_000, 3000], ['step 1', 610_000, 9000]],
    );
    assert.deepEqual([slices[0]?.args?.stagesTimed, slices[6]?.args?.stagesTimed], [undefined, false]);
  });

  it('speedscope: stage → line → library frames, weighed in ms, valid against the schema', () => {
    const file = toSpeedscope('train.py', [{ label: 'train.py', rank: null, events: rankEvents(0, 10) }]);
    assert.deepEqual(speedscopeProblems(file), []);
    const profile = file.profiles[0]!;
    const stacks = profile.samples.map((stack) => stack.map((i) => file.shared.frames[i]!.name));
    assert.deepEqual(stacks, [
      ['[forward]', 'step (train.py:12)', 'torch.nn.modules.module:_call_impl', 'torch.nn.functional:linear'],
      ['[data]', 'load (train.py:7)'],
    ]);
    // An entry without ms stands for its share of the batch's period: 1 of 2 samples over 20 ms.
    assert.deepEqual(profile.weights, [12.5, 10]);
    assert.equal(profile.endValue, 22.5);
    assert.deepEqual(file.shared.frames[1], { name: 'step (train.py:12)', file: '/w/train.py', line: 12 });
  });
});
