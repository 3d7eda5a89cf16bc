/**
 * What a long run's steps cost the process that aggregates them (the extension host, the CLI):
 * heap after a million steps held as the events they arrive as (what the aggregator held before
 * step-log.ts) and through the aggregator's bounded step log, side by side in one process, and
 * how long the run's summary then takes. Target: heap bounded whatever the step count.
 */
import { RunAggregator } from '../src/core/aggregator';
import type { StepEvent } from '../src/protocol/events';

const STEPS = 1_000_000;

/** A fresh event per step, as the decoder hands them over, shaped like a PyTorch DataLoader step. */
function stepEvent(index: number): StepEvent {
  const ms = 2 + (index % 13) * 0.01;
  return { type: 'step', index, t: index * ms, ms, samples: 32, stages: { data: 0.2, forward: 0.6, backward: 0.9, optimizer: ms - 1.7 }, dataCpuMs: 0.05 };
}

function heapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

export async function runAggregatorMemoryBench(): Promise<string[]> {
  const base = heapMiB();
  const held: StepEvent[] = [];
  for (let i = 0; i < STEPS; i++) held.push(stepEvent(i));
  const heldMiB = heapMiB() - base;
  held.length = 0;
  const before = heapMiB();
  const aggregator = new RunAggregator();
  for (let i = 0; i < STEPS; i++) aggregator.add(stepEvent(i));
  const boundedMiB = heapMiB() - before;
  const started = performance.now();
  const summary = aggregator.summary('bench');
  const summaryMs = performance.now() - started;
  const gc = typeof (globalThis as { gc?: unknown }).gc === 'function' ? '' : ' (no --expose-gc: heap figures include garbage)';
  return [
    `aggregator memory: ${STEPS.toLocaleString('en-US')} steps${gc}`,
    `  held as events ${heldMiB.toFixed(0)} MiB · through the bounded step log ${boundedMiB.toFixed(0)} MiB (${(heldMiB / Math.max(boundedMiB, 1e-9)).toFixed(1)}× less) · summary of ${summary.steps.toLocaleString('en-US')} steps in ${summaryMs.toFixed(0)} ms; target: bounded whatever the step count`,
  ];
}
