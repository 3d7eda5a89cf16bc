/**
 * The run controller's states and the only moves between them. Keeping the table pure lets a test
 * walk every race (Stop while starting, a second Profile while running) without an editor.
 */

export type RunPhase = 'idle' | 'starting' | 'running' | 'stopping' | 'done' | 'failed';

/** start: Profile Training; started: the process is up; stop: the user asked; ended: the run's summary arrived; failed: it could not start or crashed the host side. */
export type RunTransition = 'start' | 'started' | 'stop' | 'ended' | 'failed';

const TRANSITIONS: Readonly<Record<RunPhase, Partial<Record<RunTransition, RunPhase>>>> = {
  idle: { start: 'starting' },
  // A Stop while starting is remembered: the process is stopped as soon as it exists.
  starting: { started: 'running', stop: 'stopping', failed: 'failed' },
  running: { stop: 'stopping', ended: 'done', failed: 'failed' },
  stopping: { started: 'stopping', ended: 'done', failed: 'failed' },
  done: { start: 'starting' },
  failed: { start: 'starting' },
};

/** The next phase, or undefined when the move is not allowed from here. */
export function nextPhase(phase: RunPhase, transition: RunTransition): RunPhase | undefined {
  return TRANSITIONS[phase][transition];
}

/** A run exists (or is about to): another cannot start, and Stop means something. */
export function isActive(phase: RunPhase): boolean {
  return phase === 'starting' || phase === 'running' || phase === 'stopping';
}
