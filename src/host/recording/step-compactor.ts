/**
 * Decides which rows of a recording stand for the steps, so that the file grows with time, not with
 * the step rate (~155 bytes per step would be 18 MB a minute at 2,000 steps/s):
 * - the first FIRST_STEPS steps each get a `step` row (warm-up is judged on them);
 * - then, in each second of the run, the first ROWS_PER_SECOND steps (a run of up to that many
 *   steps a second is recorded step by step, as before) and the SLOW_ROWS_PER_SECOND slowest of
 *   those at least KEEP_SLOWER_THAN times the typical step of the second before (stalls: findings
 *   need their exact index; the second before, so a run that slows down as a whole is soon typical);
 * - the rest of the second's steps become one `steps` row (totals and histograms).
 * Pure: the writer owns the file and the clock.
 */
import type { StepEvent } from '../../protocol/events';
import type { StepsEvent } from '../../protocol/recording';
import { WARMUP_SLOWDOWN } from '../../core/warmup';
import { LogHistogram } from '../../core/log-histogram';
import { secondOf } from '../../core/step-log';
import { StepsRowBuilder } from './steps-row';

export const FIRST_STEPS = 1000;
export const ROWS_PER_SECOND = 10;
export const SLOW_ROWS_PER_SECOND = 20;
/**
 * Below the factor that makes a step a warm-up step or a stall (WARMUP_SLOWDOWN × the steady
 * median), with room for the second before to differ from the steady state.
 */
export const KEEP_SLOWER_THAN = 0.75 * WARMUP_SLOWDOWN;

type StepRow = StepEvent | StepsEvent;

export class StepCompactor {
  private seen = 0;
  private second = -1;
  private rowsThisSecond = 0;
  /** Step times of the current second, for the typical step of the next one. */
  private secondMs = new LogHistogram();
  private typicalMs = Infinity;
  /** The second's slowest steps so far, written when it ends. */
  private slow: StepEvent[] = [];
  private summed: StepsRowBuilder | undefined;
  private openSinceMs = 0;

  /** The rows to write now for this step, in order; `nowMs` dates what it leaves open. */
  add(step: StepEvent, nowMs: number): StepRow[] {
    const second = secondOf(step);
    const rows: StepRow[] = [];
    if (second !== this.second) {
      rows.push(...this.flush());
      // A second of so few steps (one long stall) says little about the typical step.
      if (this.secondMs.count > ROWS_PER_SECOND) this.typicalMs = this.secondMs.quantile(0.5) ?? Infinity;
      [this.second, this.secondMs, this.rowsThisSecond] = [second, new LogHistogram(), 0];
    }
    this.secondMs.add(step.ms);
    if (++this.seen === FIRST_STEPS) this.typicalMs = this.secondMs.quantile(0.5) ?? Infinity;
    if (this.seen <= FIRST_STEPS || this.rowsThisSecond < ROWS_PER_SECOND) {
      this.rowsThisSecond++;
      rows.push(step);
      return rows;
    }
    if (!this.slow.length && !this.summed) this.openSinceMs = nowMs;
    if (step.ms >= KEEP_SLOWER_THAN * this.typicalMs) this.keepIfSlowest(step);
    else this.sum(step);
    return rows;
  }

  /** What the open second holds: its slow steps, then its `steps` row. At the end of a run. */
  flush(): StepRow[] {
    const slow = this.slow.sort((a, b) => a.index - b.index);
    const row = this.summed?.toRow();
    [this.slow, this.summed] = [[], undefined];
    const first = slow[0];
    const last = slow[slow.length - 1];
    // The row's range spans the slow steps too, so a reader puts every step of the second in order.
    if (row && first && last) [row.first, row.last] = [Math.min(row.first, first.index), Math.max(row.last, last.index)];
    return row ? [...slow, row] : slow;
  }

  /** The open second when it has waited maxAgeMs to end (the run went quiet). */
  flushOlderThan(maxAgeMs: number, nowMs: number): StepRow[] {
    return (this.slow.length || this.summed) && nowMs - this.openSinceMs >= maxAgeMs ? this.flush() : [];
  }

  private keepIfSlowest(step: StepEvent): void {
    if (this.slow.length < SLOW_ROWS_PER_SECOND) {
      this.slow.push(step);
      return;
    }
    let fastest = 0;
    this.slow.forEach((s, i) => {
      if (s.ms < (this.slow[fastest] as StepEvent).ms) fastest = i;
    });
    const evicted = this.slow[fastest] as StepEvent;
    if (step.ms <= evicted.ms) return this.sum(step);
    this.slow[fastest] = step;
    this.sum(evicted);
  }

  private sum(step: StepEvent): void {
    (this.summed ??= new StepsRowBuilder()).add(step);
  }
}
