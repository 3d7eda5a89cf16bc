import assert from 'node:assert/strict';
import { fixesForSettings } from '../../src/core/tune/fixes';
import { verdictSentence } from '../../src/core/tune/report';
import { judge, promote, type TrialResult, type TuneVerdict } from '../../src/core/tune/result';
import type { TuneSettings } from '../../src/core/tune/settings';

const trial = (settings: TuneSettings, rung: number, batchesPerSec: number | null, status: TrialResult['status'] = 'measured'): TrialResult => ({
  settings,
  rung,
  steps: 100,
  batchesPerSec,
  status,
  note: null,
  recording: null,
  durationMs: 2000,
});

describe('tune: promotion and verdict', () => {
  it('promotes the fastest usable contenders, never the control or a failed trial', () => {
    const rung = [trial({}, 0, 200), trial({ numWorkers: 1 }, 0, 120), trial({ numWorkers: 2 }, 0, 150), trial({ numThreads: 1 }, 0, 300, 'failed'), trial({ numWorkers: 4 }, 0, 90)];
    assert.deepEqual(promote(rung, 2), [{ numWorkers: 2 }, { numWorkers: 1 }]);
  });

  it('the best beats the control of its rung beyond the baseline repeats\' noise band', () => {
    const trials = [trial({}, 0, 100), trial({ numWorkers: 2 }, 0, 150), trial({}, 1, 104), trial({ numWorkers: 2 }, 1, 160)];
    const v = judge({ batchesPerSec: 102, steps: 100 }, trials);
    assert.deepEqual(v.best, { numWorkers: 2 });
    assert.equal(v.baselineBatchesPerSec, 104);
    assert.ok(Math.abs(v.gainPct! - ((160 - 104) / 104) * 100) < 1e-9);
    assert.equal(v.noiseRuns, 3);
    assert.ok(v.beyondNoise);
  });

  it('in the last rung the reference is the mean of the controls before and after the contender', () => {
    const trials = [trial({}, 0, 100), trial({ numWorkers: 2 }, 0, 150), trial({}, 1, 90), trial({ numWorkers: 2 }, 1, 150), trial({}, 1, 110)];
    const v = judge({ batchesPerSec: 100, steps: 100 }, trials);
    assert.equal(v.baselineBatchesPerSec, 100);
    assert.ok(Math.abs(v.gainPct! - 50) < 1e-9);
  });

  it('the noise band comes from the baseline repeats about as long as the judged trial, when there are three or more', () => {
    const long = (settings: TuneSettings, rung: number, rate: number): TrialResult => ({ ...trial(settings, rung, rate), steps: 1000 });
    // Short rung-0 controls vary wildly; the long baseline run and last-rung controls agree.
    const trials = [trial({}, 0, 40), trial({ numWorkers: 2 }, 0, 90), trial({}, 0, 120), long({}, 1, 100), long({ numWorkers: 2 }, 1, 150), long({}, 1, 104)];
    const v = judge({ batchesPerSec: 102, steps: 1000 }, trials);
    assert.equal(v.noiseRuns, 3);
    assert.ok(v.noiseBandPct < 10, `${v.noiseBandPct}`);
    assert.ok(v.beyondNoise);
    // With fewer than three long repeats, every repeat counts.
    assert.equal(judge({ batchesPerSec: 102, steps: 10 }, trials).noiseRuns, 5);
  });

  it('a gain within noise keeps the baseline: "no setting beyond noise"', () => {
    const trials = [trial({}, 0, 100), trial({ numThreads: 1 }, 0, 104), trial({}, 1, 90), trial({ numThreads: 1 }, 1, 95)];
    const v = judge({ batchesPerSec: 110, steps: 100 }, trials);
    assert.deepEqual(v.best, {});
    assert.deepEqual(v.contender, { numThreads: 1 });
    assert.equal(v.beyondNoise, false);
    assert.equal(v.bestBatchesPerSec, 90);
  });

  it('the tuned settings map onto the parser-exact fixes, and threads onto tuning\'s own edit', () => {
    assert.deepEqual(fixesForSettings({ numWorkers: 2, prefetchFactor: 4, numThreads: 1 }), {
      fixes: [{ fixId: 'dataloader-workers', workers: 2 }, { fixId: 'dataloader-prefetch-factor' }, { fixId: 'thread-pools-env', threads: 1 }],
      unwritable: [],
    });
  });
});

describe('tune: the verdict in words', () => {
  const verdict = (gainPct: number, beyondNoise: boolean): TuneVerdict => ({
    best: beyondNoise ? { numWorkers: 2 } : {},
    contender: { numWorkers: 2 },
    bestBatchesPerSec: beyondNoise ? 150 : 100,
    baselineBatchesPerSec: 100,
    gainPct,
    noiseBandPct: 7.1,
    noiseRuns: 5,
    beyondNoise,
  });

  it('names the best and its gain beyond the band', () => {
    assert.equal(verdictSentence(verdict(50, true)), 'Best: num_workers=2: 100 → 150 batches/s (+50.0%), beyond the ±7.1% noise band of 5 baseline runs.');
  });

  it('within the band, or slower beyond it, the baseline stays and the sentence says which', () => {
    assert.match(verdictSentence(verdict(3, false)), /^No setting beyond noise: .* \+3\.0% .*, within the ±7\.1% noise band/);
    assert.match(verdictSentence(verdict(-12.8, false)), /slower beyond the ±7\.1% noise band of 5 baseline runs; the script's own settings are the fastest measured\.$/);
  });
});
