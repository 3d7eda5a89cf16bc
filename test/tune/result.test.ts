import assert from 'node:assert/strict';
import { fixesForSettings } from '../../src/core/tune/fixes';
import { judge, promote, type TrialResult } from '../../src/core/tune/result';
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
      fixes: [{ fixId: 'dataloader-workers', workers: 2 }, { fixId: 'dataloader-prefetch-factor' }, { fixId: 'torch-set-num-threads', threads: 1 }],
      unwritable: [],
    });
  });
});
