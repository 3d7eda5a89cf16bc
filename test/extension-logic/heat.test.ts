import assert from 'node:assert/strict';
import { annotationsByFile, heatBucket, hoverMarkdown, inlineText } from '../../src/core/editor-view/heat';
import { hotLine } from './fixtures';

describe('editor heat', () => {
  it('puts shares into a fixed set of four buckets', () => {
    assert.equal(heatBucket(0.005), undefined);
    assert.equal(heatBucket(0.01), 0);
    assert.equal(heatBucket(0.049), 0);
    assert.equal(heatBucket(0.05), 1);
    assert.equal(heatBucket(0.2), 2);
    assert.equal(heatBucket(0.3), 3);
    assert.equal(heatBucket(1), 3);
  });

  it('writes the inline text as share and stage', () => {
    assert.equal(inlineText({ share: 0.123, stage: 'data' }), '12.3% of run time · data');
    assert.equal(inlineText({ share: 0.5, stage: 'forwardBackward' }), '50.0% of run time · forward+backward');
    assert.equal(inlineText({ share: 0.02, stage: 'none' }), '2.0% of run time · outside steps');
  });

  it('groups annotations by file with 0-based lines, leaving out cold lines', () => {
    const byFile = annotationsByFile([
      hotLine(),
      hotLine({ line: 7, share: 0.4 }),
      hotLine({ file: '/work/project/model.py', line: 3, share: 0.06 }),
      hotLine({ line: 99, share: 0.001 }),
    ]);
    assert.deepEqual([...byFile.keys()], ['/work/project/train.py', '/work/project/model.py']);
    assert.deepEqual(byFile.get('/work/project/train.py')?.map((a) => [a.line0, a.bucket]), [[41, 1], [6, 3]]);
  });

  it('hovers with per-stage shares and the call path', () => {
    const text = hoverMarkdown(hotLine());
    assert.match(text, /12\.3% of sampled time · 1,234 samples · in `train_epoch`/);
    assert.match(text, /\| data \| 80\.0% \|\n\| forward \| 20\.0% \|/);
    assert.match(text, /`torch\.utils\.data\.dataloader:__next__` → `torch\.utils\.data\.dataloader:_next_data`/);
  });

  it('keeps both ends of a deep call path', () => {
    const path = Array.from({ length: 20 }, (_, i) => `m:f${i}`);
    const text = hoverMarkdown(hotLine({ path }));
    assert.match(text, /`m:f0`/);
    assert.match(text, /`m:f19`/);
    assert.doesNotMatch(text, /`m:f10`/);
    assert.match(text, /12 more/);
  });
});
