import assert from 'node:assert/strict';

/** Asserts that `actual` is within a relative `tolerance` of `expected` (0.05: 5%). */
export function within(actual: number, expected: number, tolerance: number): void {
  assert.ok(Math.abs(actual - expected) / expected <= tolerance, `${actual} is not within ${tolerance * 100}% of ${expected}`);
}
