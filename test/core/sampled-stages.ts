/**
 * Event streams as the Python runner posts a fast loop's steps when it times the stages of only a
 * sample of them (staged-steps.ts): short windows of fully timed steps, unstaged steps between.
 */
import type { StepEvent } from '../../src/protocol/events';
import type { RecordedEvent } from '../../src/protocol/recording';

/**
 * The first `window` of every `every` steps as they were; the rest unstaged: `stages: {}`, no device
 * or data CPU time, and no samples or tokens unless `keepCounts` (a DataLoader's batch is seen anyway).
 */
export function sampleStages(events: readonly RecordedEvent[], window: number, every: number, keepCounts = false): RecordedEvent[] {
  return events.map((event) => (event.type === 'step' && event.index % every >= window ? unstaged(event, keepCounts) : event));
}

export function unstaged(step: StepEvent, keepCounts = false): StepEvent {
  const bare: StepEvent = { type: 'step', index: step.index, t: step.t, ms: step.ms, stages: {} };
  if (keepCounts && typeof step.samples === 'number') bare.samples = step.samples;
  if (keepCounts && typeof step.tokens === 'number') bare.tokens = step.tokens;
  return bare;
}

export const isStagedStep = (step: StepEvent): boolean => Object.keys(step.stages).length > 0;

export const stepsOf = (events: readonly RecordedEvent[]): StepEvent[] => events.filter((e): e is StepEvent => e.type === 'step');
