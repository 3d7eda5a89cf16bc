/**
 * Step times by logarithmic bucket (STEP_HISTOGRAM_RATIO wide): a second of a fast run's step
 * times in a few hundred bytes, any quantile of them back within 1%.
 */
import { STEP_HISTOGRAM_RATIO, type StepHistogram } from '../protocol/recording';

const LOG_RATIO = Math.log(STEP_HISTOGRAM_RATIO);

export class LogHistogram {
  private zero = 0;
  private readonly buckets = new Map<number, number>();
  private total = 0;

  get count(): number {
    return this.total;
  }

  copy(): LogHistogram {
    const copy = new LogHistogram();
    copy.zero = this.zero;
    copy.total = this.total;
    for (const [bucket, n] of this.buckets) copy.buckets.set(bucket, n);
    return copy;
  }

  add(value: number): void {
    this.total++;
    if (!(value > 0)) {
      this.zero++;
      return;
    }
    const bucket = Math.round(Math.log(value) / LOG_RATIO);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
  }

  /** The bucket value at quantile q (0..1), the lowest at 0; null when empty. */
  quantile(q: number): number | null {
    if (this.total === 0) return null;
    let rank = Math.min(this.total - 1, Math.floor(q * this.total));
    if (rank < this.zero) return 0;
    rank -= this.zero;
    for (const bucket of this.sortedBuckets()) {
      const n = this.buckets.get(bucket) as number;
      if (rank < n) return valueOf(bucket);
      rank -= n;
    }
    return null;
  }

  toRow(): StepHistogram {
    const sorted = this.sortedBuckets();
    const from = sorted[0] ?? 0;
    const counts: number[] = [];
    let next = from;
    for (const bucket of sorted) {
      if (bucket > next) counts.push(next - bucket);
      counts.push(this.buckets.get(bucket) as number);
      next = bucket + 1;
    }
    return { zero: this.zero, from, counts };
  }

  private sortedBuckets(): number[] {
    return [...this.buckets.keys()].sort((a, b) => a - b);
  }
}

/** Every value a histogram row stands for (its bucket's centre; 0 for the zero bucket), largest first. */
export function histogramValues(row: StepHistogram): number[] {
  const values: number[] = new Array<number>(row.zero).fill(0);
  let bucket = row.from;
  for (const n of row.counts) {
    if (n < 0) {
      bucket -= n;
      continue;
    }
    const value = valueOf(bucket);
    for (let i = 0; i < n; i++) values.push(value);
    bucket++;
  }
  return values.reverse();
}

/** The value a recording keeps for `value` past its first steps: its bucket's centre (0 for 0 and below). */
export function bucketValue(value: number): number {
  return value > 0 ? valueOf(Math.round(Math.log(value) / LOG_RATIO)) : 0;
}

function valueOf(bucket: number): number {
  return Math.exp(bucket * LOG_RATIO);
}
