/**
 * Training steps on one clock (performance.now(), ms since the runner's time origin).
 *
 * Steps are contiguous while training runs: a step starts where the previous one ended, so the
 * stages (data, forwardBackward, optimizer measured; `other` = the rest) add up to the step's wall
 * time, and steps / (sum of step ms) is the loop's real throughput. A training call (fit) starts a
 * fresh step clock and discards the unfinished tail when it returns, so time between training calls
 * belongs to no step, and so does an evaluation pass inside a step (`exclude`): the step's `ms`
 * leaves it out.
 *
 * The timeline also answers, for the line sampler, "which stage was running at time t" and "which
 * user call (fit, trainOnBatch) was running at time t". Samples taken in a step that has not ended
 * yet cannot be classified (it may still become a step, or be discarded), so `settledBefore()` tells
 * the sampler how far classification is final.
 *
 * Per-step cost matters (a tiny model's trainOnBatch takes ~0.1 ms): finished steps are kept as
 * change points in flat number arrays, and a step goes out as one reused record of numbers
 * (step-rows.ts), so a fast loop allocates nothing per step here.
 */
import type { SampleStage, StageName } from '../../protocol/events';
import type { UserFrame } from './frames';
import { StepRecord } from './step-rows';

/** What tfjs lets us time: forward and backward run as one call (computeGradients). */
type MeasuredStage = Extract<StageName, 'data' | 'forwardBackward' | 'optimizer'>;

/** Codes of the change-point log; a code indexes this list. */
const CODED: readonly SampleStage[] = ['none', 'other', 'data', 'forward', 'backward', 'forwardBackward', 'optimizer'];
const NONE = 0;
const OTHER = 1;
const DATA = CODED.indexOf('data');
const FORWARD_BACKWARD = CODED.indexOf('forwardBackward');
const OPTIMIZER = CODED.indexOf('optimizer');
const NO_CALLER = -1;

/** Change points kept before the oldest unclassified sample (the line batcher never goes back
 * past it: later samples come in later windows): slack only. */
const KEEP_MS = 5_000;

/** From times[i] on (until times[i + 1]) the value is values[i]. Times never decrease. */
class ChangeLog {
  readonly times: number[] = [];
  readonly values: number[] = [];

  push(t: number, value: number): void {
    const last = this.times.length - 1;
    if (last >= 0) {
      const lastT = this.times[last] as number;
      if (t <= lastT) {
        // Same moment (or a clock step back): the newest value holds from there.
        this.values[last] = value;
        if (last > 0 && this.values[last - 1] === value) (this.times.pop(), this.values.pop());
        return;
      }
      if (this.values[last] === value) return;
    }
    this.times.push(t);
    this.values.push(value);
  }

  at(t: number, before: number): number {
    let lo = 0;
    let hi = this.times.length - 1;
    if (hi < 0 || t < (this.times[0] as number)) return before;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.times[mid] as number) <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.values[lo] as number;
  }

  /** Drops the points before `limit`, except the one in effect there. */
  prune(limit: number): void {
    let drop = 0;
    while (drop + 1 < this.times.length && (this.times[drop + 1] as number) <= limit) drop++;
    if (drop > 0) {
      this.times.splice(0, drop);
      this.values.splice(0, drop);
    }
  }
}

export class StepTimeline {
  private stepStart: number | null = null;
  private data = 0;
  private forwardBackward = 0;
  private optimizer = 0;
  /** Time left out of the step in progress (evaluation passes). */
  private excluded = 0;
  /** Stage intervals of the step in progress, flat: start, end, code; the first `openLength`
   * values count (a length field, not the array's: setting that is a call into the runtime). */
  private readonly open: number[] = [];
  private openLength = 0;
  private dataFrom: number | null = null;
  /** The user's fit/trainOnBatch lines, by id in the caller log. */
  private lastCaller = NO_CALLER;
  private readonly callers: UserFrame[] = [];
  private readonly callerIds = new Map<UserFrame, number>();
  /** Start of the first step there was: samples before it are start-up (imports, set-up). */
  private firstStepStart = Infinity;
  private readonly stageLog = new ChangeLog();
  private readonly callerLog = new ChangeLog();
  private readonly record = new StepRecord();
  steps = 0;

  /** `emit` gets each finished step; the record is reused for the next one. */
  constructor(private readonly emit: (step: StepRecord) => void) {}

