/**
 * Turns sampled sites into `lines` events: each sample gets the stage that was running when it was
 * taken, and samples are counted per (site, stage), each weighing the time since the sample before
 * it (`ms`, as the Python runner's do): the interval it stands for, whatever the rate was then (a
 * long run's is a fifth of the first minute's). Samples inside a step that has not ended yet
 * wait here until the timeline can say what they were. A sample with no user frame (an orphan)
 * goes to the user's fit/trainOnBatch call that was running then, and is dropped outside one.
 */
import { STAGE_NAMES, type LineEntry, type LinesEvent, type SampleStage } from '../../protocol/events';
import type { UserFrame } from './frames';
import { orphanOf, type SampleBatch, type Site } from './sampler';
import type { StepTimeline } from './timeline';

/** What the batcher needs of the sampler's site table. */
export interface SiteTable {
  readonly sites: readonly Site[];
  attributed(orphan: number, caller: UserFrame): number;
}

const STAGES: readonly SampleStage[] = [...STAGE_NAMES, 'startup', 'none'];
/** Samples held for an unfinished step (~2 min at 1 kHz); past that the step counts as abandoned. */
const MAX_WAITING_SAMPLES = 120_000;
const MAX_INTERVALS = 2;

export class LineBatcher {
  private times: number[] = [];
  private sites: number[] = [];
  private lastT: number;
  /** When the last sample taken was: the next one stands for the time since. */
  private lastSampleT: number;
  /** The sampling interval now (ms): a sample stands for at most MAX_INTERVALS of it, so a stretch
   * V8 took no sample in (a window's restart, a stalled sampler thread) goes to no line. */
  intervalMs = Infinity;

  constructor(
    private readonly timeline: StepTimeline,
    private readonly table: SiteTable,
    now: number,
  ) {
    this.lastT = now;
    this.lastSampleT = now;
  }

  add(batch: SampleBatch): void {
    for (let i = 0; i < batch.times.length; i++) {
      this.times.push(batch.times[i] as number);
      this.sites.push(batch.sites[i] as number);
    }
    if (this.times.length > MAX_WAITING_SAMPLES) this.timeline.restart(null);
  }

  /** A lines event for every sample that can be classified by now; null when there is none. */
  take(now: number): LinesEvent | null {
    const before = this.timeline.settledBefore(now);
    let n = 0;
    while (n < this.times.length && (this.times[n] as number) < before) n++;
    if (n === 0) return null;
    const counts = new Map<number, { count: number; ms: number }>();
    for (let i = 0; i < n; i++) {
      const t = this.times[i] as number;
      const ms = Math.min(Math.max(0, t - this.lastSampleT), MAX_INTERVALS * this.intervalMs);
      this.lastSampleT = t;
      let site = this.sites[i] as number;
      if (site < 0) {
        const orphan = orphanOf(site);
        const caller = orphan === null ? null : this.timeline.callerAt(t);
        if (orphan === null || caller === null) continue;
        site = this.table.attributed(orphan, caller);
      }
      const key = site * STAGES.length + STAGES.indexOf(this.timeline.stageAt(t));
      const weight = counts.get(key);
      if (weight) (weight.count++, (weight.ms += ms));
      else counts.set(key, { count: 1, ms });
    }
    this.times = this.times.slice(n);
    this.sites = this.sites.slice(n);
    this.timeline.prune(before);
    const entries: LineEntry[] = [];
    for (const [key, { count, ms }] of counts) {
      const { file, line, fn, path } = this.table.sites[Math.floor(key / STAGES.length)] as Site;
      const entry: LineEntry = { file, line, stage: STAGES[key % STAGES.length] as SampleStage, count, ms: toUs(ms), fn };
      if (path) entry.path = path;
      entries.push(entry);
    }
    const event: LinesEvent = { type: 'lines', t: now, periodMs: toUs(now - this.lastT), samples: n, entries };
    this.lastT = now;
    return event;
  }
}

/** To the microsecond, as the Python runner sends times: the recording sums these as they are. */
function toUs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
