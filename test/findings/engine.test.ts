import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { RunAggregator } from '../../src/core/aggregator';
import { analyzeRun, FIX_IDS, formatFindings, RULES, type Finding } from '../../src/core/findings';
import { FIXTURES, loadFacts } from './facts-fixture';

/** Each fixture's ground truth, in report order. */
const TRUTH: Record<(typeof FIXTURES)[number], string[]> = {
  'input-bound-cpu': ['input-bound'],
  'input-bound-sleeping': ['input-bound'],
  'input-bound-tfjs': ['input-bound'],
  'other-heavy-cpu': ['other-heavy'],
  'optimizer-heavy-cpu': ['optimizer-heavy', 'compute-bound'],
  'gpu-underutilized-h100': ['gpu-underutilized', 'memory-headroom'],
  'host-sync-a100': ['host-sync'],
  'mixed-precision-off-h100': ['mixed-precision-off', 'compute-bound'],
  'memory-pressure-4090': ['memory-pressure', 'compute-bound'],
  'worker-oversubscription-cpu': ['worker-oversubscription', 'compute-bound'],
  'warmup-compile': ['compute-bound', 'warmup'],
  'periodic-stall-checkpoint': ['periodic-stall'],
  'well-tuned-cuda': ['compute-bound'],
  'well-tuned-cpu': ['compute-bound'],
};

describe('findings engine', () => {
  for (const name of FIXTURES) {
    it(`${name}: exactly its ground truth, most impact first`, () => {
      const findings = analyzeRun(loadFacts(name));
      assert.deepEqual(findings.map((f) => f.code), TRUTH[name]);
      for (const f of findings) {
        assert.ok(f.fixes.every((id) => (FIX_IDS as readonly string[]).includes(id)), `${f.code}: unknown fix in ${f.fixes.join()}`);
        assert.ok(f.impact >= 0 && f.impact <= 1, `${f.code}: impact ${f.impact}`);
        assert.match(f.message, /\d/, `${f.code}: a message carries its numbers`);
      }
    });
  }

  it('runs one rule per file in rules/', () => {
    const files = readdirSync(path.join(__dirname, '../../src/core/findings/rules')).filter((f) => f.endsWith('.ts'));
    assert.equal(RULES.length, files.length);
  });

  it('finds nothing in a run without steps', () => {
    const aggregator = new RunAggregator();
    aggregator.add({ type: 'run', format: 1, id: 'empty', command: ['python3', 'x.py'], cwd: '/w', startedAtMs: 0, sampleHz: 100 });
    assert.deepEqual(analyzeRun({ summary: aggregator.summary('/w/r'), steps: [], telemetry: [], cores: 4 }), []);
  });
});

describe('formatFindings', () => {
  it('prints a headline with the numbers, then locations and fixes', () => {
    const lines = formatFindings(analyzeRun(loadFacts('input-bound-cpu')));
    assert.deepEqual(lines, [
      'High     input-bound: Steps wait for data 86% of the time (851 ms of 991 ms per step); the DataLoader at train.py:26 uses num_workers=0 with 8 cores available; loading computes rather than waits (the main thread was on a CPU for 97% of its loading time, 823 ms of 851 ms per step); 7 workers would overlap loading (851 ms per batch) with the rest of the step (140 ms): expected up to 7.1× faster if each worker loads as fast as the main thread did, on one of the 8 cores.',
      '         at /w/train.py:26 (DataLoader built here: batch_size=64, num_workers=0, pin_memory=False, persistent_workers=False)',
      '         at /w/dataset.py:14 (hot data-loading line, 75% of step time)',
      '         at /w/dataset.py:15 (hot data-loading line, 8.1% of step time)',
      '         at /w/train.py:30 (hot data-loading line, 3.5% of step time)',
      '         fixes: dataloader-workers, dataloader-persistent-workers',
    ]);
  });

  it('orders by impact whatever order it is given', () => {
    const finding = (code: string, impact: number, severity: Finding['severity'] = 'moderate'): Finding => ({
      code, severity, title: code, message: `${code} 1`, evidence: {}, locations: [], fixes: [], impact,
    });
    const lines = formatFindings([finding('b', 0.1), finding('info', 0, 'info'), finding('a', 0.6, 'high')]);
    assert.deepEqual(lines, ['High     a: a 1', 'Moderate b: b 1', 'Info     info: info 1']);
  });
});
