/** Re-run and Compare in words, and the session's repeats that give its noise band. */
import * as assert from 'assert';
import { compareRuns } from '../../src/core/compare';
import { compareNotification, compareTitle } from '../../src/core/editor-view/compare-message';
import { RunHistory, type RunIdentity } from '../../src/core/editor-view/run-history';
import type { RunSummary } from '../../src/core/summary';
import { summaryWith } from './summary-fixture';

describe('re-run and compare', () => {
  const before = summaryWith({ batchesPerSec: 43.7 });

  describe('the notification', () => {
    it('says how much faster, both rates and the assumed noise band', () => {
      assert.strictEqual(compareNotification(compareRuns(before, summaryWith({ batchesPerSec: 91.2 }))), 'TrainLens: 2.1× faster: 43.7 → 91.2 batches/s (±5% noise, assumed).');
    });

    it('gives a small change as a percentage, and a measured band with its number of runs', () => {
      const c = compareRuns(before, summaryWith({ batchesPerSec: 50 }), { batchesPerSec: [43.7, 44, 43.5] });
      assert.strictEqual(compareNotification(c), `TrainLens: 14% faster: 43.7 → 50.0 batches/s (±${c.noiseBandPct.toFixed(1)}% noise from 3 runs).`);
    });

    it('says plainly when nothing measurable changed, or training got slower', () => {
      assert.strictEqual(compareNotification(compareRuns(before, summaryWith({ batchesPerSec: 44.9 }))), 'TrainLens: no measurable change: 43.7 → 44.9 batches/s is within ±5% noise, assumed.');
      assert.strictEqual(compareNotification(compareRuns(before, summaryWith({ batchesPerSec: 30 }))), 'TrainLens: 31% slower: 43.7 → 30.0 batches/s (±5% noise, assumed).');
    });

    it('adds the caveats: a different number of steps, a failed run', () => {
      const shorter = compareRuns(before, summaryWith({ batchesPerSec: 91.2, steps: 150 }));
      assert.strictEqual(compareNotification(shorter), 'TrainLens: 2.1× faster: 43.7 → 91.2 batches/s (±5% noise, assumed). Caveat: the runs measured different numbers of steps (200 and 150).');
      const failed = compareRuns(before, summaryWith({ batchesPerSec: null, status: 'failed' }));
      assert.strictEqual(compareNotification(failed), 'TrainLens: Cannot compare: the after run has no throughput (it failed). Caveat: the after run failed.');
    });
  });

  it('titles the panel with the fixes applied between the runs', () => {
    assert.strictEqual(compareTitle(['Set DataLoader num_workers=1 (2 cores available)']), 'Set DataLoader num_workers=1 (2 cores available) · compared with the run before');
    assert.strictEqual(compareTitle([]), 'the same command, run again · compared with the run before');
  });

  describe('the session\'s runs', () => {
    const identity: RunIdentity = { command: ['python', 'train.py'], cwd: '/work', env: { PATH: '/bin' }, codeDigest: 'abc' };
    const run = (summary: RunSummary, changes: Partial<RunIdentity> = {}) => ({ recipe: summary.id, identity: { ...identity, ...changes }, summary });

    it('re-runs the latest run that measured something', () => {
      assert.strictEqual(new RunHistory<string>().latest, undefined);
      const history = new RunHistory<string>();
      history.add(run({ ...before, id: 'a' }));
      history.add(run({ ...summaryWith({ status: 'failed' }), id: 'b' }));
      assert.strictEqual(history.latest?.recipe, 'a');
    });

    it('takes the noise from exact repeats only: same command, directory, environment and code', () => {
      const history = new RunHistory<string>();
      const first = run({ ...before, id: 'a' });
      history.add(first);
      history.add(run({ ...summaryWith({ batchesPerSec: 44.1 }), id: 'b' }));
      history.add(run({ ...summaryWith({ batchesPerSec: 90 }), id: 'fixed' }, { codeDigest: 'def' }));
      history.add(run({ ...summaryWith({ batchesPerSec: 20 }), id: 'other args' }, { command: ['python', 'train.py', '--big'] }));
      history.add(run({ ...summaryWith({ batchesPerSec: 30 }), id: 'other env' }, { env: { PATH: '/bin', CUDA_VISIBLE_DEVICES: '' } }));
      assert.deepStrictEqual(history.noiseSamples(first), { batchesPerSec: [43.7, 44.1] });
      const unreadable = run({ ...before, id: 'c' }, { codeDigest: null });
      history.add(unreadable);
      assert.deepStrictEqual(history.noiseSamples(unreadable), { batchesPerSec: [43.7] });
    });
  });
});
