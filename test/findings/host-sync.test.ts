import assert from 'node:assert/strict';
import { hostSync } from '../../src/core/findings/rules/host-sync';
import { factsWith, loadFacts, setGpuUtil } from './facts-fixture';

describe('findings: host-sync', () => {
  it('finds .item() and a printed loss on an A100 and offers to do them every N steps', () => {
    const finding = hostSync(loadFacts('host-sync-a100'));
    assert.ok(finding);
    assert.equal(finding.severity, 'high');
    assert.deepEqual(
      finding.locations.map((l) => `${l.line} ${l.why}`),
      ['36 .item() waits for the GPU; 50% of step time', '37 print() waits for the GPU; 2.0% of step time'],
    );
    assert.ok(Math.abs((finding.evidence.syncShare ?? 0) - 0.52) < 0.01);
    // The wait costs at most the GPU's idle time (~37%).
    assert.ok(Math.abs(finding.impact - 0.37) < 0.02);
    assert.match(finding.message, /2 lines copy GPU tensors to the host every step \(train\.py:36 \.item\(\), train\.py:37 print\(\)\): 52% of step time, and the GPU was busy only 6\d%/);
    assert.deepEqual(finding.fixes, ['metric-every-n']);
  });

  it('stays silent when the GPU is busy anyway, on CPU runs, and without source', () => {
    assert.equal(hostSync(factsWith('host-sync-a100', (f) => setGpuUtil(f, 90))), null);
    assert.equal(hostSync(factsWith('host-sync-a100', (f) => (f.summary.device = 'cpu'))), null);
    assert.equal(hostSync(factsWith('host-sync-a100', (f) => delete f.sourceLines)), null);
  });

  it('reports without telemetry, at the measured wait', () => {
    const finding = hostSync(factsWith('host-sync-a100', (f) => (f.telemetry = [])));
    assert.ok(Math.abs((finding?.impact ?? 0) - 0.52) < 0.01);
    assert.equal(finding?.evidence.gpuUtilPct, undefined);
  });
});