  /** Starts a step at `t` unless one is running (the first step of a loop driven by minimize). */
  begin(t: number): void {
    if (this.stepStart === null) this.restart(t);
  }

  /** Drops the step in progress (its time becomes stage `none`) and, with `t`, starts a new one. */
  restart(t: number | null): void {
    this.stepStart = t;
    this.data = this.forwardBackward = this.optimizer = this.excluded = 0;
    this.openLength = 0;
    this.dataFrom = null;
  }

  /** From `t` until `returned()`, samples with no user frame belong to the user's line `frame`
   * (the fit or trainOnBatch call; the same line should come as the same object). */
  called(frame: UserFrame, t: number): void {
    let id = this.callers[this.lastCaller] === frame ? this.lastCaller : this.callerIds.get(frame);
    if (id === undefined) {
      id = this.callers.push(frame) - 1;
      this.callerIds.set(frame, id);
    }
    this.lastCaller = id;
    this.callerLog.push(t, id);
  }

  returned(t: number): void {
    this.callerLog.push(t, NO_CALLER);
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
    if (stage === 'data') {
      this.data += end - start;
      this.addOpen(start, end, DATA);
    } else if (stage === 'optimizer') {
      this.optimizer += end - start;
      this.addOpen(start, end, OPTIMIZER);
    } else {
      this.forwardBackward += end - start;
      this.addOpen(start, end, FORWARD_BACKWARD);
    }
  }

  /** Leaves [start, end) out of the step in progress: it was no training (an evaluation pass). */
  exclude(start: number, end: number): void {
    if (this.stepStart === null) return;
    const from = Math.max(start, this.stepStart);
    if (end <= from) return;
    this.excluded += end - from;
    this.addOpen(from, end, NONE);
  }

  /** Ends the step in progress at `t`; the next one starts there. `measured` lists the stages this
   * kind of step can separate (a minimize loop has no data stage we could see). */
  end(t: number, samples: number | null, measured: readonly MeasuredStage[], tokens: number | null = null): void {
    const start = this.stepStart;
    if (start === null) return;
    const ms = t - start - this.excluded;
    const step = this.record;
    step.data = step.forwardBackward = step.optimizer = NaN;
    let accounted = 0;
    for (let i = 0; i < measured.length; i++) {
      const name = measured[i] as MeasuredStage;
      if (name === 'data') accounted += step.data = Math.min(this.data, ms - accounted);
      else if (name === 'optimizer') accounted += step.optimizer = Math.min(this.optimizer, ms - accounted);
      else accounted += step.forwardBackward = Math.min(this.forwardBackward, ms - accounted);
    }
    step.other = Math.max(0, ms - accounted);
    step.index = this.steps++;
    step.t = start;
    step.ms = ms;
    step.samples = samples ?? NaN;
    step.tokens = tokens ?? NaN;
    this.emit(step);
    this.firstStepStart = Math.min(this.firstStepStart, start);
    this.log(start, t);
    this.restart(t);
  }

  /** Samples before this time can be classified for good. */
  settledBefore(now: number): number {
    return this.stepStart ?? now;
  }

  /** Stage at time t, for t before settledBefore(); `startup` before the first step. */
  stageAt(t: number): SampleStage {
    return t < this.firstStepStart ? 'startup' : (CODED[this.stageLog.at(t, NONE)] as SampleStage);
  }

  /** The user's training call running at time t, for t before settledBefore(); null outside one. */
  callerAt(t: number): UserFrame | null {
    return this.callers[this.callerLog.at(t, NO_CALLER)] ?? null;
  }

  /** Forgets change points that no unclassified sample can fall into any more. */
  prune(before: number): void {
    this.stageLog.prune(before - KEEP_MS);
    this.callerLog.prune(before - KEEP_MS);
  }

  private addOpen(start: number, end: number, code: number): void {
    const at = this.openLength;
    this.open[at] = start;
    this.open[at + 1] = end;
    this.open[at + 2] = code;
    this.openLength = at + 3;
  }

  /** Records a finished step in the change-point logs; a left-out interval reads as `none`. */
  private log(start: number, end: number): void {
    this.stageLog.push(start, OTHER);
    const open = this.open;
    for (let i = 0; i < this.openLength; i += 3) {
      this.stageLog.push(open[i] as number, open[i + 2] as number);
      this.stageLog.push(open[i + 1] as number, OTHER);
    }
    this.stageLog.push(end, NONE);
  }
}
