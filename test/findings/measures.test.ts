import assert from 'node:assert/strict';
import { hasTensorCores } from '../../src/core/findings/gpu';
import { frameworkAtLeast, gradeShare, where } from '../../src/core/findings/measures';
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
