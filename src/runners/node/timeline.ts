/**
 * Training steps on one clock (performance.now(), ms since the runner's time origin).
 *
 * Steps are contiguous while training runs: a step starts where the previous one ended, so the
 * stages (data, forwardBackward, optimizer measured; `other` = the rest) add up to the step's wall
 * time, and steps / (sum of step ms) is the loop's real throughput. A training call (fit) starts a
 * fresh step clock and discards the unfinished tail when it returns, so time between training calls
 * belongs to no step.
 *
 * The timeline also answers "which stage was running at time t" for the line sampler. Samples taken
 * in a step that has not ended yet cannot be classified (it may still become a step, or be
 * discarded), so `settledBefore()` tells the sampler how far classification is final.
 */
import type { SampleStage, StageName, StageTimes, StepEvent } from '../../protocol/events';

type MeasuredStage = Exclude<StageName, 'other'>;

interface Interval {
  start: number;
  end: number;
  stage: MeasuredStage;
}

interface ClosedStep {
  start: number;
  end: number;
  stages: Interval[];
}

/** Intervals kept for classifying samples that arrive late (one profile window plus slack). */
const KEEP_INTERVALS_MS = 30_000;

export class StepTimeline {
  private stepStart: number | null = null;
  private stages: Partial<Record<MeasuredStage, number>> = {};
  private open: Interval[] = [];
  /** Finished steps, by start time, kept for classifying samples that arrive after them. */
  private readonly closed: ClosedStep[] = [];
  private dataFrom: number | null = null;
  steps = 0;

  constructor(private readonly emit: (step: StepEvent) => void) {}

  /** Starts a step at `t` unless one is running (the first step of a loop driven by minimize). */
  begin(t: number): void {
    if (this.stepStart === null) this.restart(t);
  }

  /** Drops the step in progress (its time becomes stage `none`) and, with `t`, starts a new one. */
  restart(t: number | null): void {
    this.stepStart = t;
    this.stages = {};
    this.open = [];
    this.dataFrom = null;
  }

  /** The data wait of the coming batch starts no earlier than `t` (after epoch-begin callbacks). */
  dataFromNow(t: number): void {
    this.dataFrom = t;
  }

  /** The batch is in hand: the time since the last step boundary was spent waiting for data. */
  dataReady(t: number): void {
    if (this.stepStart === null) return;
    this.stage('data', Math.max(this.stepStart, this.dataFrom ?? this.stepStart), t);
  }

  stage(stage: MeasuredStage, start: number, end: number): void {
    if (this.stepStart === null || end <= start) return;
    this.stages[stage] = (this.stages[stage] ?? 0) + (end - start);
    this.open.push({ start, end, stage });
  }

  /** Ends the step in progress at `t`; the next one starts there. `measured` lists the stages this
   * kind of step can separate (a minimize loop has no data stage we could see). */
  end(t: number, samples: number | null, measured: readonly MeasuredStage[]): void {
    const start = this.stepStart;
    if (start === null) return;
    const ms = t - start;
    const stages: StageTimes = {};
    let accounted = 0;
    for (const name of measured) {
      const value = Math.min(this.stages[name] ?? 0, ms - accounted);
      stages[name] = value;
      accounted += value;
    }
    stages.other = Math.max(0, ms - accounted);
    this.emit({ type: 'step', index: this.steps++, t: start, ms, samples, stages });
    this.closed.push({ start, end: t, stages: this.open });
    this.restart(t);
  }

  /** Samples before this time can be classified for good. */
  settledBefore(now: number): number {
    return this.stepStart ?? now;
  }

  /** Stage at time t, for t before settledBefore(). */
  stageAt(t: number): SampleStage {
    let lo = 0;
    let hi = this.closed.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.closed[mid] as ClosedStep).start <= t) lo = mid;
      else hi = mid - 1;
    }
    const step = this.closed[lo];
    if (step === undefined || t < step.start || t >= step.end) return 'none';
    return step.stages.find((s) => t >= s.start && t < s.end)?.stage ?? 'other';
  }

  /** Forgets intervals that no unclassified sample can fall into any more. */
  prune(before: number): void {
    const limit = before - KEEP_INTERVALS_MS;
    let drop = 0;
    while (drop < this.closed.length && (this.closed[drop] as ClosedStep).end < limit) drop++;
    this.closed.splice(0, drop);
  }
}
