import assert from 'node:assert/strict';
import type { StepEvent } from '../../src/protocol/events';
import { periodicStall } from '../../src/core/findings/rules/periodic-stall';
import { factsWith, loadFacts } from './facts-fixture';

/** 150 steps of 100 ms; the listed ones take `stall` more ms in `stage`. */
function stepsWithStalls(steps: readonly StepEvent[], at: readonly number[], stall: number, stage: 'data' | 'other' = 'other'): StepEvent[] {
  return steps.map((s) => {
    const extra = at.includes(s.index) ? stall : 0;
    const stages = { data: 2, forward: 88, other: 10 };
    stages[stage] += extra;
    return { ...s, ms: 100 + extra, stages };
  });
}

describe('findings: periodic-stall', () => {
  it('finds a checkpoint every 25 steps at the torch.save line', () => {
    const finding = periodicStall(loadFacts('periodic-stall-checkpoint'));
    assert.ok(finding);
    assert.equal(finding.severity, 'high');
    assert.equal(finding.evidence.period, 25);
    assert.equal(finding.evidence.stalls, 6);
    assert.ok(Math.abs((finding.evidence.stallShare ?? 0) - 0.217) < 0.01);
    assert.match(finding.message, /^Every 25 steps one step takes 790 ms instead of 100 ms \(6 stalls, 22% of step time\), mostly in other; train\.py:23 is the hottest/);
    assert.equal(finding.locations[0]?.line, 23);
    assert.deepEqual(finding.fixes, []);
  });

  it('needs a rhythm: irregular or too few stalls stay silent', () => {
    const irregular = factsWith('periodic-stall-checkpoint', (f) => (f.steps = stepsWithStalls(f.steps, [10, 40, 47, 100, 131], 700)));
    assert.equal(periodicStall(irregular), null);
    const two = factsWith('periodic-stall-checkpoint', (f) => (f.steps = stepsWithStalls(f.steps, [24, 49], 700)));
    assert.equal(periodicStall(two), null);
  });

  it('needs a period: three slow steps at 18, 20, 21 are not a rhythm, nor are stalls whose gaps disagree', () => {
    const three = factsWith('periodic-stall-checkpoint', (f) => (f.steps = stepsWithStalls(f.steps, [18, 20, 21], 700)));
    assert.equal(periodicStall(three), null);
    // Four stalls, gaps 2, 2, 3: a period of 2 allows no slack, so the chain breaks at 3.
    const uneven = factsWith('periodic-stall-checkpoint', (f) => (f.steps = stepsWithStalls(f.steps, [18, 20, 22, 25], 700)));
    assert.equal(periodicStall(uneven), null);
    // Every other stall missing: gaps of 2 periods are not the rhythm of one.
    const gappy = factsWith('periodic-stall-checkpoint', (f) => (f.steps = stepsWithStalls(f.steps, [20, 40, 80, 100, 140], 700)));
    assert.equal(periodicStall(gappy), null);
  });

  it('accepts four stalls at a regular interval, each within an eighth of the period', () => {
    const four = factsWith('periodic-stall-checkpoint', (f) => (f.steps = stepsWithStalls(f.steps, [30, 60, 91, 120], 700)));
    const finding = periodicStall(four);
    assert.equal(finding?.evidence.stalls, 4);
    assert.equal(finding?.evidence.period, 30);
  });

  it('keeps its rhythm through one stray slow step', () => {
    const stray = factsWith('periodic-stall-checkpoint', (f) => (f.steps = stepsWithStalls(f.steps, [24, 49, 61, 74, 99, 124, 149], 700)));
    assert.equal(periodicStall(stray)?.evidence.period, 25);
  });

  it('finds the stage of the stalls from the staged ones, and says so when none was staged', () => {
    // Stages timed on 3 steps in 10: the stalls at 20, 70, 120 fall among them, 45, 95, 145 do not.
    const unstage = (steps: StepEvent[], timed: (s: StepEvent) => boolean): StepEvent[] =>
      steps.map((s) => (timed(s) ? s : { type: 'step', index: s.index, t: s.t, ms: s.ms, stages: {} }));
    const stalls = [20, 45, 70, 95, 120, 145];
    const some = periodicStall(factsWith('periodic-stall-checkpoint', (f) => (f.steps = unstage(stepsWithStalls(f.steps, stalls, 700, 'data'), (s) => s.index % 10 < 3))));
    assert.equal(some?.evidence.period, 25);
    assert.match(some?.message ?? '', /\(6 stalls, [^)]*\), mostly in data/);
    const none = periodicStall(factsWith('periodic-stall-checkpoint', (f) => (f.steps = unstage(stepsWithStalls(f.steps, stalls, 700, 'data'), (s) => s.index % 10 >= 7))));
    assert.equal(none?.evidence.stalls, 6);
    assert.match(none?.message ?? '', /of step time\); no stall fell among the steps whose stages were timed\.$/);
    assert.deepEqual([none?.locations, none?.fixes], [[], []]);
  });

  it('stays silent when the stalls cost under 5% of step time', () => {
    const small = factsWith('periodic-stall-checkpoint', (f) => (f.steps = stepsWithStalls(f.steps, [24, 49, 74, 99, 124, 149], 120)));
    assert.equal(periodicStall(small), null);
  });

  it('offers persistent workers for data stalls of a DataLoader that restarts its workers', () => {
    const facts = factsWith('periodic-stall-checkpoint', (f) => {
      f.steps = stepsWithStalls(f.steps, [29, 59, 89, 119, 149], 900, 'data');
      Object.assign(f.summary.loaders[0] ?? {}, { persistentWorkers: false });
    });
    const finding = periodicStall(facts);
    assert.equal(finding?.evidence.period, 30);
    assert.match(finding?.message ?? '', /mostly in data/);
    assert.deepEqual(finding?.fixes, ['dataloader-persistent-workers']);
  });
});
