/**
 * One `steps` row of a recording: the totals and histograms of a second of steps
 * (StepsRowBuilder), and those steps again when the recording is read (expandStepsRow).
 */
import { STAGE_NAMES, type StageName, type StepEvent } from '../../protocol/events';
import type { FieldTotal, StepsEvent } from '../../protocol/recording';
import wire from '../../protocol/wire.json';
import { histogramValues, LogHistogram } from '../../core/log-histogram';
import { isStaged } from '../../core/staged-steps';

const STEP_FIELD_KINDS: Array<[string, string]> = Object.entries(wire.events.step);
/**
 * The step's optional numeric fields (samples, tokens, micro-batches, data CPU ms, …), summed per
 * row; taken from the wire so that a field the protocol gains is kept without a change here.
 */
export const SUMMED_STEP_FIELDS = STEP_FIELD_KINDS.filter(([, kind]) => kind === 'int?' || kind === 'number?').map(([name]) => name);
/**
 * The most steps one row may stand for when read back: a row holds a second of steps, and a
 * runner times steps to the microsecond. A row claiming more was not written by TrainLens.
 */
export const MAX_STEPS_PER_ROW = 1_000_000;
const INTEGER_FIELDS = new Set(STEP_FIELD_KINDS.filter(([, kind]) => kind === 'int?').map(([name]) => name));

export class StepsRowBuilder {
  private first = 0;
  private last = 0;
  private count = 0;
  private t = 0;
  private endT = 0;
  private ms = 0;
  /** Steps whose stages were timed (staged-steps.ts): an unstaged one adds nothing to the stages. */
  private stagedCount = 0;
  private stagedMs = 0;
  private readonly stagedMsHistogram = new LogHistogram();
  private readonly stages: Partial<Record<StageName, number>> = {};
  private readonly device: Partial<Record<StageName, FieldTotal>> = {};
  private readonly fields: Record<string, FieldTotal> = {};
  private readonly msHistogram = new LogHistogram();
  private readonly stageHistograms = new Map<StageName, LogHistogram>();

  /** Steps may come out of order (a slow step kept, then let go for a slower one). */
  add(step: StepEvent): void {
    if (this.count === 0 || step.index < this.first) [this.first, this.t] = [step.index, step.t];
    if (this.count === 0 || step.index > this.last) [this.last, this.endT] = [step.index, step.t + step.ms];
    this.count++;
    this.ms += step.ms;
    this.msHistogram.add(step.ms);
    if (isStaged(step)) {
      this.stagedCount++;
      this.stagedMs += step.ms;
      this.stagedMsHistogram.add(step.ms);
    }
    for (const stage of STAGE_NAMES) {
      const ms = step.stages[stage];
      if (typeof ms === 'number') {
        this.stages[stage] = (this.stages[stage] ?? 0) + ms;
        this.stageHistogram(stage).add(ms);
      }
      const deviceMs = step.device?.[stage];
      if (typeof deviceMs === 'number') addTo(this.device, stage, deviceMs);
    }
    for (const field of SUMMED_STEP_FIELDS) {
      const value = (step as unknown as Record<string, unknown>)[field];
      if (typeof value === 'number') addTo(this.fields, field, value);
    }
  }

  toRow(): StepsEvent {
    const stages: Partial<Record<StageName, number>> = {};
    const histograms: StepsEvent['hist']['stages'] = {};
    for (const [stage, histogram] of this.stageHistograms) {
      stages[stage] = round(this.stages[stage] ?? 0);
      histograms[stage] = histogram.toRow();
    }
    return {
      type: 'steps',
      first: this.first,
      last: this.last,
      count: this.count,
      t: round(this.t),
      endT: round(this.endT),
      ms: round(this.ms),
      stages,
      device: roundTotals(this.device),
      fields: roundTotals(this.fields),
      hist: { ms: this.msHistogram.toRow(), stages: histograms },
      // Only when some step was not staged: a row of timed steps is written as before.
      ...(this.stagedCount < this.count ? { staged: { count: this.stagedCount, ms: round(this.stagedMs), hist: this.stagedMsHistogram.toRow() } } : {}),
    };
  }

  private stageHistogram(stage: StageName): LogHistogram {
    let histogram = this.stageHistograms.get(stage);
    if (!histogram) this.stageHistograms.set(stage, (histogram = new LogHistogram()));
    return histogram;
  }
}

/**
 * The steps a row stands for, merged in index order with `kept`: the steps of its index range
 * that have rows of their own, in index order. Totals are the recorded ones exactly; each value's
 * place in its histogram is kept within 1%. Values are dealt by rank, largest first, and every
 * series by the same rank: the slowest step gets the largest stage times, and within a second
 * that ends a warm-up the slow steps come first, as they did. A row with unstaged steps gives back
 * as many staged ones, with the staged steps' times: stage times go to them by their rank among
 * them, and the optional fields (samples, device times, …) to them first, as the runner sends
 * those on every staged step and maybe not on the others.
 */
