/**
 * One tuning trial: the user's command recorded with settings applied by the runner, stopped
 * through the run's ordinary stop path (SIGINT, then the escalation) once it has run its steps.
 * A trial that crashes, runs out of memory or hangs ends as a result, never as an error. Its output
 * goes to output.log in its recording folder instead of the terminal.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TrialResult, TrialStatus } from '../../core/tune/result';
import type { TuneSettings } from '../../core/tune/settings';
import type { RunSummary } from '../../core/summary';
import { RunSession, type RunRequest } from '../run-session';

/** A trial's output kept in output.log, at most (the rest is dropped). */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
export const OUTPUT_LOG = 'output.log';

export interface TrialLimits {
  /** Stop after this many steps. */
  steps?: number;
  /** Or after this long since the first step (the baseline, whose speed is not known yet). */
  afterFirstStepMs?: number;
  /** Stop as timed out when no step arrives for this long (start-up included). */
  stallMs: number;
}

export interface TrialHandle {
  /** Ends the trial now (the user stopped tuning). */
  stop(): void;
  readonly result: Promise<TrialOutcome>;
}

export interface TrialOutcome {
  result: TrialResult;
  summary: RunSummary | null;
}

type OwnStop = 'limit' | 'stall' | 'user';

export async function startTrial(base: RunRequest, settings: TuneSettings, rung: number, limits: TrialLimits): Promise<TrialHandle> {
  const startedMs = Date.now();
  let session: RunSession;
  try {
    session = await RunSession.start({ ...base, stdio: 'pipe', overrides: settings });
  } catch (error) {
    const result = failedToStart(settings, rung, (error as Error).message, Date.now() - startedMs);
    return { stop: () => undefined, result: Promise.resolve({ result, summary: null }) };
  }
  const log = fs.createWriteStream(path.join(session.dir, OUTPUT_LOG));
  let written = 0;
  for (const stream of [session.process.stdout, session.process.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      if (written < MAX_OUTPUT_BYTES) log.write(chunk);
      written += chunk.length;
    });
  }
  session.process.stdin?.end();

  let ownStop: OwnStop | undefined;
  const stop = (why: OwnStop, reason: string): void => {
    if (ownStop !== undefined) return;
    ownStop = why;
    void session.stop(reason);
  };
  let firstStepMs: number | undefined;
  let lastProgressMs = Date.now();
  const listener = session.onEvents(() => {
    const steps = session.aggregator.stepCount;
    if (steps === 0) return;
    const now = Date.now();
    firstStepMs ??= now;
    lastProgressMs = now;
    const enoughSteps = limits.steps !== undefined && steps >= limits.steps;
    const enoughTime = limits.afterFirstStepMs !== undefined && now - firstStepMs >= limits.afterFirstStepMs;
    if (enoughSteps || enoughTime) stop('limit', `tuning trial: ran its ${steps} steps`);
  });
  const watchdog = setInterval(() => {
    if (Date.now() - lastProgressMs > limits.stallMs) stop('stall', `tuning trial: no step for ${Math.round(limits.stallMs / 1000)} s`);
  }, 250);

  const result = session.done.then(async (summary) => {
    clearInterval(watchdog);
    listener.dispose();
    await new Promise<void>((resolve) => log.end(resolve));
    return { result: trialResult(settings, rung, summary, ownStop, Date.now() - startedMs), summary };
  });
  return { stop: () => stop('user', 'tuning stopped by the user'), result };
}

function trialResult(settings: TuneSettings, rung: number, summary: RunSummary, ownStop: OwnStop | undefined, durationMs: number): TrialResult {
  const measured = { settings, rung, steps: summary.steps, batchesPerSec: summary.throughput.batchesPerSec, recording: summary.recording, durationMs };
  const notApplied = settingsNotApplied(settings, summary);
  const [status, note] = ((): [TrialStatus, string | null] => {
    if (ownStop === 'user') return ['stopped', 'tuning was stopped during this trial'];
    if (ownStop === 'stall') return ['timed-out', `no step for too long after ${summary.steps} steps: stopped`];
    if (ownStop === undefined && summary.status !== 'completed') return ['failed', whyFailed(summary)];
    if (notApplied) return ['not-applied', notApplied];
    if (summary.throughput.batchesPerSec === null) return ['failed', summary.notes[0] ?? 'no steady-state steps were measured'];
    return [ownStop === 'limit' ? 'measured' : 'completed', null];
  })();
  return { ...measured, status, note };
}

/** The loader event reports the DataLoader's own attributes after __init__: what really ran. */
function settingsNotApplied(settings: TuneSettings, summary: RunSummary): string | null {
  const loader = summary.loaders[0];
  const asked: Array<[string, unknown, unknown]> = [
    ['num_workers', settings.numWorkers, loader?.numWorkers],
    ['prefetch_factor', settings.prefetchFactor, loader?.prefetchFactor],
    ['pin_memory', settings.pinMemory, loader?.pinMemory],
  ];
  for (const [name, wanted, seen] of asked) {
    if (wanted !== undefined && wanted !== seen) return `${name}=${String(wanted)} asked, the DataLoader ran with ${seen === undefined ? 'no loader seen' : String(seen)}`;
  }
  return null;
}

function whyFailed(summary: RunSummary): string {
  if (summary.error) {
    // A DataLoader worker's error arrives with the worker's traceback: its last line says what failed.
    const last = summary.error.message.trim().split('\n').pop()?.trim() ?? '';
    return /^[\w.]+(Error|Exception|Exit|Interrupt)\b/.test(last) ? last : `${summary.error.excType}: ${last}`;
  }
  if (summary.signal === 'SIGKILL') return 'killed (SIGKILL), as the kernel does when memory runs out';
  return summary.signal ? `ended by ${summary.signal}` : `exited with status ${summary.exitCode ?? 'unknown'}`;
}

function failedToStart(settings: TuneSettings, rung: number, message: string, durationMs: number): TrialResult {
  return { settings, rung, steps: 0, batchesPerSec: null, status: 'failed', note: `could not start: ${message}`, recording: null, durationMs };
}
