import assert from 'node:assert/strict';
import { median, sum } from '../../src/core/stats';
import { warmup, WARMUP_REPORT_SHARE } from '../../src/core/findings/rules/warmup';
import { factsWith, loadFacts } from './facts-fixture';

describe('findings: warmup', () => {
  it('reports two torch.compile steps apart from the steady state', () => {
    const finding = warmup(loadFacts('warmup-compile'));
    assert.ok(finding);
    assert.equal(finding.severity, 'info');
    assert.equal(finding.evidence.warmupSteps, 2);
    assert.ok(Math.abs((finding.evidence.warmupShare ?? 0) - 0.585) < 0.01);
    assert.match(finding.message, /^The first 2 steps took 11\.8 s \(a typical step takes 100 ms\), 58% of the recorded step time/);
  });

  it('stays silent on a warm-up just under a fifth of the recorded time', () => {
    const facts = factsWith('warmup-compile', (f) => {
      const rest = f.steps.slice(2);
      const typical = median(rest.map((s) => s.ms)) ?? 0;
      const restMs = sum(rest.map((s) => s.ms));
      // Solve (w - 2 typical) / (w + rest) = share for the warm-up total w, just below the threshold.
      const share = WARMUP_REPORT_SHARE - 0.001;
      const each = (share * restMs + 2 * typical) / (1 - share) / 2;
      f.steps = [...f.steps.slice(0, 2).map((s) => ({ ...s, ms: each })), ...rest];
    });
    assert.equal(warmup(facts), null);
  });

  it('stays silent on a one-step CUDA warm-up of a longer run', () => {
    const facts = loadFacts('well-tuned-cuda');
    assert.equal(facts.summary.warmupSteps, 1);
    assert.equal(warmup(facts), null);
  });
});
