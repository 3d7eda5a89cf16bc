import assert from 'node:assert/strict';
import { finalRungSteps, halvingSchedule, MIN_TRIAL_STEPS, minTrialSteps, rungSizes, survivorsAfter, trialMs } from '../../src/core/tune/schedule';

describe('tune: successive halving schedule', () => {
  it('halves the contenders each rung, with the baseline control in every rung (twice, around the last one left)', () => {
    assert.deepEqual(rungSizes(9), [10, 6, 4, 3, 3]);
    assert.deepEqual(rungSizes(8), [9, 5, 3, 3]);
    assert.deepEqual(rungSizes(1), [3]);
    assert.deepEqual([9, 5, 3, 2, 1].map(survivorsAfter), [5, 3, 2, 1, 1]);
  });

  it('doubles the steps each rung and fills the budget', () => {
    const input = { contenders: 8, budgetMs: 300_000, trialOverheadMs: 2000, batchesPerSec: 100 };
    const { rungs, contenders } = halvingSchedule(input);
    assert.equal(contenders, 8);
    assert.deepEqual(rungs.map((r) => r.trials), [9, 5, 3, 3]);
    rungs.slice(1).forEach((r, k) => assert.equal(r.steps, rungs[k]!.steps * 2));
    const total = rungs.reduce((t, r) => t + r.trials * trialMs(r.steps, input.batchesPerSec, input.trialOverheadMs), 0);
    assert.ok(total <= input.budgetMs, `${total} ms planned for a ${input.budgetMs} ms budget`);
    // Rounding down the first rung's steps leaves less than one first-rung step per trial-weight unused.
    const oneMoreStep = rungs.reduce((t, r, k) => t + r.trials * 2 ** k, 0) * (1000 / input.batchesPerSec);
    assert.ok(input.budgetMs - total < oneMoreStep, `${input.budgetMs - total} ms left over`);
  });

  it('drops the last contenders when the budget cannot give each the minimum steps', () => {
    const { rungs, contenders } = halvingSchedule({ contenders: 8, budgetMs: 30_000, trialOverheadMs: 2500, batchesPerSec: 50 });
    assert.ok(contenders < 8 && contenders >= 1, `${contenders}`);
    assert.ok(rungs[0]!.steps >= MIN_TRIAL_STEPS);
  });

  it('a trial measures at least a second of steps: a fast script gets more steps, not fewer contenders', () => {
    assert.equal(minTrialSteps(10), MIN_TRIAL_STEPS);
    assert.equal(minTrialSteps(500), 500);
    const { rungs, contenders } = halvingSchedule({ contenders: 8, budgetMs: 60_000, trialOverheadMs: 2500, batchesPerSec: 500 });
    assert.ok(contenders < 8);
    assert.ok(rungs[0]!.steps >= 500);
  });

  it('the last rung shares what is left of the budget among its three trials', () => {
    const steps = finalRungSteps(30_000, 2000, 100);
    assert.equal(steps, 800);
    assert.ok(3 * trialMs(steps, 100, 2000) <= 30_000);
    assert.equal(finalRungSteps(1000, 2000, 100), minTrialSteps(100));
  });

  it('never plans a rung shorter than the one before (floorSteps)', () => {
    const { rungs } = halvingSchedule({ contenders: 2, budgetMs: 5_000, trialOverheadMs: 2000, batchesPerSec: 100, floorSteps: 400 });
    assert.equal(rungs[0]!.steps, 400);
  });
});
