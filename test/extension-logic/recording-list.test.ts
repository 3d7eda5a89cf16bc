import assert from 'node:assert/strict';
import { newestFirst, recordingGlance, recordingItem, recordingRow } from '../../src/core/editor-view/recording-list';

describe('recording list', () => {
  it('reads the run id the host writes', () => {
    assert.deepEqual(recordingItem('20261123-105431-train_gpu-3f9c', '/r/x'), { id: '20261123-105431-train_gpu-3f9c', dir: '/r/x', name: 'train_gpu', startedAt: '2026-11-23 10:54:31' });
    assert.deepEqual(recordingItem('my-copy', '/r/y'), { id: 'my-copy', dir: '/r/y', name: 'my-copy', startedAt: null });
  });

  it('lists newest first', () => {
    const items = ['20261123-105431-a-0000', '20261124-090000-b-0000', '20260101-000000-c-0000'].map((id) => recordingItem(id, id));
    assert.deepEqual(newestFirst(items).map((i) => i.name), ['b', 'a', 'c']);
  });
});

describe('a recorded run in the list', () => {
  const item = recordingItem('20261123-105431-train-3f9c', '/w/.trainlens/runs/20261123-105431-train-3f9c');
  const glance = { script: '/w/gpt/train.py', status: 'failed', steps: 41, durationMs: 12_500, batchesPerSec: 3.21, tokensPerSec: null };

  it('names the script with its folder, the status first, the throughput and the step count', () => {
    assert.deepEqual(recordingRow(item, glance, '/w'), {
      label: 'gpt/train.py',
      description: '$(error) failed · 3.21 batch/s · 41 steps',
      detail: '2026-11-23 10:54:31 · 12.5 s',
    });
  });

  it('prefers tokens/s, and says when there is no throughput', () => {
    assert.match(recordingRow(item, { ...glance, tokensPerSec: 51_234 }, '/w').description, /51\.2k tok\/s/);
    assert.match(recordingRow(item, { ...glance, batchesPerSec: null, steps: 1 }, '/w').description, /no throughput · 1 step$/);
  });

  it('shows a script outside the workspace by its name, and a run cut off before its summary as such', () => {
    assert.equal(recordingRow(item, { ...glance, script: '/elsewhere/train.py' }, '/w').label, 'train.py');
    assert.match(recordingRow(item, null, '/w').description, /cut off/);
  });

  it('reads the glance from a summary.json, and nothing from what is not one', () => {
    assert.deepEqual(recordingGlance({ script: null, status: 'completed', steps: 3, durationMs: 9, throughput: { batchesPerSec: 2 } }), {
      script: null, status: 'completed', steps: 3, durationMs: 9, batchesPerSec: 2, tokensPerSec: null,
    });
    assert.equal(recordingGlance([1, 2]), null);
    assert.equal(recordingGlance({ steps: 3 }), null);
  });
});