export function expandStepsRow(row: StepsEvent, kept: readonly StepEvent[]): StepEvent[] {
  const times = stepTimes(row);
  const stagedCount = times.filter((time) => time.staged).length;
  const stages = STAGE_NAMES.flatMap((stage) => {
    const histogram = row.hist.stages[stage];
    return histogram ? [[stage, valuesSumming(histogram, row.stages[stage] ?? 0)] as const] : [];
  });
  // Kept steps keep their times; the row's steps are laid out over its span, time between steps
  // spread evenly, so each ends within its second as it did (nothing reads steps as non-overlapping).
  const gapMs = Math.max(0, row.endT - row.t - row.ms) / row.count;
  const steps: StepEvent[] = [];
  let rank = 0;
  let stagedRank = 0;
  let unstagedRank = 0;
  let next = 0;
  let cursor = row.t;
  // Stops once every step is placed: a row's range may be far wider than its steps (a forged or
  // corrupt row), and walking it index by index would never end.
  for (let index = row.first; index <= row.last && (rank < row.count || next < kept.length); index++) {
    const own = kept[next];
    if (own?.index === index) {
      steps.push(own);
      next++;
      continue;
    }
    // More free indices than steps: a kept row was lost (a corrupt line), not a step to invent.
    if (rank >= row.count) continue;
    const time = times[rank];
    const step: StepEvent = { type: 'step', index, t: cursor, ms: time?.ms ?? 0, stages: {} };
    // Fields go to the staged steps first, then to the others.
    let fieldRank: number;
    if (time?.staged) {
      for (const [stage, values] of stages) {
        const value = values[stagedRank];
        if (value !== undefined) step.stages[stage] = value;
      }
      fieldRank = stagedRank++;
    } else {
      fieldRank = stagedCount + unstagedRank++;
    }
    for (const [stage, total] of Object.entries(row.device) as Array<[StageName, FieldTotal]>) {
      if (fieldRank < total.steps) (step.device ??= {})[stage] = total.sum / total.steps;
    }
    for (const [field, total] of Object.entries(row.fields)) {
      if (fieldRank < total.steps) (step as unknown as Record<string, number>)[field] = share(field, total, fieldRank);
    }
    steps.push(step);
    cursor += step.ms + gapMs;
    rank++;
  }
  return steps;
}

/**
 * The row's step times, largest first, each marked staged or not: the staged steps' add up to their
 * recorded total and the others' to the rest. A row without `staged` is all staged steps.
 */
function stepTimes(row: StepsEvent): Array<{ ms: number; staged: boolean }> {
  if (!row.staged) return valuesSumming(row.hist.ms, row.ms).map((ms) => ({ ms, staged: true }));
  // Both histograms bucket alike, so the staged values are among the row's, equal to the bit:
  // walking both largest first marks them (ties go to the staged steps).
  const stagedValues = histogramValues(row.staged.hist);
  let next = 0;
  const values = histogramValues(row.hist.ms).map((ms) => {
    while (next < stagedValues.length && (stagedValues[next] as number) > ms) next++;
    const staged = next < stagedValues.length && stagedValues[next] === ms;
    if (staged) next++;
    return { ms, staged };
  });
  const scale = (staged: boolean, total: number): number => {
    const sum = values.reduce((a, v) => (v.staged === staged ? a + v.ms : a), 0);
    return sum > 0 ? total / sum : 1;
  };
  const stagedScale = scale(true, row.staged.ms);
  const unstagedScale = scale(false, Math.max(0, row.ms - row.staged.ms));
  return values.map((v) => ({ ms: v.ms * (v.staged ? stagedScale : unstagedScale), staged: v.staged }));
}

/** A histogram's values, largest first, scaled so they add up to the recorded total exactly. */
function valuesSumming(histogram: StepsEvent['hist']['ms'], total: number): number[] {
  const values = histogramValues(histogram);
  const sum = values.reduce((a, b) => a + b, 0);
  return sum > 0 ? values.map((v) => (v * total) / sum) : values;
}

/** The rank-th step's part of a field's total: whole numbers stay whole and still add up. */
function share(field: string, total: FieldTotal, rank: number): number {
  if (!INTEGER_FIELDS.has(field)) return total.sum / total.steps;
  const base = Math.floor(total.sum / total.steps);
  return rank < total.sum - base * total.steps ? base + 1 : base;
}

function addTo<K extends string>(totals: Partial<Record<K, FieldTotal>>, key: K, value: number): void {
  const total = (totals[key] ??= { sum: 0, steps: 0 });
  total.sum += value;
  total.steps++;
}

function roundTotals<K extends string>(totals: Partial<Record<K, FieldTotal>>): Record<K, FieldTotal> {
  const rounded = {} as Record<K, FieldTotal>;
  for (const [key, total] of Object.entries(totals) as Array<[K, FieldTotal]>) rounded[key] = { sum: round(total.sum), steps: total.steps };
  return rounded;
}

/** Runners send ms to the µs; a sum of them needs no more than a nanosecond's digits. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
