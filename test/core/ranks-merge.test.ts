/** `trainlens merge` refuses recordings that are not the nodes of one job, and says why. */
import assert from 'node:assert/strict';
import { mergeRefusal, type NodeRecording } from '../../src/core/ranks-merge';
import type { RankRecording } from '../../src/core/ranks';
import type { HelloEvent } from '../../src/protocol/events';
import type { RunSummary } from '../../src/core/summary';

function rank(rank: number, fields: Partial<HelloEvent> = {}): RankRecording {
  const hello: HelloEvent = {
    type: 'hello', v: 1, token: 't', runner: 'python', pid: 100 + rank, runtime: 'CPython 3.11', script: '/a/train.py', argv: ['train.py'],
    cwd: '/a', sampleHz: 100, timeOriginMs: 0, rank, worldSize: 2, node: `node${rank}`, job: '10.0.0.1:29500', ...fields,
  };
  return { hello, summary: {} as RunSummary, steps: [] };
}

const node = (dir: string, ...ranks: RankRecording[]): NodeRecording => ({ dir, ranks });

describe('mergeRefusal', () => {
  it('accepts the ranks of one job recorded on two nodes', () => {
    assert.equal(mergeRefusal([node('n0', rank(0)), node('n1', rank(1))]), null);
  });

  it('refuses ranks that met at another rendezvous', () => {
    assert.match(mergeRefusal([node('n0', rank(0)), node('n1', rank(1, { job: '10.0.0.2:29500' }))])!, /not one job: .* 10\.0\.0\.1:29500, .* 10\.0\.0\.2:29500/);
  });

  it('refuses another world size, another script, the same rank twice, a folder without ranks, a single folder', () => {
    assert.match(mergeRefusal([node('n0', rank(0)), node('n1', rank(1, { worldSize: 4 }))])!, /world of 2 ranks, n1 of 4/);
    assert.match(mergeRefusal([node('n0', rank(0)), node('n1', rank(1, { script: '/a/other.py' }))])!, /n0 ran train\.py, n1 ran other\.py/);
    assert.match(mergeRefusal([node('n0', rank(0)), node('n1', rank(0))])!, /rank 0 is in both n0 and n1/);
    assert.match(mergeRefusal([node('n0', rank(0)), node('n1')])!, /n1 holds no rank: record each node with RANK and WORLD_SIZE/);
    assert.match(mergeRefusal([node('n0', rank(0))])!, /two or more nodes/);
  });
});
