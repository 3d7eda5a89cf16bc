import assert from 'node:assert/strict';

/** Asserts that `actual` is within a relative `tolerance` of `expected` (0.05: 5%). */
export function within(actual: number, expected: number, tolerance: number): void {
  assert.ok(Math.abs(actual - expected) / expected <= tolerance, `${actual} is not within ${tolerance * 100}% of ${expected}`);
}

/** Asserts that the share `actual` is within `points` of the share `expected` (absolute: 0.05 is 5 points). */
export function withinPoints(actual: number, expected: number, points: number): void {
  assert.ok(Math.abs(actual - expected) <= points, `${actual} is not within ${points} of ${expected}`);
}
