/** Time intervals [start, end) on one clock: the measure of a union, and clipping to a window. */

export type Interval = readonly [start: number, end: number];

/** Sorted, non-overlapping intervals covering the same time as `intervals`. */
export function unionOf(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** Time covered by a union (overlaps counted once). */
export function coveredLength(intervals: readonly Interval[]): number {
  return unionOf(intervals).reduce((total, [s, e]) => total + (e - s), 0);
}

/** The parts of `intervals` inside [from, to). */
export function clipTo(intervals: readonly Interval[], from: number, to: number): Interval[] {
  const clipped: Interval[] = [];
  for (const [s, e] of intervals) {
    const start = Math.max(s, from);
    const end = Math.min(e, to);
    if (end > start) clipped.push([start, end]);
  }
  return clipped;
}

/** The parts of `from` not covered by `minus` (both any order, overlapping or not). */
export function subtract(from: readonly Interval[], minus: readonly Interval[]): Interval[] {
  const cut = unionOf(minus);
  const result: Interval[] = [];
  for (const [s, e] of unionOf(from)) {
    let start = s;
    for (const [ms, me] of cut) {
      if (me <= start) continue;
      if (ms >= e) break;
      if (ms > start) result.push([start, ms]);
      start = Math.max(start, me);
      if (start >= e) break;
    }
    if (start < e) result.push([start, e]);
  }
  return result;
}
