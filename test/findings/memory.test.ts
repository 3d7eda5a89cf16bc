import assert from 'node:assert/strict';
import { memoryHeadroom } from '../../src/core/findings/rules/memory-headroom';
import { memoryPressure } from '../../src/core/findings/rules/memory-pressure';
import { factsWith, loadFacts, setGpuMemMiB, setGpuUtil } from './facts-fixture';

describe('findings: memory-pressure', () => {
  it('flags an RTX 4090 at 97% and offers gradient accumulation', () => {
    const finding = memoryPressure(loadFacts('memory-pressure-4090'));
    assert.ok(finding);
    assert.equal(finding.severity, 'moderate');
    assert.ok(Math.abs((finding.evidence.memShare ?? 0) - 0.97) < 0.01);
    assert.equal(finding.evidence.memTotalMiB, 24564);
    assert.match(finding.message, /23\.3 GiB of 24\.0 GiB \(97%\); a smaller batch \(batch_size=48 at train\.py:17\)/);
    assert.deepEqual(finding.fixes, ['grad-accumulation']);
    assert.equal(finding.locations[0]?.line, 17);
  });

  it('fires above 90% only', () => {
    // 90% of the 4090's 24564 MiB is 22107.6 MiB.
    assert.equal(memoryPressure(factsWith('memory-pressure-4090', (f) => setGpuMemMiB(f, 22107))), null);
    assert.ok(memoryPressure(factsWith('memory-pressure-4090', (f) => setGpuMemMiB(f, 22108))));
  });

  it('ignores tfjs-node-gpu, whose TensorFlow reserves the card up front', () => {
    const facts = factsWith('memory-pressure-4090', (f) => Object.assign(f.summary, { framework: 'tfjs', frameworkPackage: '@tensorflow/tfjs-node-gpu' }));
    assert.equal(memoryPressure(facts), null);
  });
});

describe('findings: memory-headroom', () => {
  it('says a larger batch fits on an underused H100 with 18% of its memory used', () => {
    const finding = memoryHeadroom(loadFacts('gpu-underutilized-h100'));
    assert.ok(finding);
    assert.equal(finding.severity, 'info');
    assert.ok(Math.abs((finding.evidence.memShare ?? 0) - 0.18) < 0.01);
    assert.match(finding.message, /14\.3 GiB of 79\.6 GiB \(18%\) while the GPU was busy 3\d%: there is room for a larger batch \(batch_size=16 at train\.py:17\)/);
  });

  it('needs both memory below half the card and low utilisation', () => {
    // Half the H100's 81559 MiB is 40779.5 MiB.
    assert.equal(memoryHeadroom(factsWith('gpu-underutilized-h100', (f) => setGpuMemMiB(f, 40780))), null);
    assert.ok(memoryHeadroom(factsWith('gpu-underutilized-h100', (f) => setGpuMemMiB(f, 40779))));
    assert.equal(memoryHeadroom(factsWith('gpu-underutilized-h100', (f) => setGpuUtil(f, 50))), null);
  });
});
