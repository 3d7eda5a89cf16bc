import assert from 'node:assert/strict';
import { optimizerHeavy } from '../../src/core/findings/rules/optimizer-heavy';
import { factsWith, loadFacts, patchSource } from './facts-fixture';

describe('findings: optimizer-heavy', () => {
  it("flags Adam's per-parameter loop with the fixes torch 1.13 supports", () => {
    const finding = optimizerHeavy(loadFacts('optimizer-heavy-cpu'));
    assert.ok(finding);
    assert.equal(finding.severity, 'moderate');
    assert.ok(Math.abs((finding.evidence.optimizerShare ?? 0) - 0.434) < 0.01);
    assert.match(finding.message, /43% of each step \(26\.\d ms of 60\.\d ms\)/);
    assert.deepEqual(finding.locations.map((l) => l.line), [31, 28]);
    assert.deepEqual(finding.fixes, ['optimizer-foreach', 'zero-grad-set-to-none']);
  });

  it('offers only what the torch version lacks', () => {
    const fixesOn = (version: string) => optimizerHeavy(factsWith('optimizer-heavy-cpu', (f) => (f.summary.frameworkVersion = version)))?.fixes;
    assert.deepEqual(fixesOn('2.1.0+cu121'), ['optimizer-foreach']);
    assert.deepEqual(fixesOn('1.12.1'), ['zero-grad-set-to-none']);
  });

  it('offers foreach only to optimizers that have it and do not use it yet, closure or not', () => {
    const adam = { type: 'optimizer' as const, kind: 'torch.optim.adam.Adam', file: '/w/train.py', line: 30 };
    const fixesWith = (optimizers: Array<typeof adam & { closure?: boolean; foreach?: boolean }>) =>
      optimizerHeavy(factsWith('optimizer-heavy-cpu', (f) => (f.summary.optimizers = optimizers)))?.fixes;
    // Lightning passes every optimizer a closure; Adam's update still runs per parameter.
    assert.deepEqual(fixesWith([{ ...adam, closure: true }]), ['optimizer-foreach', 'zero-grad-set-to-none']);
    assert.deepEqual(fixesWith([{ ...adam, foreach: true }]), ['zero-grad-set-to-none']);
    assert.deepEqual(fixesWith([{ ...adam, kind: 'torch.optim.sparse_adam.SparseAdam' }]), []);
  });

  it('offers set_to_none only where the code calls zero_grad', () => {
    const facts = factsWith('optimizer-heavy-cpu', (f) => patchSource(f, '/w/train.py', { 28: '        pass' }));
    assert.deepEqual(optimizerHeavy(facts)?.fixes, ['optimizer-foreach']);
  });

  it('fires from 30% of the step, high from 50%', () => {
    const at = (share: number) =>
      optimizerHeavy(factsWith('optimizer-heavy-cpu', (f) => Object.assign(f.summary.stages.optimizer ?? {}, { share })))?.severity ?? null;
    assert.equal(at(0.299), null);
    assert.equal(at(0.3), 'moderate');
    assert.equal(at(0.5), 'high');
  });
});
