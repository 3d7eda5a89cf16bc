import assert from 'node:assert/strict';
import { newestFirst, recordingItem } from '../../src/core/editor-view/recording-list';

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
