import assert from 'node:assert/strict';
import { gpuUnderutilized } from '../../src/core/findings/rules/gpu-underutilized';
import { factsWith, loadFacts, setGpuUtil } from './facts-fixture';

describe('findings: gpu-underutilized', () => {
  it('flags an H100 at ~35% and points at the batch size', () => {
    const finding = gpuUnderutilized(loadFacts('gpu-underutilized-h100'));
    assert.ok(finding);
    assert.equal(finding.severity, 'high');
    assert.ok(Math.abs((finding.evidence.gpuUtilPct ?? 0) - 35) < 3);
    assert.equal(finding.evidence.utilSamples, 18, 'only samples taken while steps ran');
    assert.match(finding.message, /NVIDIA H100 80GB HBM3 was busy only 3\d% .*batch_size=16 at train\.py:17/);
    assert.deepEqual(finding.locations, [{ file: '/w/train.py', line: 17, why: 'batch_size=16 set here' }]);
    assert.ok(Math.abs(finding.impact - 0.65) < 0.03);
  });

  it('fires below 50% utilisation only', () => {
    const at = (pct: number) => gpuUnderutilized(factsWith('gpu-underutilized-h100', (f) => setGpuUtil(f, pct)));
    assert.equal(at(50), null);
    assert.ok(at(49.9));
  });

  it('looks at the cards the run used, not a busy neighbour on the same machine', () => {
    const facts = factsWith('gpu-underutilized-h100', (f) => {
      for (const sample of f.telemetry) {
        sample.gpus?.push({ index: 1, utilPct: 100, memUtilPct: 80, memUsedMiB: 30_000, memTotalMiB: 81_559, powerW: 690, smClockMHz: 1980, tempC: 70, pcieGen: 5, pcieWidth: 16 });
      }
    });
    assert.ok(Math.abs((gpuUnderutilized(facts)?.evidence.gpuUtilPct ?? 0) - 35) < 3);
  });

  it('leaves a highly input-bound run to input-bound', () => {
    const facts = factsWith('gpu-underutilized-h100', (f) => Object.assign(f.summary.stages.data ?? {}, { share: 0.2 }));
    assert.equal(gpuUnderutilized(facts), null);
  });

  it('needs five samples while steps ran, and a CUDA run', () => {
    const fewSamples = factsWith('gpu-underutilized-h100', (f) => {
      const first = f.steps[0]?.t ?? 0;
      f.telemetry = f.telemetry.filter((s) => s.t < first + 4000);
    });
    assert.equal(gpuUnderutilized(fewSamples), null);
    assert.equal(gpuUnderutilized(factsWith('gpu-underutilized-h100', (f) => (f.summary.device = 'cpu'))), null);
  });
});
