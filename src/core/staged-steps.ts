/**
 * Steps with and without stage times. On fast loops the Python runner times the stages of only a
 * sample of steps (short windows of fully timed steps) and posts the steps between with
 * `stages: {}`: their stage times were not measured, they are not zero. Stage figures are taken
 * over the staged steps alone. Between windows the runner may not see the batch either, so an
 * unstaged step may lack its samples or tokens where every staged step of the run has them.
 */
import type { StepEvent } from '../protocol/events';

/** A step whose stages were timed: its `stages` has at least one key (runners that time stages always send some). */
export function isStaged(step: StepEvent): boolean {
  // No Object.keys: this runs for every step of runs of thousands of steps a second.
  for (const _stage in step.stages) return true;
  return false;
}

/** What a count's rate is taken over: a set of steps, their time and how many were staged. */
export interface StepSpan {
  count: number;
  ms: number;
  stagedSteps: number;
}

/** A count some steps carry (samples, tokens), summed over the steps that knew it. */
export class KnownCount {
  sum = 0;
  /** Steps that knew it, and how many of them were staged. */
  steps = 0;
  stagedSteps = 0;

  add(value: number | null | undefined, staged: boolean): void {
    if (typeof value !== 'number') return;
    this.sum += value;
    this.steps++;
    if (staged) this.stagedSteps++;
  }

  /** This count and `other` together. */
  plus(other: KnownCount): KnownCount {
    const both = new KnownCount();
    both.sum = this.sum + other.sum;
    both.steps = this.steps + other.steps;
    both.stagedSteps = this.stagedSteps + other.stagedSteps;
    return both;
  }

  /**
   * Per second of step time over `span`: over all of it when every step knew the count. Else only
   * when every staged step knew it, so that the steps that did not are unstaged ones, picked by the
   * runner's clock (between its windows it cannot always see the batch), not by what they carry:
   * the steps that knew it then say how much a step carries, and the span's steps how many steps a
   * second ran. Not over their own time: timed steps run slower (fast_steps.py here: 0.41 ms a
   * window step, 0.21 ms the others), and that gave 86,000 samples/s where the script's own clock
   * gave 148,000. A staged step without it
   * means steps differ in what they carry (some batches without tokens): null, as a rate over the
   * others would mislead.
   */
  perSec(span: StepSpan): number | null {
    if (this.steps === span.count) return span.ms > 0 ? (this.sum / span.ms) * 1000 : null;
    if (span.stagedSteps > 0 && this.stagedSteps === span.stagedSteps && span.ms > 0) return (this.sum / this.steps) * (span.count / span.ms) * 1000;
    return null;
  }
}
