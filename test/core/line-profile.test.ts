import assert from 'node:assert/strict';
import { RunAggregator } from '../../src/core/aggregator';
import { hoverMarkdown, inlineText } from '../../src/core/editor-view/heat';
import { LineProfile } from '../../src/core/line-profile';
import { startupSentence, withStartupCode } from '../../src/core/startup';
import { RunView } from '../../src/core/view/run-view';
import type { LineEntry, LinesEvent } from '../../src/protocol/events';
import { RECORDING_FORMAT } from '../../src/protocol/recording';

const TRAIN = '/work/project/train.py';

function batch(periodMs: number, samples: number, entries: LineEntry[]): LinesEvent {
  return { type: 'lines', t: 0, periodMs, samples, entries };
}

function entry(line: number, stage: LineEntry['stage'], count: number, ms?: number, path?: string[]): LineEntry {
  return { file: TRAIN, line, stage, count, fn: 'main', ...(ms === undefined ? {} : { ms }), ...(path ? { path } : {}) };
}

function profileOf(...batches: LinesEvent[]): LineProfile {
  const profile = new LineProfile();
  for (const b of batches) profile.add(b);
  return profile;
}

describe('line profile', () => {
  it('weighs lines by the wall time their samples stand for, not by how many there are', () => {
    // Two samples that each waited out a long GIL-holding call outweigh fifteen short ones.
    const profile = profileOf(batch(1000, 20, [entry(10, 'data', 2, 600), entry(20, 'forward', 15, 300), entry(30, 'other', 3, 100)]));
    const lines = profile.hotLines(10);
    assert.deepEqual(lines.map((l) => [l.line, l.share, l.ms, l.samples]), [[10, 0.6, 600, 2], [20, 0.3, 300, 15], [30, 0.1, 100, 3]]);
  });

  it('splits a line by stage and picks its call path by time', () => {
    const profile = profileOf(
      batch(1000, 10, [entry(10, 'data', 1, 750, ['torch:collate']), entry(10, 'forward', 9, 250, ['torch:linear'])]),
    );
    const [line] = profile.hotLines(1);
    assert.deepEqual([line?.stage, line?.stageShares, line?.path], ['data', { data: 0.75, forward: 0.25 }, ['torch:collate']]);
  });

  it('keeps start-up out of the hot lines and their shares once the run has samples from steps', () => {
    const profile = profileOf(
      batch(1000, 10, [entry(3, 'startup', 8, 800), entry(40, 'startup', 1, 100)]),
      batch(1000, 10, [entry(40, 'data', 3, 300), entry(50, 'forward', 6, 600)]),
    );
    const lines = profile.hotLines(10);
    // 2000 ms sampled, 900 of them start-up: shares are of the 1100 ms left.
    assert.deepEqual(lines.map((l) => [l.line, l.share, l.ms, l.stageShares]), [[50, 600 / 1100, 600, { forward: 1 }], [40, 300 / 1100, 300, { data: 1 }]]);
  });

  it('shows start-up lines while the run has no step: they are all there is', () => {
    const profile = profileOf(batch(1000, 10, [entry(3, 'startup', 8, 800), entry(7, 'startup', 2, 200)]));
    assert.deepEqual(profile.hotLines(10).map((l) => [l.line, l.share, l.stage]), [[3, 0.8, 'startup'], [7, 0.2, 'startup']]);
  });

  it('weighs recordings without ms by sample count, as they were recorded', () => {
    const profile = profileOf(batch(500, 50, [entry(10, 'data', 10), entry(20, 'forward', 30)]));
    assert.deepEqual(profile.hotLines(10).map((l) => [l.line, l.share, l.ms, l.samples]), [[20, 0.6, null, 30], [10, 0.2, null, 10]]);
  });

  it('tells start-up apart: the time to the first step and its heaviest lines', () => {
    const profile = profileOf(
      batch(1000, 10, [entry(7, 'startup', 1, 150), entry(3, 'startup', 8, 800)]),
      batch(1000, 10, [entry(50, 'forward', 10, 1000)]),
    );
    assert.deepEqual(profile.startup(1012.5), {
      ms: 1012.5,
      lines: [
        { file: TRAIN, line: 3, fn: 'main', ms: 800, code: null },
        { file: TRAIN, line: 7, fn: 'main', ms: 150, code: null },
      ],
    });
    assert.equal(profile.startup(null), null);
  });

  it('gives start-up lines of recordings without ms one batch period per sample', () => {
    const profile = profileOf(batch(400, 40, [entry(3, 'startup', 30)]), batch(100, 10, [entry(50, 'forward', 10)]));
    assert.deepEqual(profile.startup(420)?.lines.map((l) => l.ms), [300]);
  });

  it('reports start-up in the summary from the first step on the runner clock', () => {
    const aggregator = new RunAggregator();
    aggregator.add(batch(1000, 10, [entry(3, 'startup', 10, 1000)]));
    aggregator.add({ type: 'step', index: 0, t: 1234.5, ms: 20, samples: 8, stages: { data: 5, forward: 15 } });
    aggregator.add(batch(1000, 10, [entry(50, 'forward', 10, 1000)]));
    const summary = aggregator.summary('/tmp/run');
    assert.deepEqual(summary.startup, { ms: 1234.5, lines: [{ file: TRAIN, line: 3, fn: 'main', ms: 1000, code: null }] });
    assert.deepEqual(summary.hotLines.map((l) => l.line), [50]);
  });
});

