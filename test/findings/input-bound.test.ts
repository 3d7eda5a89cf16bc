import assert from 'node:assert/strict';
import { inputBound } from '../../src/core/findings/rules/input-bound';
import { factsWith, loadFacts } from './facts-fixture';

describe('findings: input-bound', () => {
  it('grades a main-process JPEG decoder high and points at the DataLoader and the decode line', () => {
    const finding = inputBound(loadFacts('input-bound-cpu'));
    assert.ok(finding);
    assert.equal(finding.severity, 'high');
    assert.ok(Math.abs((finding.evidence.dataShare ?? 0) - 0.86) < 0.01);
    assert.ok(Math.abs((finding.evidence.dataMs ?? 0) - 850) < 10);
    assert.equal(finding.evidence.numWorkers, 0);
    assert.equal(finding.evidence.suggestedWorkers, 7);
    assert.match(finding.message, /86% of the time \(851 ms of 991 ms per step\); the DataLoader at train\.py:26 uses num_workers=0/);
    assert.deepEqual(
      finding.locations.map((l) => `${l.file}:${l.line}`),
      ['/w/train.py:26', '/w/dataset.py:14', '/w/dataset.py:15', '/w/train.py:30'],
    );
    // CPU: no pin_memory; no workers yet: no prefetch_factor.
    assert.deepEqual(finding.fixes, ['dataloader-workers', 'dataloader-persistent-workers']);
    assert.equal(finding.impact, finding.evidence.dataShare);
  });

  it('offers tfjs prefetch for a tfjs dataset', () => {
    const finding = inputBound(loadFacts('input-bound-tfjs'));
    assert.equal(finding?.severity, 'high');
    assert.deepEqual(finding?.fixes, ['tfjs-prefetch']);
    assert.equal(`${finding?.locations[0]?.file}:${finding?.locations[0]?.line}`, '/w/train.js:19');
  });

  it("follows XProf's grades: silent below 5%, moderate from 5%, high from 20%", () => {
    const at = (share: number) =>
      inputBound(factsWith('input-bound-cpu', (f) => Object.assign(f.summary.stages.data ?? {}, { share })))?.severity ?? null;
    assert.equal(at(0.0499), null);
    assert.equal(at(0.05), 'moderate');
    assert.equal(at(0.1999), 'moderate');
    assert.equal(at(0.2), 'high');
  });

  it('offers pin_memory only on CUDA', () => {
    const facts = factsWith('input-bound-cpu', (f) => (f.summary.device = 'cuda:0'));
    assert.deepEqual(inputBound(facts)?.fixes, ['dataloader-workers', 'dataloader-pin-memory', 'dataloader-persistent-workers']);
  });

  it('offers prefetch_factor, not more workers, once the workers fill the cores', () => {
    const facts = factsWith('input-bound-cpu', (f) => {
      Object.assign(f.summary.loaders[0] ?? {}, { numWorkers: 7 });
      // Seven decoding workers and the main process keep the 8 cores busy.
      for (const sample of f.telemetry) sample.proc.cpuPct *= 7.5;
    });
    assert.deepEqual(inputBound(facts)?.fixes, ['dataloader-persistent-workers', 'dataloader-prefetch-factor']);
  });

  it('suggests workers from the cores when loading computes, and more than the cores when it waits', () => {
    assert.equal(inputBound(loadFacts('input-bound-cpu'))?.evidence.suggestedWorkers, 7);
    // The same run, but the main process sat at 10% of a core while steps waited: I/O, not decoding.
    const waiting = factsWith('input-bound-cpu', (f) => f.telemetry.forEach((sample) => (sample.proc.cpuPct = 10)));
    const finding = inputBound(waiting);
    assert.equal(finding?.evidence.suggestedWorkers, 8);
    assert.equal(finding?.evidence.treeCpuPct, 10);
    assert.match(finding?.message ?? '', /loading waits rather than computes \(the run's processes used 10% of one core\), so up to 8 workers overlap the waits/);
  });

  it('offers tf.data prefetch and parallel map for a tf.data pipeline', () => {
    const facts = factsWith('input-bound-cpu', (f) => Object.assign(f.summary.loaders[0] ?? {}, { kind: 'tf.data.Dataset' }));
    assert.deepEqual(inputBound(facts)?.fixes, ['tfdata-prefetch', 'tfdata-parallel-map']);
  });

  it('stays silent while the GPU is busy: the host waits for data while queued kernels run', () => {
    const facts = factsWith('mixed-precision-off-h100', (f) => Object.assign(f.summary.stages.data ?? {}, { share: 0.3 }));
    assert.equal(inputBound(facts), null);
  });
});
