/**
 * A summary rebuilt from a bounded recording against the live one: totals (steps, throughput,
 * stages, lines) agree to float rounding; medians and percentiles, read back from 2% buckets,
 * within 1%; findings the same, their evidence within 1%.
 */
import assert from 'node:assert/strict';
import type { RunSummary } from '../../src/core/summary';

const ROUNDING = 1e-9;
const HISTOGRAM = 0.01;
/** Figures taken from step-time distributions rather than sums. */
const FROM_HISTOGRAMS = new Set(['stepMsMedian', 'stepMsP95']);
/**
 * Lines' ms where samples carry no time of their own (the Node runner): each weighs its batch's
 * period over its samples, and on disk batches are merged over a window, so the periods average.
 */
const UNTIMED_LINE_MS = 1e-4;

export function assertSummariesMatch(rebuilt: RunSummary, live: RunSummary): void {
  const { findings: rebuiltFindings, ...rebuiltRest } = rebuilt;
  const { findings: liveFindings, ...liveRest } = live;
  assertClose(rebuiltRest, liveRest, 'summary');
  assert.deepEqual(
    rebuiltFindings.map((f) => [f.code, f.severity, f.fixes, f.locations]),
    liveFindings.map((f) => [f.code, f.severity, f.fixes, f.locations]),
  );
  rebuiltFindings.forEach((finding, i) => assertClose(finding.evidence, liveFindings[i]?.evidence, `findings.${finding.code}.evidence`, HISTOGRAM));
}

function assertClose(actual: unknown, expected: unknown, at: string, tolerance = ROUNDING): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const allowed = FROM_HISTOGRAMS.has(at.split('.').pop() ?? '') ? HISTOGRAM : /^summary\.(startup\.lines|hotLines)\.\d+\.ms$/.test(at) ? Math.max(tolerance, UNTIMED_LINE_MS) : tolerance;
    assert.ok(Math.abs(actual - expected) <= allowed * Math.max(Math.abs(expected), 1e-6), `${at}: ${actual} is not within ${allowed} of ${expected}`);
    return;
  }
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) {
    assert.deepEqual(actual, expected, at);
    return;
  }
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${at}: keys`);
  for (const [key, value] of Object.entries(expected)) assertClose((actual as Record<string, unknown>)[key], value, `${at}.${key}`, tolerance);
}
