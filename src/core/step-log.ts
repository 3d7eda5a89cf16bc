/**
 * A run's steps in bounded memory. Held as events, a million steps took ~300 MB of the extension
 * host: a day of a 10 steps/s run, or minutes of a fast one. So:
 * - the first HEAD_STEPS steps are kept one by one: a run that short gets every figure exactly as
 *   from the whole list (warm-up is judged on them, and it never passes a fifth of a run);
 * - past them, each step adds to exact running totals (time, stages, samples, tokens, device time)
 *   and to a histogram of step times (median and p95 within 1%, as a recording's rows give them);
 * - and the last TAIL_STEPS steps are kept one by one: the live window, and with the head, the
 *   steps findings read (stalls and their period, stage spread), with `keptGap` saying where the
 *   two meet.
 */
import { STAGE_NAMES, type StageName, type StepEvent } from '../protocol/events';
import { bucketValue, LogHistogram } from './log-histogram';
import { isStaged, KnownCount } from './staged-steps';

/** The second of the run's clock a step belongs to: the one it ends in (recordings sum steps by it). */
export function secondOf(step: StepEvent): number {
  return Math.floor((step.t + step.ms) / 1000);
}

export const HEAD_STEPS = 50_000;
export const TAIL_STEPS = 50_000;

/** Sums over a set of steps: everything the steady-state figures are made of. */
export class StepTotals {
  count = 0;
  ms = 0;
  /** Steps whose stages were timed (staged-steps.ts), and their time: what stage figures are over. */
  stagedSteps = 0;
  stagedMs = 0;
  /** Over the steps that knew them. */
  samples = new KnownCount();
  tokens = new KnownCount();
  /** Summed over the staged steps. */
  readonly stageMs: Partial<Record<StageName, number>> = {};
  /** Device ms per stage, and the steps that timed it. */
  readonly deviceMs: Partial<Record<StageName, { ms: number; steps: number }>> = {};
  /** Steps that carried device times at all. */
  deviceSteps = 0;

  static of(steps: readonly StepEvent[]): StepTotals {
    const totals = new StepTotals();
    for (const step of steps) totals.add(step);
    return totals;
  }

  add(step: StepEvent): void {
    this.count++;
    this.ms += step.ms;
    const staged = isStaged(step);
    this.samples.add(step.samples, staged);
    this.tokens.add(step.tokens, staged);
    if (staged) {
      this.stagedSteps++;
      this.stagedMs += step.ms;
      for (const stage of STAGE_NAMES) {
        const ms = step.stages[stage];
        if (ms !== undefined) this.stageMs[stage] = (this.stageMs[stage] ?? 0) + ms;
      }
    }
    if (step.device) {
      this.deviceSteps++;
      for (const stage of STAGE_NAMES) {
        const ms = step.device[stage];
        if (typeof ms !== 'number') continue;
        const device = (this.deviceMs[stage] ??= { ms: 0, steps: 0 });
        device.ms += ms;
        device.steps++;
      }
    }
  }

  /** These totals with `other`'s added: the figures of both sets of steps together. */
  plus(other: StepTotals): StepTotals {
    const both = new StepTotals();
    both.samples = this.samples.plus(other.samples);
    both.tokens = this.tokens.plus(other.tokens);
    for (const totals of [this, other]) {
      both.count += totals.count;
      both.ms += totals.ms;
      both.stagedSteps += totals.stagedSteps;
      both.stagedMs += totals.stagedMs;
      both.deviceSteps += totals.deviceSteps;
      for (const stage of STAGE_NAMES) {
        const ms = totals.stageMs[stage];
        if (ms !== undefined) both.stageMs[stage] = (both.stageMs[stage] ?? 0) + ms;
        const device = totals.deviceMs[stage];
        if (device) {
          const into = (both.deviceMs[stage] ??= { ms: 0, steps: 0 });
          into.ms += device.ms;
          into.steps += device.steps;
        }
      }
    }
    return both;
  }
}

export class StepLog {
  private readonly head: StepEvent[] = [];
  /** The latest steps past the head; trimmed to TAIL_STEPS when it reaches twice that. */
  private tail: StepEvent[] = [];
  private readonly pastHead = new StepTotals();
  private readonly pastHeadMs = new LogHistogram();

