/**
 * Ceilings: how fast could this pipeline go? Two short probe runs of the same command, in separate
 * processes so the user's own run and results are never touched:
 *  - data-only: the first data loader iterated without training (the input pipeline's maximum);
 *  - compute-only: the first batch cached and replayed through the real training step (the
 *    model's maximum on this machine, with data loading taken out).
 * The pipeline cannot beat min(data, compute); the gap to it is what tuning can still win.
 */
import path from 'node:path';
import type { CeilingEvent } from '../protocol/events';
import type { Ceilings } from '../core/summary';
import { RunSession, type RunRequest } from './run-session';

/** Measured steps per probe, after its own warm-up steps. */
export const PROBE_STEPS = 30;
/** A probe that has not reported by then is stopped (a script that never reaches a loader). */
const PROBE_TIMEOUT_MS = 120_000;

export async function measureCeilings(request: RunRequest, runDir: string, actualBatchesPerSec: number | null): Promise<Ceilings> {
  const data = await probe(request, runDir, 'data-only');
  const compute = await probe(request, runDir, 'compute-only');
  return ceilingsFrom(data, compute, actualBatchesPerSec);
}

export function ceilingsFrom(data: CeilingEvent | undefined, compute: CeilingEvent | undefined, actual: number | null): Ceilings {
  const known = [data?.batchesPerSec, compute?.batchesPerSec].filter((v): v is number => typeof v === 'number' && v > 0);
  const ceiling = known.length > 0 ? Math.min(...known) : null;
  const notes: string[] = [];
  if (!data) notes.push('no data loader was seen, so the data-only ceiling was not measured');
  if (!compute) notes.push('the compute-only probe did not report');
  let gap: number | null = null;
  if (ceiling !== null && actual !== null) {
    // Run-to-run noise can put the actual run slightly above a probe: that is "no gap", not a negative one.
    gap = Math.max(0, (ceiling - actual) / ceiling);
  }
  return {
    dataOnlyBatchesPerSec: data?.batchesPerSec ?? null,
    computeOnlyBatchesPerSec: compute?.batchesPerSec ?? null,
    actualBatchesPerSec: actual,
    ceilingBatchesPerSec: ceiling,
    gap,
    note: notes.length > 0 ? notes.join('; ') : null,
  };
}

async function probe(request: RunRequest, runDir: string, mode: 'data-only' | 'compute-only'): Promise<CeilingEvent | undefined> {
  const session = await RunSession.start({
    ...request,
    runsDir: path.join(runDir, 'probes'),
    stdio: 'ignore',
    probe: { mode, steps: PROBE_STEPS },
    telemetry: false,
  });
  const timer = setTimeout(() => void session.stop('ceiling probe timed out'), PROBE_TIMEOUT_MS);
  try {
    await session.done;
  } finally {
    clearTimeout(timer);
  }
  return session.aggregator.ceilingEvents.find((e) => e.kind === (mode === 'data-only' ? 'data' : 'compute'));
}
