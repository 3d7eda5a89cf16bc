import assert from 'node:assert/strict';
import { hasTensorCores } from '../../src/core/findings/gpu';
import { frameworkAtLeast, gradeShare, hotLinesIn, lineStepShare, where } from '../../src/core/findings/measures';
import { codeAt, filesMention } from '../../src/core/findings/sources';
import { factsWith, loadFacts } from './facts-fixture';

describe('findings: shared measures', () => {
  it("grades a share of step time on XProf's scale", () => {
    assert.equal(gradeShare(0.0499), null);
    assert.equal(gradeShare(0.05), 'moderate');
    assert.equal(gradeShare(0.2), 'high');
  });

  it('compares framework versions by major.minor', () => {
    const summary = loadFacts('well-tuned-cpu').summary;
    const on = (frameworkVersion: string | null) => ({ ...summary, frameworkVersion });
    assert.equal(frameworkAtLeast(on('2.1.0+cu121'), 2, 0), true);
    assert.equal(frameworkAtLeast(on('1.13.1'), 1, 13), true);
    assert.equal(frameworkAtLeast(on('1.13.1'), 2, 0), false);
    assert.equal(frameworkAtLeast(on(null), 1, 0), false);
  });

  it("prices a line's step time by its own measured ms, and by its samples only for recordings without them", () => {
    const facts = loadFacts('input-bound-cpu');
    const stepsMs = facts.steps.reduce((sum, s) => sum + s.ms, 0);
    const [first, second] = hotLinesIn(facts.summary, ['data'], 2);
    assert.ok(first && second);
    // Two lines with the same samples: the one whose samples stood for more wall time costs more.
    const timed = { ...first, samples: second.samples, ms: 3 * (second.ms ?? 1), stageShares: { data: 1 } };
    const other = { ...second, ms: second.ms ?? 1, stageShares: { data: 1 } };
    assert.equal(lineStepShare(facts, timed, ['data']), timed.ms / stepsMs);
    assert.deepEqual(hotLinesIn({ ...facts.summary, hotLines: [other, timed] }, ['data'], 2), [timed, other]);
    // An older recording: samples at the run's mean sampling interval.
    const counted = { ...other, ms: null };
    const perSample = facts.summary.durationMs / facts.summary.lineSamples;
    assert.ok(Math.abs(lineStepShare(facts, counted, ['data']) - (counted.samples * perSample) / stepsMs) < 1e-12);
  });

  it('names places by file name and line', () => {
    assert.equal(where('/w/src/train.py', 31), 'train.py:31');
    assert.equal(where('C:\\w\\train.py', 7), 'train.py:7');
  });

  it('knows which GPUs have tensor cores', () => {
    for (const name of ['NVIDIA H100 80GB HBM3', 'NVIDIA A100-SXM4-40GB', 'Tesla V100-SXM2-16GB', 'Tesla T4', 'NVIDIA GeForce RTX 3080', 'NVIDIA L4', 'NVIDIA A10G']) {
      assert.equal(hasTensorCores(name), true, name);
    }
    for (const name of ['NVIDIA GeForce GTX 1080 Ti', 'NVIDIA GeForce GTX 1660 Ti', 'Tesla P100-PCIE-16GB', 'Tesla K80']) {
      assert.equal(hasTensorCores(name), false, name);
    }
    assert.equal(hasTensorCores(null), false);
  });

  it('reads code without comments, and says when it cannot read at all', () => {
    const facts = factsWith('well-tuned-cpu', (f) => (f.sourceLines = (file) => (file.endsWith('.py') ? 'x = a // b  # loss.item()' : 'y = 1; // x.dataSync()')));
    assert.equal(codeAt(facts, '/w/a.py', 1), 'x = a // b');
    assert.equal(codeAt(facts, '/w/a.js', 1), 'y = 1;');
    const unreadable = factsWith('well-tuned-cpu', (f) => delete f.sourceLines);
    assert.equal(filesMention(unreadable, ['/w/train.py'], /torch/), null);
    assert.equal(filesMention(loadFacts('well-tuned-cpu'), ['/w/train.py', '/w/model.py'], /autocast/), false);
  });
});
