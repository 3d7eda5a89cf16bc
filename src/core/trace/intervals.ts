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

/** The parts of a union (sorted, disjoint: unionOf's result) inside [from, to), found by binary search. */
export function clipUnion(union: readonly Interval[], from: number, to: number): Interval[] {
  let lo = 0;
  let hi = union.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((union[mid] as Interval)[1] <= from) lo = mid + 1;
    else hi = mid;
  }
  const clipped: Interval[] = [];
  for (let i = lo; i < union.length; i++) {
    const [s, e] = union[i] as Interval;
    if (s >= to) break;
    clipped.push([Math.max(s, from), Math.min(e, to)]);
  }
  return clipped;
}

/** Time a union (sorted, disjoint) covers inside [from, to). */
export function unionLengthWithin(union: readonly Interval[], from: number, to: number): number {
  return clipUnion(union, from, to).reduce((total, [s, e]) => total + (e - s), 0);
}

/** Index of the interval of a sorted, disjoint list that holds t, or -1. */
export function indexHolding(union: readonly Interval[], t: number): number {
  let lo = 0;
  let hi = union.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((union[mid] as Interval)[1] <= t) lo = mid + 1;
    else hi = mid;
  }
  const interval = union[lo];
  return interval && interval[0] <= t ? lo : -1;
}
