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
import type { Ceilings, RunSummary } from '../core/summary';
import type { ProbeMode } from './launch/plan';
import { RunSession, type RunRequest } from './run-session';

/** Measured steps per probe, after its own warm-up steps. */
const PROBE_STEPS = 30;
/** A probe that has not reported by then is stopped (a script that never reaches a loader). */
const PROBE_TIMEOUT_MS = 120_000;

/** What one probe run gave: its event, or a plain reason why there is none. */
interface ProbeOutcome {
  event: CeilingEvent | undefined;
  note: string | null;
}

/** Prefix of the runners' `log` line that says why a probe measured nothing. */
const RUNNER_NOTE_PREFIX = 'ceiling probe: ';

export async function measureCeilings(request: RunRequest, runDir: string, actualBatchesPerSec: number | null): Promise<Ceilings> {
  const data = await probe(request, runDir, 'data-only');
  const compute = await probe(request, runDir, 'compute-only');
  return ceilingsFrom(data, compute, actualBatchesPerSec);
}

function ceilingsFrom(data: ProbeOutcome, compute: ProbeOutcome, actual: number | null): Ceilings {
  const known = [data.event?.batchesPerSec, compute.event?.batchesPerSec].filter((v): v is number => typeof v === 'number' && v > 0);
  const ceiling = known.length > 0 ? Math.min(...known) : null;
  const notes = [data.note, compute.note].filter((n): n is string => n !== null);
  let gap: number | null = null;
  if (ceiling !== null && actual !== null) {
    // Run-to-run noise can put the actual run slightly above a probe: that is "no gap", not a negative one.
    gap = Math.max(0, (ceiling - actual) / ceiling);
  }
  return {
    dataOnlyBatchesPerSec: data.event?.batchesPerSec ?? null,
    computeOnlyBatchesPerSec: compute.event?.batchesPerSec ?? null,
    actualBatchesPerSec: actual,
    ceilingBatchesPerSec: ceiling,
    gap,
    note: notes.length > 0 ? notes.join('; ') : null,
  };
}

async function probe(request: RunRequest, runDir: string, mode: ProbeMode): Promise<ProbeOutcome> {
  const session = await RunSession.start({
    ...request,
    runsDir: path.join(runDir, 'probes'),
    stdio: 'ignore',
    probe: { mode, steps: PROBE_STEPS },
    telemetry: false,
  });
  const timer = setTimeout(() => void session.stop(`ceiling probe timed out after ${PROBE_TIMEOUT_MS / 1000} s`), PROBE_TIMEOUT_MS);
  let summary: RunSummary;
  try {
    summary = await session.done;
  } finally {
    clearTimeout(timer);
  }
  const event = session.aggregator.ceilingEvents.find((e) => e.kind === (mode === 'data-only' ? 'data' : 'compute'));
  return { event, note: noteOn(mode, event, summary) };
}

function noteOn(mode: ProbeMode, event: CeilingEvent | undefined, summary: RunSummary): string | null {
  if (event) return event.steps < PROBE_STEPS ? `the ${mode} probe measured only ${event.steps} steps (the script ended first)` : null;
  if (summary.status === 'stopped') return `the ${mode} probe timed out after ${PROBE_TIMEOUT_MS / 1000} s`;
  if (summary.error) return `the ${mode} probe failed: ${summary.error.excType}: ${summary.error.message}`;
  const fromRunner = summary.notes.find((n) => n.startsWith(RUNNER_NOTE_PREFIX));
  if (fromRunner) return `${mode}: ${fromRunner.slice(RUNNER_NOTE_PREFIX.length)}`;
  if (mode === 'data-only' && summary.loaders.length === 0) return 'no data loader was seen, so the data-only ceiling was not measured';
  return `the ${mode} probe ended without measuring (exit ${summary.exitCode ?? summary.signal ?? 'unknown'})`;
}
