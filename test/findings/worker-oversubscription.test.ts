import assert from 'node:assert/strict';
import { workerOversubscription } from '../../src/core/findings/rules/worker-oversubscription';
import { factsWith, loadFacts } from './facts-fixture';

describe('findings: worker-oversubscription', () => {
  it('flags 8 workers on 4 cores and suggests one per core', () => {
    const finding = workerOversubscription(loadFacts('worker-oversubscription-cpu'));
    assert.ok(finding);
    assert.equal(finding.severity, 'moderate');
    assert.deepEqual(finding.evidence, { numWorkers: 8, cores: 4, suggestedWorkers: 4 });
    assert.equal(finding.message, 'The DataLoader at train.py:15 starts 8 worker processes on 4 available cores; with the main process that is 9 busy processes competing for 4 cores.');
    assert.deepEqual(finding.locations, [{ file: '/w/train.py', line: 15, why: 'num_workers=8 set here' }]);
    assert.deepEqual(finding.fixes, ['dataloader-workers']);
  });

  it('fires once workers outnumber the cores: as many as the cores is what input-bound offers computing loaders', () => {
    const at = (numWorkers: number) => workerOversubscription(factsWith('worker-oversubscription-cpu', (f) => Object.assign(f.summary.loaders[0] ?? {}, { numWorkers })));
    assert.equal(at(4), null);
    assert.ok(at(5));
  });

  it('stays silent when the processes mostly wait: workers blocked on I/O do not compete for cores', () => {
    // The same 9 processes on 4 cores, but the tree used 120% of a core while steps ran, on a machine otherwise idle.
    const waiting = factsWith('worker-oversubscription-cpu', (f) =>
      f.telemetry.forEach((sample) => Object.assign(sample, { proc: { ...sample.proc, cpuPct: 120 }, system: { ...sample.system, cpuPct: 30 } })),
    );
    assert.equal(workerOversubscription(waiting), null);
  });
});
