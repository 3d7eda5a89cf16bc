import assert from 'node:assert/strict';
import type { StepEvent } from '../../src/protocol/events';
import { otherHeavy } from '../../src/core/findings/rules/other-heavy';
import { factsWith, loadFacts } from './facts-fixture';

/** Every step 100 ms, `otherMs` of it in the other stage. */
function flatSteps(steps: readonly StepEvent[], otherMs: number): StepEvent[] {
  return steps.map((s) => ({ ...s, ms: 100, stages: { forward: 100 - otherMs, other: otherMs } }));
}

describe('findings: other-heavy', () => {
  it('points at a per-step sklearn metric and offers to compute it every N steps', () => {
    const finding = otherHeavy(loadFacts('other-heavy-cpu'));
    assert.ok(finding);
    assert.equal(finding.severity, 'moderate');
    assert.ok(Math.abs((finding.evidence.otherShare ?? 0) - 0.38) < 0.01);
    assert.match(finding.message, /38% of a typical step \(38\.\d ms of 100 ms\); the hottest is train\.py:25/);
    assert.deepEqual(finding.locations.map((l) => l.line), [25, 26]);
    assert.deepEqual(finding.fixes, ['metric-every-n']);
  });

  it('fires from 25% of a typical step, high from 50%', () => {
    const at = (otherMs: number) => otherHeavy(factsWith('other-heavy-cpu', (f) => (f.steps = flatSteps(f.steps, otherMs))))?.severity ?? null;
    assert.equal(at(24.9), null);
    assert.equal(at(25), 'moderate');
    assert.equal(at(50), 'high');
  });

  it('takes the typical step and its other time over the staged steps: an unstaged step\'s other was not measured', () => {
    const timed = otherHeavy(factsWith('other-heavy-cpu', (f) => (f.steps = flatSteps(f.steps, 30))));
    // Stages timed on one step in ten; the others unstaged, and faster (no timing on them).
    const sampled = otherHeavy(
      factsWith('other-heavy-cpu', (f) => (f.steps = flatSteps(f.steps, 30).map((s) => (s.index % 10 === 0 ? s : { type: 'step', index: s.index, t: s.t, ms: 90, stages: {} })))),
    );
    assert.equal(sampled?.severity, 'moderate');
    assert.deepEqual([sampled?.evidence.otherShare, sampled?.evidence.stepMs], [timed?.evidence.otherShare, 100]);
  });

  it('leaves a checkpoint every 25 steps to periodic-stall', () => {
    const facts = loadFacts('periodic-stall-checkpoint');
    assert.ok((facts.summary.stages.other?.share ?? 0) > 0.25, 'the mean other share is past the threshold');
    assert.equal(otherHeavy(facts), null);
  });

  it('does not call a CUDA wait at .item() glue', () => {
    assert.equal(otherHeavy(loadFacts('host-sync-a100')), null);
  });
});
