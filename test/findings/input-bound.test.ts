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

/** Independently of the rule: the workers it takes to load a batch within the rest of a steady step. */
function workersToHide(facts: RunFacts): number {
  const steady = facts.steps.slice(facts.summary.warmupSteps);
  const dataMs = steady.reduce((sum, s) => sum + (s.stages.data ?? 0), 0);
  const stepMs = steady.reduce((sum, s) => sum + s.ms, 0);
  return Math.ceil(dataMs / (stepMs - dataMs));
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
    assert.match(finding?.message ?? '', /; loading computes rather than waits \(the main thread was on a CPU for 97% of its loading time, \d+ ms of \d+ ms per step\); 7 workers would overlap loading/);
  });

  it('suggests more workers than cores when the main thread mostly waits in the data stage', () => {
    // The same run, but the main thread was on a CPU for 5% of its data stage: storage, not decoding.
    const waiting = factsWith('input-bound-cpu', (f) => f.steps.forEach((s) => (s.dataCpuMs = 0.05 * (s.stages.data ?? 0))));
    const finding = inputBound(waiting);
    assert.ok(Math.abs((finding?.evidence.dataCpuShare ?? 0) - 0.05) < 1e-9);
    // Waits overlap whatever the cores: as many workers as it takes one batch's loading to fit in the rest of the step.
    assert.equal(finding?.evidence.suggestedWorkers, workersToHide(waiting));
    assert.match(finding?.message ?? '', /loading waits rather than computes \(the main thread was on a CPU for 5\.0% of its loading time, 42\.\d ms of 8\d\d ms per step\); 7 workers would overlap loading/);
  });

  it('still sees loading compute when other processes leave its thread half a core', () => {
    // A decoding main thread on a core shared with another busy process runs half the time it is ready to.
    const contended = factsWith('input-bound-cpu', (f) => f.steps.forEach((s) => (s.dataCpuMs = 0.47 * (s.stages.data ?? 0))));
    const finding = inputBound(contended);
    assert.equal(finding?.evidence.suggestedWorkers, 7);
    assert.match(finding?.message ?? '', /loading computes rather than waits \(the main thread was on a CPU for 47% of its loading time/);
  });

  it('takes the CPU share over the steps that read the CPU clock, and says how many of the steps did', () => {
    // The Python runner reads the clock on whole steps in windows (cpu_windows.py): here every third step.
    const sampled = factsWith('input-bound-cpu', (f) =>
      f.steps.forEach((s, i) => {
        if (i % 3 === 0) s.dataCpuMs = 0.4 * (s.stages.data ?? 0);
        else delete s.dataCpuMs;
      }),
    );
    const steady = sampled.steps.slice(sampled.summary.warmupSteps).filter((s) => (s.stages.data ?? 0) > 0);
    const measured = steady.filter((s) => s.dataCpuMs !== undefined);
    const finding = inputBound(sampled);
    assert.ok(Math.abs((finding?.evidence.dataCpuShare ?? 0) - 0.4) < 1e-9);
    assert.ok(measured.length > 0 && measured.length < steady.length);
    assert.match(finding?.message ?? '', new RegExp(`of its loading time, [^)]*, over the ${measured.length} of ${steady.length} steps that read its CPU clock\\)`));
  });

  it('leaves unstaged steps out of the CPU share and its step count: their data time was not measured', () => {
    // Stages timed on one step in three, each of those reading the CPU clock; the others unstaged.
    const sampled = factsWith('input-bound-cpu', (f) => {
      f.steps = f.steps.map((s, i) => (i % 3 === 0 ? { ...s, dataCpuMs: 0.4 * (s.stages.data ?? 0) } : { type: 'step', index: s.index, t: s.t, ms: s.ms, stages: {} }));
    });
    const finding = inputBound(sampled);
    assert.ok(Math.abs((finding?.evidence.dataCpuShare ?? 0) - 0.4) < 1e-9);
    assert.doesNotMatch(finding?.message ?? '', /steps that read its CPU clock/, 'every step that timed its data stage read the clock');
  });

  it("sees a sleeping loader wait while torch's OpenMP threads keep the process tree busy (issue 14)", () => {
    const facts = loadFacts('input-bound-sleeping');
    const finding = inputBound(facts);
    const { cpuMs, dataMs } = dataStageTotals(facts);
    assert.ok(Math.abs((finding?.evidence.dataCpuShare ?? 0) - cpuMs / dataMs) < 1e-9);
    assert.ok(cpuMs / dataMs < 0.05);
    assert.equal(finding?.evidence.suggestedWorkers, Math.min(8, workersToHide(facts)), 'sleeping workers overlap beyond the 2 cores, up to the cap');
    assert.match(finding?.message ?? '', /loading waits rather than computes \(the main thread was on a CPU for 1\.\d% of its loading time/);
    // The same run as an older recording, without the thread's CPU time: the tree's ~108% hides the wait.
    const older = factsWith('input-bound-sleeping', (f) => f.steps.forEach((s) => delete s.dataCpuMs));
    const fallback = inputBound(older);
    assert.ok((fallback?.evidence.treeCpuPct ?? 0) > 100);
    assert.equal(fallback?.evidence.dataCpuShare, undefined);
    assert.equal(fallback?.evidence.suggestedWorkers, 2, 'computing workers: one per core, since loading dwarfs the rest of the step');
  });

  it("falls back to the process tree's CPU for recordings without the main thread's", () => {
    // No dataCpuMs, and the tree sat at 10% of a core while steps waited: I/O, not decoding.
    const waiting = factsWith('input-bound-cpu', (f) => {
      f.steps.forEach((s) => delete s.dataCpuMs);
      f.telemetry.forEach((sample) => (sample.proc.cpuPct = 10));
    });
    const finding = inputBound(waiting);
    assert.equal(finding?.evidence.suggestedWorkers, workersToHide(waiting));
    assert.equal(finding?.evidence.treeCpuPct, 10);
    assert.match(finding?.message ?? '', /loading waits rather than computes \(the run's processes used 10% of one core\); 7 workers would overlap loading/);
  });

  describe('the worker count comes from the loading and step times (issue 18)', () => {
    /** The issue-14 run (2 cores, loading 88% of the step), its loading made to compute, its main thread a whole core, the machine `machinePct` busy. */
    const computing = (edit: (f: RunFacts) => void = () => {}, machinePct = 50) =>
      factsWith('input-bound-sleeping', (f) => {
        f.steps.forEach((s) => (s.dataCpuMs = 0.95 * (s.stages.data ?? 0)));
        f.telemetry.forEach((sample) => Object.assign(sample, { proc: { ...sample.proc, cpuPct: 100 }, system: { ...sample.system, cpuPct: machinePct } }));
        edit(f);
      });

    it('offers two workers, not one, for serial computing loading that dwarfs the rest of the step on 2 cores', () => {
      // One worker would load as slowly as the main thread did and overlap only the small rest of the step.
      const finding = inputBound(computing());
      const { dataShare, stepMs, restOfStepMs, expectedSpeedup } = finding?.evidence ?? {};
      assert.equal(finding?.evidence.suggestedWorkers, 2);
      // Both cores share loading and the rest of the step: (data + rest) / 2 per step.
      assert.ok(Math.abs((expectedSpeedup ?? 0) - stepMs! / ((stepMs! * dataShare! + restOfStepMs!) / 2)) < 0.05);
      assert.match(finding?.message ?? '', /; 2 workers would overlap loading \(20\.\d ms per batch\) with the rest of the step \(2\.\d+ ms\): expected up to \d\.\d× faster if each worker loads as fast as the main thread did, on one of the 2 cores\.$/);
    });

    it("counts torch's spinning thread pools out of the cores that workers need, and offers the workers for the pools at 1 thread", () => {
      // python_transform.py's shape: the main thread loads in Python while the tree runs at 190% of a core.
      const finding = inputBound(computing((f) => f.telemetry.forEach((sample) => (sample.proc.cpuPct = 190)), 95));
      const { stepMs = 0, restOfStepMs = 0, spinningCores, usableCores } = finding?.evidence ?? {};
      // Independently: the tree beyond the main thread's core, less what the other core's pool could
      // work beside the rest of the step.
      const spinning = (1.9 * stepMs - stepMs - restOfStepMs) / stepMs;
      assert.ok(Math.abs((spinningCores ?? 0) - spinning) < 1e-9, `${spinningCores} against ${spinning}`);
      assert.equal(usableCores, 2);
      assert.equal(finding?.evidence.suggestedWorkers, 2);
      // The workers fix writes the pools at 1 thread with the count (dataloader-workers.ts).
      assert.ok(finding?.fixes.includes('dataloader-workers'));
      // The CPU a step needs without the spinning, over the 2 cores.
      assert.ok(Math.abs((finding?.evidence.expectedSpeedup ?? 0) - stepMs / ((stepMs * (1.9 - spinning)) / 2)) < 1e-6);
      assert.match(
        finding?.message ?? '',
        /; torch's thread pools kept 0\.\d of a core busy beyond any work they had \(idle threads spin between calls\) while the main thread loaded the data; with the pools sized to 1 thread, 2 workers would overlap loading \(20\.\d ms per batch\)/,
      );
    });

    it('takes the pools as working while their CPU fits beside the rest of the step, and leaves them alone', () => {
      const base = inputBound(computing());
      const { stepMs = 0, restOfStepMs = 0 } = base?.evidence ?? {};
      // The main thread's core, and the other core busy for all of the rest of the step.
      const treePct = (100 * (stepMs + restOfStepMs)) / stepMs;
      const finding = inputBound(computing((f) => f.telemetry.forEach((sample) => (sample.proc.cpuPct = treePct)), 95));
      assert.equal(finding?.evidence.spinningCores, undefined);
      assert.doesNotMatch(finding?.message ?? '', /thread pools/);
    });

    it('still sees computing loading whose thread a load average of 12 on 2 cores left a quarter of its time', () => {
      // python_transform.py measured 25% and 34% so; sleeping loaders 1-5%.
      const finding = inputBound(factsWith('input-bound-sleeping', (f) => f.steps.forEach((s) => (s.dataCpuMs = 0.25 * (s.stages.data ?? 0)))));
      assert.equal(finding?.evidence.loadingWaits, 0);
      assert.equal(finding?.evidence.suggestedWorkers, 2);
    });

    it('offers no workers where other programs keep the spare core busy: a computing worker would only take turns with them', () => {
      const finding = inputBound(computing(() => {}, 100));
      assert.equal(finding?.evidence.usableCores, 1);
      assert.equal(finding?.evidence.suggestedWorkers, 0);
      assert.ok(!finding?.fixes.includes('dataloader-workers'));
      assert.match(finding?.message ?? '', /; more workers would not help \(.*, 2 cores, 1\.0 of them kept busy by other programs\)\.$/);
    });

    it('offers no workers where the figures say they cannot help: computing loading on one core', () => {
      const facts = computing((f) => (f.cores = 1));
      const finding = inputBound(facts);
      assert.equal(finding?.evidence.suggestedWorkers, 0);
      assert.equal(finding?.evidence.expectedSpeedup, 1);
      assert.ok(!finding?.fixes.includes('dataloader-workers'));
      assert.match(finding?.message ?? '', /; more workers would not help \(loading 20\.\d ms per batch, the rest of the step 2\.\d+ ms, 1 core\)\.$/);
    });

    it('raises one worker that still leaves steps waiting: each worker loads a batch per step time', () => {
      // With 1 worker the data stage is the wait for it: that worker takes a whole step per batch.
      const facts = factsWith('input-bound-sleeping', (f) => Object.assign(f.summary.loaders[0] ?? {}, { numWorkers: 1 }));
      const finding = inputBound(facts);
      const { stepMs, loadMsPerBatch, suggestedWorkers } = finding?.evidence ?? {};
      assert.equal(loadMsPerBatch, stepMs);
      assert.ok((suggestedWorkers ?? 0) > 1);
      assert.ok(finding?.fixes.includes('dataloader-workers'));
    });

    it('bounds the expected gain by the measured compute-only ceiling', () => {
      const unbounded = inputBound(loadFacts('input-bound-sleeping'));
      // A compute-only ceiling at half the rate the step times alone predict.
      const ceiling = 1000 / (2 * (unbounded?.evidence.expectedStepMs ?? 0));
      const facts = factsWith('input-bound-sleeping', (f) => {
        f.summary.ceilings = { dataOnlyBatchesPerSec: null, computeOnlyBatchesPerSec: ceiling, actualBatchesPerSec: null, ceilingBatchesPerSec: ceiling, gap: null, note: null };
      });
      const finding = inputBound(facts);
      assert.ok(Math.abs((finding?.evidence.expectedSpeedup ?? 0) - (unbounded?.evidence.expectedSpeedup ?? 0) / 2) < 1e-6);
      assert.match(finding?.message ?? '', /; the measured compute-only ceiling bounds it\.$/);
    });
  });

  it("does not take a low tree CPU for waiting on a saturated machine: other processes took the cores", () => {
    // An older recording (no thread CPU): the tree at 40% of one core on 2 cores.
    const at = (machinePct: number) =>
      inputBound(
        factsWith('input-bound-sleeping', (f) => {
          f.steps.forEach((s) => delete s.dataCpuMs);
          f.telemetry.forEach((sample) => Object.assign(sample, { proc: { ...sample.proc, cpuPct: 40 }, system: { ...sample.system, cpuPct: machinePct } }));
        }),
      );
    assert.equal(at(50)?.evidence.loadingWaits, 1);
    const saturated = at(100);
    assert.equal(saturated?.evidence.loadingWaits, 0);
    // Computing, and other programs hold 1.6 of the 2 cores: a worker would only take turns with them.
    assert.equal(saturated?.evidence.suggestedWorkers, 0);
    assert.match(saturated?.message ?? '', /; taken as computing \(the run's processes used 40% of one core, on a machine busy at 100%, which says nothing of waiting\); more workers would not help \(.*, 2 cores, 1\.6 of them kept busy by other programs\)\.$/);
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
