/**
 * A PyTorch profiler trace (Kineto's JSON object, or the plain event array CPU-only builds such as
 * Debian's torch 1.13 write) as TrainLens steps, stages, GPU time and hot lines.
 *
 * Steps are the `ProfilerStep#N` ranges (`prof.step()` marks them). Within a step:
 *   data       the `enumerate(DataLoader)#…` ranges (the loader's `__next__`);
 *   optimizer  the `Optimizer.step#…` and `Optimizer.zero_grad#…` ranges;
 *   backward   from the first `autograd::engine::evaluate_function` range to the end of the last
 *              (on CUDA they run on autograd's own thread while the main thread waits in backward());
 *   forward    from the end of the data before it to the start of backward: the model's operators,
 *              the loss and the Python between them (a trace marks no forward as such);
 *   other      the rest of the step.
 * A stage is reported only when the trace has its ranges at all.
 */
import type { LinesEvent, SampleStage, StageName, StepEvent } from '../../protocol/events';
import type { GpuTime } from '../../protocol/recording';
import { clipTo, clipUnion, coveredLength, indexHolding, subtract, unionLengthWithin, unionOf, type Interval } from './intervals';
import type { ImportedRun } from './imported-run';
import { TraceFormatError } from './json-stream';
import { linesFromPythonFrames } from './python-frames';
import type { Span, TraceCollector } from './trace-collector';

const TOP_KERNELS = 10;
const COMMUNICATION_KERNEL = /nccl|rccl/i;

export function importPyTorchTrace(trace: Pick<TraceCollector, 'spans' | 'metadata' | 'events'>, format: 'kineto' | 'chrome-trace-array'): ImportedRun {
  const { spans } = trace;
  if (spans.length === 0) {
    const what = trace.events === 0 ? 'has no events' : `has ${trace.events.toLocaleString('en-US')} events but no ProfilerStep#N steps, GPU activity or Python frames`;
    throw new TraceFormatError(`not a PyTorch profiler trace TrainLens can read: it ${what}`);
  }
  let origin = Infinity;
  let end = -Infinity;
  for (const span of spans) {
    origin = Math.min(origin, span.ts);
    end = Math.max(end, span.ts + span.dur);
  }
  const byKind = groupByKind(spans);
  const stepSpans = profilerSteps(byKind.get('step') ?? []);
  const windows: Interval[] = stepSpans.length > 0 ? stepSpans.map((s) => [s.ts, s.ts + s.dur]) : [[origin, end]];
  const has = (kind: Span['kind']): boolean => (byKind.get(kind)?.length ?? 0) > 0;
  const stages: StageName[] = [];
  if (has('data')) stages.push('data');
  if (has('backward')) stages.push('forward', 'backward');
  if (has('optimizer')) stages.push('optimizer');
  stages.push('other');

  const ranges = {
    data: unionOf(intervalsOf(byKind.get('data'))),
    optimizer: unionOf(intervalsOf(byKind.get('optimizer'))),
    backward: unionOf(intervalsOf(byKind.get('backward'))),
  };
  const laidOut = stepSpans.map((span, i) => stepOf(span, i, origin, ranges, stages));
  const steps = laidOut.map((s) => s.step);
  const gpu = [...(byKind.get('kernel') ?? []), ...(byKind.get('memcpy') ?? []), ...(byKind.get('memset') ?? [])];
  const mainTid = stepSpans[0]?.tid ?? busiestTid(byKind.get('python') ?? []);
  const python = (byKind.get('python') ?? []).filter((s) => s.tid === mainTid);
  const lines: LinesEvent | null = python.length > 0 ? linesFromPythonFrames(python, origin, stageSplitter(laidOut)) : null;
  const distributed = recordOf(trace.metadata.distributedInfo);
  const notes: string[] = [];
  if (python.length === 0) notes.push('the trace has no Python frames (profile with with_stack=True for hot lines)');
  return {
    format,
    framework: 'pytorch',
    runner: 'python',
    device: gpu.length > 0 ? 'cuda' : 'cpu',
    steps,
    stages,
    lines,
    durationMs: (end - origin) / 1000,
    rank: integerOrNull(distributed?.rank),
    worldSize: integerOrNull(distributed?.world_size),
    gpuTime: gpu.length > 0 ? gpuTimeOf(gpu, windows) : null,
    noStepsWhy: stepSpans.length > 0 ? null : 'the trace has no ProfilerStep#N ranges (profile with a schedule and call prof.step() once per step)',
    notes,
  };
}

/** One range per step number, in time order: a trace may repeat a step's range on other tracks. */
function profilerSteps(spans: readonly Span[]): Span[] {
  const byStep = new Map<number, Span>();
  for (const span of spans) if (!byStep.has(span.step ?? -1)) byStep.set(span.step ?? -1, span);
  return [...byStep.values()].sort((a, b) => a.ts - b.ts);
}

/** Each kind's ranges over the whole trace, as unions (sorted, disjoint). */
interface StageRanges {
  data: Interval[];
  optimizer: Interval[];
  backward: Interval[];
}

/** A step and where its stages lie (µs), for the stage of a Python frame at a given moment. */
interface LaidOutStep {
  step: StepEvent;
  from: number;
  to: number;
  stageIntervals: Array<[StageName, Interval[]]>;
}