describe('start-up sentence', () => {
  const startup = {
    ms: 2134,
    lines: [
      { file: TRAIN, line: 3, fn: '<module>', ms: 1420, code: null },
      { file: '/work/project/model.py', line: 9, fn: '<module>', ms: 310, code: null },
      { file: TRAIN, line: 20, fn: 'main', ms: 40, code: null },
      { file: TRAIN, line: 21, fn: 'main', ms: 30, code: null },
    ],
  };
  const source = new Map([
    [`${TRAIN}:3`, 'import torch'],
    [`${TRAIN}:20`, '    model = build_a_model_with_a_very_long_name(depth=12, width=1024)'],
  ]);

  it('is what the panel says under the final headline', () => {
    const aggregator = new RunAggregator();
    aggregator.add({ type: 'run', format: RECORDING_FORMAT, id: 'r', command: ['python', 'train.py'], cwd: '/work/project', startedAtMs: 0, sampleHz: 100 });
    aggregator.add(batch(1500, 15, [entry(3, 'startup', 15, 1500)]));
    aggregator.add({ type: 'step', index: 0, t: 1500, ms: 20, samples: 8, stages: { data: 5, forward: 15 } });
    const summary = aggregator.summary('/tmp/run');
    summary.startup = withStartupCode(summary.startup, (file, line) => source.get(`${file}:${line}`));
    const view = new RunView('train.py');
    view.setSummary(summary);
    assert.equal(view.snapshot().view.tables.headline.startupNote, 'start-up 1.5 s: import torch 1.5 s (train.py:3)');
  });

  it('names the heaviest lines by their code, where the host could read it', () => {
    const withCode = withStartupCode(startup, (file, line) => source.get(`${file}:${line}`));
    assert.equal(
      withCode && startupSentence(withCode, '/work/project'),
      'start-up 2.1 s: import torch 1.4 s (train.py:3), model.py:9 0.31 s, model = build_a_model_with_a_very_long_… 0.04 s (train.py:20)',
    );
  });
});

describe('heat on lines that carry wall time', () => {
  it('says the share is of wall time and how long the line took', () => {
    const [line] = profileOf(batch(2000, 20, [entry(10, 'data', 12, 1500), entry(20, 'forward', 8, 500)])).hotLines(1);
    assert.ok(line);
    assert.equal(inlineText(line), '75.0% of run time · data');
    assert.match(hoverMarkdown(line), /75\.0% of wall time · 1500 ms · 12 samples · in `main`/);
  });
});
