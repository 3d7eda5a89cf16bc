import assert from 'node:assert/strict';
import { isActive, nextPhase, type RunPhase, type RunTransition } from '../../src/core/editor-view/run-phase';

function walk(...transitions: RunTransition[]): RunPhase | undefined {
  let phase: RunPhase | undefined = 'idle';
  for (const t of transitions) phase = phase && nextPhase(phase, t);
  return phase;
}

describe('run phases', () => {
  it('goes idle → starting → running → stopping → done', () => {
    assert.equal(walk('start', 'started', 'stop', 'ended'), 'done');
    assert.equal(walk('start', 'started', 'ended'), 'done');
  });

  it('remembers a Stop that comes while the process is still starting', () => {
    assert.equal(walk('start', 'stop'), 'stopping');
    assert.equal(walk('start', 'stop', 'started'), 'stopping');
    assert.equal(walk('start', 'stop', 'started', 'ended'), 'done');
  });

  it('fails from any active phase and starts again from a finished one', () => {
    assert.equal(walk('start', 'failed'), 'failed');
    assert.equal(walk('start', 'started', 'stop', 'failed'), 'failed');
    assert.equal(walk('start', 'failed', 'start'), 'starting');
    assert.equal(walk('start', 'started', 'ended', 'start'), 'starting');
  });

  it('refuses a second start, a stop or an end when nothing runs', () => {
    assert.equal(nextPhase('running', 'start'), undefined);
    assert.equal(nextPhase('idle', 'stop'), undefined);
    assert.equal(nextPhase('done', 'stop'), undefined);
    assert.equal(nextPhase('done', 'ended'), undefined);
    assert.equal(nextPhase('stopping', 'stop'), undefined);
  });

  it('calls starting, running and stopping active', () => {
    assert.deepEqual((['idle', 'starting', 'running', 'stopping', 'done', 'failed'] as const).filter(isActive), ['starting', 'running', 'stopping']);
  });
});
