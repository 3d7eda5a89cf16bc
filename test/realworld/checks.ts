/** The assertions every corpus script shares, each against a truth measured in the same test. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { HotLine, RunSummary } from '../../src/core/summary';
import type { LineShare } from './truth';

/** Steps: exact, or within 1% on long runs (the issue's ±1%). */
export function assertSteps(measured: number, truth: number): void {
  assert.ok(Math.abs(measured - truth) <= Math.floor(truth * 0.01), `TrainLens counted ${measured} steps, the script ran ${truth}`);
}

/** Batches/s within 10% of the script's own rate. */
export function assertRate(measured: number | null, truth: number, what = 'batches/s'): void {
  assert.ok(measured !== null, `TrainLens showed no ${what} (truth ${truth.toFixed(2)})`);
  const error = Math.abs(measured - truth) / truth;
  assert.ok(error <= 0.1, `${what}: TrainLens ${measured.toFixed(2)}, the script ${truth.toFixed(2)} (${(error * 100).toFixed(0)}% off)`);
}

/** A share within 0.1 of its independent measurement. */
export function assertShare(measured: number, truth: number, what: string): void {
  assert.ok(Math.abs(measured - truth) <= 0.1, `${what}: TrainLens ${measured.toFixed(3)}, independently ${truth.toFixed(3)}`);
}

export function assertCount(measured: number, truth: number, what: string): void {
  assert.ok(measured === truth, `${what}: TrainLens ${measured}, the script ${truth}`);
}

/** A count inside [low, high], e.g. eval passes merged or not. */
export function assertBetween(measured: number, low: number, high: number, what: string): void {
  assert.ok(measured >= low && measured <= high, `${what}: TrainLens ${measured}, truth ${low === high ? low : `${low}..${high}`}`);
}

export function samePlace(a: { file: string; line: number }, b: { file: string; line: number }): boolean {
  return a.line === b.line && sameFile(a.file, b.file);
}

export function sameFile(a: string, b: string): boolean {
  return realpath(a) === realpath(b);
}

/**
 * TrainLens's top hot line is the sampler's top line, or ties with it (within 0.05 of its share),
 * and its share is within 0.1 of the sampler's share for that line. Both are samples: on a fast
 * machine a short run gives TrainLens's 50 Hz sampler a few dozen of them (regression's 300 steps
 * took 40 ms), so each bound widens to four standard errors of the two shares' difference when
 * that is larger. Four, not three: the suite makes about ten such checks a run, and on a slow day
 * nanoGPT's top line once read 0.580 against 0.438 with 191 and 516 samples, 3.4 errors apart.
 */
export function assertTopLine(hotLines: readonly HotLine[], truth: readonly LineShare[]): void {
  const top = hotLines[0];
  const truthTop = truth[0];
  assert.ok(top, 'TrainLens reported no hot line');
  assert.ok(truthTop, 'the sampler saw no line of the script');
  const truthOfTop = truth.find((l) => samePlace(l, top))?.share ?? 0;
  const samples = top.share > 0 ? top.samples / top.share : 0;
  const error = 4 * samplingError((top.share + truthOfTop) / 2, samples, truthTop.outOf);
  const counted = `${Math.round(samples)} samples by TrainLens, ${Math.round(truthTop.outOf)} by the tests' sampler`;
  assert.ok(
    samePlace(top, truthTop) || truthTop.share - truthOfTop <= Math.max(0.05, error),
    `TrainLens's top line ${place(top)} (${top.stage}) has ${truthOfTop.toFixed(3)} of the time; the top line is ${place(truthTop)} with ${truthTop.share.toFixed(3)} (${counted})`,
  );
  assert.ok(
    Math.abs(top.share - truthOfTop) <= Math.max(0.1, error),
    `share of ${place(top)}: TrainLens ${top.share.toFixed(3)}, independently ${truthOfTop.toFixed(3)} (${counted}; bound ${Math.max(0.1, error).toFixed(3)})`,
  );
}

/** Standard error of the difference of two sampled estimates of a share `p`, from n1 and n2 samples. */
function samplingError(p: number, n1: number, n2: number): number {
  if (n1 <= 0 || n2 <= 0) return 1;
  return Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
}

export function place(line: { file: string; line: number }): string {
  return `${path.basename(line.file)}:${line.line}`;
}

function realpath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/** One row of the issue's table: printed by each suite whatever its assertions say. */
export interface TableRow {
  script: string;
  shape: string;
  steps: [truth: number, measured: number];
  batchesPerSec: [truth: number, measured: number | null];
  topLine?: { line: string; share: number | null; truthShare: number };
}

export function printRow(row: TableRow): void {
  const rate = (v: number | null) => (v === null ? '—' : v.toFixed(2));
  const top = row.topLine ? ` | ${row.topLine.line} ${rate(row.topLine.share)} (independent ${row.topLine.truthShare.toFixed(3)})` : ' | —';
  console.log(`    TABLE | ${row.script} | ${row.shape} | ${row.steps[0]} / ${row.steps[1]} | ${rate(row.batchesPerSec[0])} / ${rate(row.batchesPerSec[1])}${top}`);
}

/** The top line of a run and the independent share of that same line, for the table. */
export function topLineRow(summary: RunSummary, truth: readonly LineShare[]): TableRow['topLine'] {
  const top = summary.hotLines[0];
  if (!top) return undefined;
  return { line: `${place(top)} (${top.stage})`, share: top.share, truthShare: truth.find((l) => samePlace(l, top))?.share ?? 0 };
}
