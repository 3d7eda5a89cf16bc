import * as assert from 'assert';
import { compareRuns, DEFAULT_NOISE_BAND_PCT, noiseBand } from '../../src/core/compare';
import { summaryWith } from './summary-fixture';

describe('compareRuns', () => {
  const inputBound = summaryWith({ batchesPerSec: 10, stages: { data: { ms: 60, share: 0.6 }, forward: { ms: 40, share: 0.4 } } });

  it('calls a change beyond the noise band faster and names the stage that moved', () => {
    const after = summaryWith({ batchesPerSec: 18, stages: { data: { ms: 5, share: 0.1 }, forward: { ms: 45, share: 0.9 } } });
    const c = compareRuns(inputBound, after, { batchesPerSec: [10, 10.2, 9.8] });
    assert.strictEqual(c.verdict, 'faster');
    assert.strictEqual(c.changePct, 80);
    assert.strictEqual(c.noiseRuns, 3);
    assert.deepStrictEqual(c.stageShares, [
      { stage: 'data', before: 0.6, after: 0.1 },
      { stage: 'forward', before: 0.4, after: 0.9 },
    ]);
    assert.strictEqual(
      c.sentence,
      'Faster: 10.0 → 18.0 batches/s (+80.0%), beyond the ±5.7% noise band of 3 repeated runs; data went from 60% to 10% of the step.',
    );
  });

  it('says plainly when a change did not help', () => {
    const c = compareRuns(inputBound, summaryWith({ batchesPerSec: 10.3 }));
    assert.strictEqual(c.verdict, 'no-change');
    assert.strictEqual(c.noiseBandPct, DEFAULT_NOISE_BAND_PCT);
    assert.match(c.sentence, /^The change did not help: 10\.0 → 10\.3 batches\/s \(\+3\.0%\) is within the ±5% assumed noise band \(no repeated runs\)/);
  });

  it('says when a change made training slower', () => {
    const c = compareRuns(inputBound, summaryWith({ batchesPerSec: 7 }));
    assert.strictEqual(c.verdict, 'slower');
    assert.match(c.sentence, /^Slower: 10\.0 → 7\.00 batches\/s \(−30\.0%\), beyond .*; the change made training slower\.$/);
  });

  it('does not compare a run without throughput, and says why', () => {
    const failed = summaryWith({ batchesPerSec: null, status: 'failed', error: { message: 'CUDA out of memory', excType: 'RuntimeError', file: null, line: null } });
    const c = compareRuns(inputBound, failed);
    assert.strictEqual(c.verdict, 'not-comparable');
    assert.strictEqual(c.sentence, 'Cannot compare: the after run has no throughput (it failed: CUDA out of memory).');
    assert.ok(c.caveats.includes('the after run failed: CUDA out of memory'));
  });

  it('notes runs that are not like for like', () => {
    const other = summaryWith({ batchesPerSec: 12, command: ['python', 'other.py'], steps: 20, device: 'cuda:0' });
    assert.deepStrictEqual(compareRuns(inputBound, other).caveats, [
      'the two runs used different commands',
      'the runs measured very different numbers of steps (200 and 20)',
      'the runs used different devices (cpu and cuda:0)',
    ]);
  });

  it('derives the noise band from repeated runs: 2·√2 coefficients of variation, at least 1%', () => {
    const band = noiseBand([100, 102, 98, 100]);
    assert.strictEqual(band.runs, 4);
    assert.ok(Math.abs(band.pct - 2 * Math.SQRT2 * (Math.sqrt(8 / 3) / 100) * 100) < 1e-9);
    assert.deepStrictEqual(noiseBand([50, 50]), { pct: 1, runs: 2 });
    assert.deepStrictEqual(noiseBand([50]), { pct: DEFAULT_NOISE_BAND_PCT, runs: 0 });
  });
});
