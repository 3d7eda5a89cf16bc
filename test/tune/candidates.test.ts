import assert from 'node:assert/strict';
import type { LoaderEvent } from '../../src/protocol/events';
import { MAX_CANDIDATES, tuneCandidates, type TuneFacts } from '../../src/core/tune/candidates';
import { describeSettings } from '../../src/core/tune/settings';

const loader = (fields: Partial<LoaderEvent> = {}): LoaderEvent => ({
  type: 'loader',
  kind: 'torch.utils.data.DataLoader',
  file: '/w/train.py',
  line: 10,
  batchSize: 16,
  numWorkers: 0,
  pinMemory: false,
  persistentWorkers: false,
  prefetchFactor: 2,
  ...fields,
});

const facts = (fields: Partial<TuneFacts> = {}): TuneFacts => ({ framework: 'pytorch', cores: 2, device: 'cpu', loaders: [loader()], ...fields });
const described = (f: TuneFacts): string[] => tuneCandidates(f).candidates.map(describeSettings);

describe('tune: candidate settings', () => {
  it('on 2 CPU cores with a loader without workers: workers 1-2, prefetch only with workers, threads 1; the baseline first', () => {
    assert.deepEqual(described(facts()), [
      'as written',
      'threads=1',
      'num_workers=1',
      'num_workers=2',
      'num_workers=1 threads=1',
      'num_workers=1 prefetch_factor=4',
      'num_workers=2 threads=1',
      'num_workers=2 prefetch_factor=4',
      'num_workers=1 prefetch_factor=4 threads=1',
      'num_workers=2 prefetch_factor=4 threads=1',
    ]);
  });

  it('no DataLoader: only threads; no CUDA: no pin_memory or cudnn.benchmark', () => {
    const set = tuneCandidates(facts({ loaders: [] }));
    assert.deepEqual(set.candidates.map(describeSettings), ['as written', 'threads=1']);
    assert.ok(set.notes.some((n) => /no DataLoader/.test(n)));
    assert.ok(set.notes.some((n) => /no CUDA/.test(n)));
  });

  it('a loader that has workers already: 0 is tried, its own count is the baseline', () => {
    const names = described(facts({ loaders: [loader({ numWorkers: 2, prefetchFactor: 4 })] }));
    assert.ok(names.includes('num_workers=0'));
    assert.ok(!names.some((n) => /num_workers=2/.test(n)));
    assert.ok(!names.some((n) => /prefetch/.test(n)), 'prefetch_factor is already 4');
  });

  it('on CUDA: pinned memory with workers and cudnn.benchmark, capped, fewest changes first', () => {
    const set = tuneCandidates(facts({ device: 'cuda', cores: 16 }));
    const names = set.candidates.map(describeSettings);
    assert.equal(names.length, MAX_CANDIDATES);
    assert.ok(names.includes('cudnn.benchmark=true'));
    assert.ok(names.includes('num_workers=8'));
    const changes = set.candidates.map((c) => Object.keys(c).length);
    assert.deepEqual(changes, [...changes].sort((a, b) => a - b));
    assert.ok(set.notes.some((n) => /combinations/.test(n)));
  });

  it('the workers the input-bound finding measured are among them', () => {
    assert.ok(described(facts({ cores: 16, suggestedWorkers: 6 })).includes('num_workers=6'));
  });

  it('not PyTorch: nothing but the baseline', () => {
    const set = tuneCandidates(facts({ framework: 'tfjs' }));
    assert.deepEqual(set.candidates, [{}]);
    assert.match(set.notes[0]!, /nothing to tune/);
  });
});