  constructor(
    private readonly headSteps = HEAD_STEPS,
    private readonly tailSteps = TAIL_STEPS,
  ) {}

  /** Every step seen. */
  get count(): number {
    return this.head.length + this.pastHead.count;
  }

  /** True once steps past the head were folded into totals: `kept()` is no longer every step. */
  get bounded(): boolean {
    return this.pastHead.count > 0;
  }

  add(step: StepEvent): void {
    if (this.head.length < this.headSteps) {
      this.head.push(step);
      return;
    }
    this.pastHead.add(step);
    this.pastHeadMs.add(step.ms);
    this.tail.push(step);
    if (this.tail.length >= 2 * this.tailSteps) this.tail = this.tail.slice(-this.tailSteps);
  }

  /** Steps kept one by one, in order: all of them until the log is bounded, then head and tail. */
  kept(): readonly StepEvent[] {
    return this.bounded ? [...this.head, ...this.tail.slice(-this.tailSteps)] : this.head;
  }

  /** Index in `kept()` of the first tail step when steps between head and tail were left out. */
  get keptGap(): number | null {
    return this.bounded && this.pastHead.count > this.tailSteps ? this.head.length : null;
  }

  /** The first steps, one by one (all of them while the log is not bounded). */
  leading(): readonly StepEvent[] {
    return this.head;
  }

  last(): StepEvent | undefined {
    return this.tail[this.tail.length - 1] ?? this.head[this.head.length - 1];
  }

  /** The latest steps, newest first, for as long as `more` says (the live window). */
  latest(more: (step: StepEvent, taken: number) => boolean): StepEvent[] {
    const taken: StepEvent[] = [];
    for (const list of [this.tail, this.head]) {
      for (let i = list.length - 1; i >= 0; i--) {
        const step = list[i] as StepEvent;
        if (!more(step, taken.length)) return taken;
        taken.push(step);
      }
    }
    return taken;
  }

  /** Totals of the steps from `from` (a step count) on; `from` must lie in the head. */
  totalsFrom(from: number): StepTotals {
    return StepTotals.of(this.head.slice(from)).plus(this.pastHead);
  }

  /** Step times from `from` on: exact while the log is not bounded, else the head's and a histogram. */
  msQuantile(from: number, q: number, exact: (values: readonly number[], q: number) => number | null): number | null {
    const headMs = this.head.slice(from).map((s) => s.ms);
    if (!this.bounded) return exact(headMs, q);
    const all = this.pastHeadMs.copy();
    for (const ms of headMs) all.add(ms);
    return all.quantile(q);
  }

  /**
   * The median step time from `from` on as a recording's histogram gives it, whether or not the log
   * is bounded: the bucket of the step at rank ⌊n/2⌋ (warmup.ts compares against it). It starts at
   * the next second of the run's clock: a recording keeps a fast second's steps as one row, which
   * gives back that second's step times in another order, so only a cut between seconds takes the
   * same steps live and rebuilt (a cut inside one moved a tfjs run's median by a bucket, and its
   * warm-up from 200 to 218 steps).
   */
  typicalMs(from: number): number | null {
    const headMs = this.head.slice(this.cutAtSecond(from)).map((s) => s.ms);
    if (!this.bounded) {
      const sorted = headMs.sort((a, b) => a - b);
      const middle = sorted[Math.floor(sorted.length / 2)];
      return middle === undefined ? null : bucketValue(middle);
    }
    const all = this.pastHeadMs.copy();
    for (const ms of headMs) all.add(ms);
    return all.quantile(0.5);
  }

  /**
   * The first step at or after `from` whose second differs from the step before it; `from` itself
   * where that would leave fewer than half of the steps from `from` (a short run, most of it in one
   * second: recorded one by one anyway, and its median needs its steps).
   */
  private cutAtSecond(from: number): number {
    const head = this.head;
    if (from <= 0 || from >= head.length) return from;
    const before = secondOf(head[from - 1] as StepEvent);
    let next = from;
    while (next < head.length && secondOf(head[next] as StepEvent) === before) next++;
    return this.count - next >= (this.count - from) / 2 ? next : from;
  }

  /** Sum of every step's time, warm-up included. */
  get totalMs(): number {
    let ms = this.pastHead.ms;
    for (const step of this.head) ms += step.ms;
    return ms;
  }
}
