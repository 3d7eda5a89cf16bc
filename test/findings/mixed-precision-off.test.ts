import assert from 'node:assert/strict';
import { mixedPrecisionOff } from '../../src/core/findings/rules/mixed-precision-off';
import { factsWith, loadFacts, patchSource, setGpuUtil } from './facts-fixture';

describe('findings: mixed-precision-off', () => {
  it('flags fp32 ResNet-50 on a busy H100 and points at the forward pass', () => {
    const finding = mixedPrecisionOff(loadFacts('mixed-precision-off-h100'));
    assert.ok(finding);
    assert.equal(finding.severity, 'high');
    assert.ok(Math.abs((finding.evidence.gpuUtilPct ?? 0) - 97) < 1.5);
    assert.match(finding.message, /NVIDIA H100 80GB HBM3 was busy 97% of the time and no autocast/);
    assert.deepEqual(finding.locations.map((l) => `${l.file}:${l.line}`), ['/w/model.py:15', '/w/model.py:14']);
    assert.deepEqual(finding.fixes, ['mixed-precision']);
    assert.ok(Math.abs(finding.impact - 0.485) < 0.01);
  });

  it('stays silent when the code uses autocast, or cannot be read', () => {
    const withAutocast = factsWith('mixed-precision-off-h100', (f) => patchSource(f, '/w/train.py', { 10: '    scaler = torch.cuda.amp.GradScaler()' }));
    assert.equal(mixedPrecisionOff(withAutocast), null);
    assert.equal(mixedPrecisionOff(factsWith('mixed-precision-off-h100', (f) => delete f.sourceLines)), null);
  });

  it('needs tensor cores and a compute-bound GPU', () => {
    const gtx = factsWith('mixed-precision-off-h100', (f) => Object.assign(f.summary.hardware?.gpus[0] ?? {}, { name: 'NVIDIA GeForce GTX 1080 Ti' }));
    assert.equal(mixedPrecisionOff(gtx), null);
    assert.equal(mixedPrecisionOff(factsWith('mixed-precision-off-h100', (f) => setGpuUtil(f, 89))), null);
  });
});
