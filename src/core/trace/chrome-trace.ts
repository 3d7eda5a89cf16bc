/**
 * A recording as Chrome trace-event JSON (the format Perfetto and chrome://tracing open): per rank
 * (one process track each; one track when the run has no ranks), each step and each of its stages
 * as a complete ("X") event on the main thread's track, evaluation passes likewise, and telemetry
 * as counter ("C") tracks.
 *
 * A recording keeps each stage's time per step, not when within the step it ran, so the stages are
 * laid out one after another inside their step, in the order a step runs them (data, forward,
 * backward, optimizer, then the rest). Timestamps are µs on one clock for all tracks: since the
 * earliest track's runner started its clock.
 */
import type { StageName, StepEvent } from '../../protocol/events';
import type { RecordedEvent, TelemetryEvent } from '../../protocol/recording';
import { isStaged } from '../staged-steps';

export interface TraceTrack {
  /** Shown as the process name, e.g. the script and run id. */
  label: string;
  rank: number | null;
  events: readonly RecordedEvent[];
}

export interface ChromeTraceEvent {
  name: string;
  ph: 'X' | 'C' | 'M';
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string>;
}

export const STAGE_ORDER: readonly StageName[] = ['data', 'forward', 'backward', 'forwardBackward', 'optimizer', 'other'];
const MAIN_THREAD = 1;
const MIB = 1024 * 1024;

export function toChromeTrace(tracks: readonly TraceTrack[]): ChromeTrace {
  const traceEvents: ChromeTraceEvent[] = [];
  // Each process times its steps from its own origin: one clock for all, the earliest's.
  const clocks = tracks.map(clockOf);
  const baseMs = Math.min(...clocks.map((c) => c.stepsOriginMs));
  tracks.forEach((track, i) => {
    const pid = track.rank ?? i;
    const meta = (name: string, args: Record<string, unknown>, tid = 0): ChromeTraceEvent => ({ name, ph: 'M', ts: 0, pid, tid, args });
    traceEvents.push(meta('process_name', { name: track.rank === null ? track.label : `rank ${track.rank}: ${track.label}` }));
    traceEvents.push(meta('process_sort_index', { sort_index: pid }));
    traceEvents.push(meta('thread_name', { name: 'main thread' }, MAIN_THREAD));
    const clock = clocks[i] as TrackClock;
    const stepsOffsetMs = clock.stepsOriginMs - baseMs;
    const telemetryOffsetMs = clock.runStartMs - baseMs;
    let lastStepEnd = -Infinity;
    for (const event of track.events) {
      if (event.type === 'step') {
        const events = stepEvents({ ...event, t: event.t + stepsOffsetMs }, pid, lastStepEnd);
        traceEvents.push(...events);
        lastStepEnd = (events[0]?.ts ?? 0) + (events[0]?.dur ?? 0);
      } else if (event.type === 'eval') {
        traceEvents.push({ name: 'eval', cat: 'eval', ph: 'X', ts: us(event.t + stepsOffsetMs), dur: us(event.ms), pid, tid: MAIN_THREAD, args: { batches: event.batches } });
      } else if (event.type === 'telemetry') {
        traceEvents.push(...counterEvents(event, pid, telemetryOffsetMs));
      }
    }
  });
  return {
    traceEvents,
    displayTimeUnit: 'ms',
    otherData: {
      exporter: 'TrainLens',
      stages: 'A step\'s stages are laid out one after another inside it (data, forward, backward, optimizer, other): the recording keeps their times, not their order within the step.',
    },
  };
}

/** A step and its stages; it starts no earlier than the step before ends (rounded times may overlap by 1 µs, which viewers show as misnested). */
/** Epoch ms of a track's two clocks: steps count from the runner's time origin, telemetry from the run's start. */
interface TrackClock {
  stepsOriginMs: number;
  runStartMs: number;
}

function clockOf(track: TraceTrack): TrackClock {
  let runStartMs: number | undefined;
  let stepsOriginMs: number | undefined;
  for (const event of track.events) {
    if (event.type === 'run') runStartMs = event.startedAtMs;
    else if (event.type === 'hello') stepsOriginMs = event.timeOriginMs;
    if (runStartMs !== undefined && stepsOriginMs !== undefined) break;
  }
  return { stepsOriginMs: stepsOriginMs ?? runStartMs ?? 0, runStartMs: runStartMs ?? stepsOriginMs ?? 0 };
}

function stepEvents(step: StepEvent, pid: number, previousEnd: number): ChromeTraceEvent[] {
  const end = us(step.t) + us(step.ms);
  const start = Math.min(end, Math.max(us(step.t), previousEnd));
  const args: Record<string, unknown> = { index: step.index, ms: step.ms };
  if (typeof step.samples === 'number') args.samples = step.samples;
  if (typeof step.tokens === 'number') args.tokens = step.tokens;
  // Its stages were not measured (staged-steps.ts): the slice stands alone, not as time in no stage.
  if (!isStaged(step)) args.stagesTimed = false;
  const events: ChromeTraceEvent[] = [{ name: `step ${step.index}`, cat: 'step', ph: 'X', ts: start, dur: end - start, pid, tid: MAIN_THREAD, args }];
  let at = start;
  for (const stage of STAGE_ORDER) {
    const ms = step.stages[stage];
    if (typeof ms !== 'number' || ms <= 0) continue;
    // Stage times are rounded apart from the step's: never past the step's end, so they nest.
    const dur = Math.min(us(ms), end - at);
    if (dur <= 0) break;
    events.push({ name: stage, cat: 'stage', ph: 'X', ts: at, dur, pid, tid: MAIN_THREAD, args: { ms } });
    at += dur;
  }
  return events;
}

function counterEvents(sample: TelemetryEvent, pid: number, offsetMs: number): ChromeTraceEvent[] {
  const ts = us(sample.t + offsetMs);
  const counter = (name: string, args: Record<string, number>): ChromeTraceEvent => ({ name, cat: 'telemetry', ph: 'C', ts, pid, tid: 0, args });
  const events = [
    counter('CPU %', { process: sample.proc.cpuPct, system: sample.system.cpuPct }),
    counter('Memory MiB', { rss: sample.proc.rssBytes / MIB, system: sample.system.memUsedBytes / MIB }),
  ];
  for (const gpu of sample.gpus ?? []) {
    if (gpu.utilPct !== null) events.push(counter(`GPU ${gpu.index} util %`, { util: gpu.utilPct }));
    if (gpu.memUsedMiB !== null) events.push(counter(`GPU ${gpu.index} memory MiB`, { used: gpu.memUsedMiB }));
  }
  return events;
}

/** ms → µs, to a nanosecond: trace viewers read `ts` and `dur` as µs. */
function us(ms: number): number {
  return Math.round(ms * 1_000_000) / 1000;
}
