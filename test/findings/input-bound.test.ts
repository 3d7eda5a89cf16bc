import assert from 'node:assert/strict';
import { inputBound } from '../../src/core/findings/rules/input-bound';
import type { RunFacts } from '../../src/core/findings';
import { factsWith, loadFacts } from './facts-fixture';

/** The independent figure: the steady-state steps' main-thread CPU time and wall time in the data stage, as recorded. */
function dataStageTotals(facts: RunFacts): { cpuMs: number; dataMs: number } {
  const steady = facts.steps.slice(facts.summary.warmupSteps);
  return {
    cpuMs: steady.reduce((sum, s) => sum + (s.dataCpuMs ?? 0), 0),
    dataMs: steady.reduce((sum, s) => sum + (s.stages.data ?? 0), 0),
  };
}

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

  it("measures loading by the main thread's own CPU time in the data stage: decoding computes, so workers from the cores", () => {
    const facts = loadFacts('input-bound-cpu');
    const finding = inputBound(facts);
    const { cpuMs, dataMs } = dataStageTotals(facts);
    assert.ok(Math.abs((finding?.evidence.dataCpuShare ?? 0) - cpuMs / dataMs) < 1e-9);
    assert.ok((finding?.evidence.dataCpuShare ?? 0) > 0.9, 'JPEG decoding keeps the main thread on a CPU');
    assert.equal(finding?.evidence.treeCpuPct, undefined, "the tree's CPU is not the signal when the thread's own is measured");
    assert.equal(finding?.evidence.suggestedWorkers, 7);
    assert.match(finding?.message ?? '', /; loading computes rather than waits \(the main thread was on a CPU for 97% of its loading time, \d+ ms of \d+ ms per step\)\.$/);
  });

  it('suggests more workers than cores when the main thread mostly waits in the data stage', () => {
    // The same run, but the main thread was on a CPU for 5% of its data stage: storage, not decoding.
    const waiting = factsWith('input-bound-cpu', (f) => f.steps.forEach((s) => (s.dataCpuMs = 0.05 * (s.stages.data ?? 0))));
    const finding = inputBound(waiting);
    assert.ok(Math.abs((finding?.evidence.dataCpuShare ?? 0) - 0.05) < 1e-9);
    assert.equal(finding?.evidence.suggestedWorkers, 8);
    assert.match(finding?.message ?? '', /loading waits rather than computes \(the main thread was on a CPU for 5\.0% of its loading time, 42\.\d ms of 8\d\d ms per step\), so up to 8 workers overlap the waits/);
  });

  it('still sees loading compute when other processes leave its thread half a core', () => {
    // A decoding main thread on a core shared with another busy process runs half the time it is ready to.
    const contended = factsWith('input-bound-cpu', (f) => f.steps.forEach((s) => (s.dataCpuMs = 0.47 * (s.stages.data ?? 0))));
    const finding = inputBound(contended);
    assert.equal(finding?.evidence.suggestedWorkers, 7);
    assert.match(finding?.message ?? '', /loading computes rather than waits \(the main thread was on a CPU for 47% of its loading time/);
  });

  it("sees a sleeping loader wait while torch's OpenMP threads keep the process tree busy (issue 14)", () => {
    const facts = loadFacts('input-bound-sleeping');
    const finding = inputBound(facts);
    const { cpuMs, dataMs } = dataStageTotals(facts);
    assert.ok(Math.abs((finding?.evidence.dataCpuShare ?? 0) - cpuMs / dataMs) < 1e-9);
    assert.ok(cpuMs / dataMs < 0.05);
    assert.equal(finding?.evidence.suggestedWorkers, 4, 'twice the 2 cores: the workers would sleep, not compute');
    assert.match(finding?.message ?? '', /loading waits rather than computes \(the main thread was on a CPU for 1\.\d% of its loading time/);
    // The same run as an older recording, without the thread's CPU time: the tree's ~108% hides the wait.
    const older = factsWith('input-bound-sleeping', (f) => f.steps.forEach((s) => delete s.dataCpuMs));
    const fallback = inputBound(older);
    assert.ok((fallback?.evidence.treeCpuPct ?? 0) > 100);
    assert.equal(fallback?.evidence.dataCpuShare, undefined);
    assert.equal(fallback?.evidence.suggestedWorkers, 1);
  });

  it("falls back to the process tree's CPU for recordings without the main thread's", () => {
    // No dataCpuMs, and the tree sat at 10% of a core while steps waited: I/O, not decoding.
    const waiting = factsWith('input-bound-cpu', (f) => {
      f.steps.forEach((s) => delete s.dataCpuMs);
      f.telemetry.forEach((sample) => (sample.proc.cpuPct = 10));
    });
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
