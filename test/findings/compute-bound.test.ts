import assert from 'node:assert/strict';
import { computeBound } from '../../src/core/findings/rules/compute-bound';
import { factsWith, loadFacts, patchSource, setGpuUtil } from './facts-fixture';

describe('findings: compute-bound', () => {
  it('is informational on a CPU run whose math takes the step', () => {
    const finding = computeBound(loadFacts('well-tuned-cpu'));
    assert.ok(finding);
    assert.equal(finding.severity, 'info');
    assert.equal(finding.impact, 0);
    assert.ok(Math.abs((finding.evidence.computeShare ?? 0) - 0.95) < 0.01);
    assert.match(finding.message, /^Forward, backward and optimizer take 95% of each step \(114 ms of 120 ms\)/);
    assert.deepEqual(finding.fixes, []);
  });

  it('offers cudnn.benchmark for a conv net on CUDA that does not set it', () => {
    assert.deepEqual(computeBound(loadFacts('mixed-precision-off-h100'))?.fixes, ['cudnn-benchmark']);
    const set = factsWith('mixed-precision-off-h100', (f) => patchSource(f, '/w/train.py', { 8: 'torch.backends.cudnn.benchmark = True' }));
    assert.deepEqual(computeBound(set)?.fixes, []);
  });

  it('suggests mixed precision only where the code does not use it yet', () => {
    assert.match(computeBound(loadFacts('mixed-precision-off-h100'))?.message ?? '', /\(mixed precision, cudnn\.benchmark/);
    assert.match(computeBound(loadFacts('memory-pressure-4090'))?.message ?? '', /\(cudnn\.benchmark for fixed-shape conv nets, a faster GPU\)/);
  });

  it('on CUDA, follows the GPU: compute-bound from 90% busy', () => {
    assert.equal(computeBound(factsWith('mixed-precision-off-h100', (f) => setGpuUtil(f, 89))), null);
    assert.equal(computeBound(factsWith('mixed-precision-off-h100', (f) => setGpuUtil(f, 90)))?.evidence.gpuUtilPct, 90);
  });

  it('without a GPU, needs data under 5% and glue under 25% of the step', () => {
    const withShare = (stage: 'data' | 'other', share: number) =>
      computeBound(factsWith('well-tuned-cpu', (f) => Object.assign(f.summary.stages[stage] ?? {}, { share })));
    assert.equal(withShare('data', 0.05), null);
    assert.ok(withShare('data', 0.049));
    assert.equal(withShare('other', 0.25), null);
  });
});