function stepOf(span: Span, position: number, origin: number, ranges: StageRanges, stages: readonly StageName[]): LaidOutStep {
  const from = span.ts;
  const to = span.ts + span.dur;
  const data = clipUnion(ranges.data, from, to);
  const optimizer = subtract(clipUnion(ranges.optimizer, from, to), data);
  const backwardRanges = clipUnion(ranges.backward, from, to);
  const taken = [...data, ...optimizer];
  let backward: Interval[] = [];
  let forward: Interval[] = [];
  if (backwardRanges.length > 0) {
    // A union's parts are in order: the first starts backward, the last ends it.
    const backwardStart = (backwardRanges[0] as Interval)[0];
    const backwardEnd = (backwardRanges[backwardRanges.length - 1] as Interval)[1];
    backward = subtract([[backwardStart, backwardEnd]], taken);
    const forwardStart = data.reduce((latest, [, e]) => (e <= backwardStart ? Math.max(latest, e) : latest), from);
    forward = subtract([[forwardStart, backwardStart]], taken);
  }
  const ms = (intervals: readonly Interval[]): number => coveredLength(intervals) / 1000;
  const stepMs = span.dur / 1000;
  const stageMs: Partial<Record<StageName, number>> = { data: ms(data), forward: ms(forward), backward: ms(backward), optimizer: ms(optimizer) };
  const named = stages.filter((s) => s !== 'other').reduce((total, s) => total + (stageMs[s] ?? 0), 0);
  stageMs.other = Math.max(0, stepMs - named);
  const stepStages: StepEvent['stages'] = {};
  for (const stage of stages) stepStages[stage] = round(stageMs[stage] ?? 0);
  return {
    step: { type: 'step', index: span.step ?? position, t: round((from - origin) / 1000), ms: round(stepMs), stages: stepStages },
    from,
    to,
    stageIntervals: [['data', data], ['optimizer', optimizer], ['backward', backward], ['forward', forward]],
  };
}

/** `windows`: the steps, in time order and not overlapping (ProfilerStep ranges follow one another). */
function gpuTimeOf(gpu: readonly Span[], windows: readonly Interval[]): GpuTime {
  const windowMs = windows.reduce((total, [s, e]) => total + (e - s), 0);
  const all = unionOf(intervalsOf(gpu));
  const communication = unionOf(intervalsOf(gpu.filter((s) => s.kind === 'kernel' && COMMUNICATION_KERNEL.test(s.name))));
  let busy = 0;
  let communicating = 0;
  for (const [from, to] of windows) {
    busy += unionLengthWithin(all, from, to);
    communicating += unionLengthWithin(communication, from, to);
  }
  const steps = unionOf(windows);
  const byName = new Map<string, { ms: number; count: number }>();
  for (const kernel of gpu) {
    if (kernel.kind !== 'kernel' || indexHolding(steps, kernel.ts + kernel.dur / 2) < 0) continue;
    const entry = byName.get(kernel.name) ?? { ms: 0, count: 0 };
    entry.ms += kernel.dur / 1000;
    entry.count++;
    byName.set(kernel.name, entry);
  }
  const topKernels = [...byName]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, TOP_KERNELS)
    .map(([name, { ms, count }]) => ({ name, ms: round(ms), count }));
  return {
    busyShare: windowMs > 0 ? busy / windowMs : 0,
    communicationShare: windowMs > 0 ? communicating / windowMs : 0,
    topKernels,
  };
}

/**
 * How the time [from, to) (µs, the trace's clock) splits by stage: before the first step start-up,
 * between steps none, within a step its stages' ranges and `other` for the rest.
 */
function stageSplitter(steps: readonly LaidOutStep[]): (from: number, to: number) => Array<[SampleStage, number]> {
  return (from, to) => {
    if (steps.length === 0) return [['none', to - from]];
    const parts: Array<[SampleStage, number]> = [];
    const firstFrom = (steps[0] as LaidOutStep).from;
    if (from < firstFrom) parts.push(['startup', Math.min(to, firstFrom) - from]);
    let covered = from < firstFrom ? Math.min(to, firstFrom) - from : 0;
    for (let i = firstStepEndingAfter(steps, from); i < steps.length; i++) {
      const step = steps[i] as LaidOutStep;
      if (step.from >= to) break;
      const s = Math.max(from, step.from);
      const e = Math.min(to, step.to);
      if (e <= s) continue;
      let named = 0;
      for (const [stage, intervals] of step.stageIntervals) {
        const ms = coveredLength(clipTo(intervals, s, e));
        if (ms > 0) parts.push([stage, ms]);
        named += ms;
      }
      if (e - s - named > 0) parts.push(['other', e - s - named]);
      covered += e - s;
    }
    if (to - from - covered > 0) parts.push(['none', to - from - covered]);
    return parts;
  };
}

function firstStepEndingAfter(steps: readonly LaidOutStep[], t: number): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((steps[mid] as LaidOutStep).to <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function groupByKind(spans: readonly Span[]): Map<Span['kind'], Span[]> {
  const groups = new Map<Span['kind'], Span[]>();
  for (const span of spans) {
    const group = groups.get(span.kind);
    if (group) group.push(span);
    else groups.set(span.kind, [span]);
  }
  return groups;
}

function busiestTid(spans: readonly Span[]): string | undefined {
  const time = new Map<string, number>();
  for (const s of spans) time.set(s.tid, (time.get(s.tid) ?? 0) + s.dur);
  return [...time].sort((a, b) => b[1] - a[1])[0]?.[0];
}

function intervalsOf(spans: readonly Span[] | undefined): Interval[] {
  return (spans ?? []).map((s) => [s.ts, s.ts + s.dur] as const);
}

function recordOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function integerOrNull(value: unknown): number | null {
  return Number.isInteger(value) ? (value as number) : null;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

