/**
 * Keeps, from a stream of Chrome trace events, only the complete ("X") events an import reads,
 * each cut down to a few fields: a PyTorch trace of a million operator events holds far fewer
 * steps, stage ranges, GPU activities and Python frames, so memory stays bounded by what is used.
 */
import { TraceFormatError, type TraceJsonSink } from './json-stream';

export type SpanKind = 'step' | 'data' | 'optimizer' | 'backward' | 'kernel' | 'memcpy' | 'memset' | 'python';

export interface Span {
  kind: SpanKind;
  name: string;
  /** Microseconds, as trace events count them. */
  ts: number;
  dur: number;
  tid: string;
  /** ProfilerStep#N's N. */
  step?: number;
}

/**
 * Kept spans beyond this: the trace is too large to import. Measured on a 401 MB trace: 562,653
 * kept spans grew the process by 155 MB (~275 bytes each), so the cap stands for ~400 MB.
 */
export const MAX_SPANS = 1_500_000;

export class TraceCollector implements TraceJsonSink {
  readonly spans: Span[] = [];
  /** Top-level keys beside traceEvents (Kineto: distributedInfo, deviceProperties, …). */
  readonly metadata: Record<string, unknown> = {};
  /** Every element of the event array, kept or not. */
  events = 0;
  /** Complete ("X") events among them. */
  completeEvents = 0;

  private readonly strings = new Map<string, string>();

  constructor(private readonly maxSpans = MAX_SPANS) {}

  event(value: unknown): void {
    this.events++;
    if (typeof value !== 'object' || value === null) return;
    const e = value as Record<string, unknown>;
    if (e.ph !== 'X' || typeof e.name !== 'string' || typeof e.ts !== 'number' || typeof e.dur !== 'number') return;
    if (!Number.isFinite(e.ts) || !Number.isFinite(e.dur) || e.dur < 0) return;
    this.completeEvents++;
    const cat = typeof e.cat === 'string' ? e.cat.toLowerCase() : '';
    const kind = spanKind(e.name, cat);
    if (!kind) return;
    if (this.spans.length >= this.maxSpans) {
      throw new TraceFormatError(`the trace is too large to import: more than ${this.maxSpans.toLocaleString('en-US')} steps, stage ranges, GPU activities and Python frames`);
    }
    const span: Span = { kind, name: this.intern(e.name), ts: e.ts, dur: e.dur, tid: this.intern(String(e.tid ?? '')) };
    if (kind === 'step') span.step = Number(e.name.slice(PROFILER_STEP.length));
    this.spans.push(span);
  }

  /** Names repeat (a kernel runs every step): one string each, not one per event. */
  private intern(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    this.strings.set(text, text);
    return text;
  }

  meta(key: string, value: unknown): void {
    this.metadata[key] = value;
  }
}

const PROFILER_STEP = 'ProfilerStep#';

function spanKind(name: string, cat: string): SpanKind | undefined {
  if (cat === 'kernel') return 'kernel';
  if (cat === 'gpu_memcpy' || cat === 'memcpy') return 'memcpy';
  if (cat === 'gpu_memset' || cat === 'memset') return 'memset';
  if (cat === 'python_function') return 'python';
  // The same ranges are mirrored on the GPU timeline (gpu_user_annotation): the CPU's are the step's.
  if (cat.startsWith('gpu_')) return undefined;
  if (name.startsWith(PROFILER_STEP)) return /^\d+$/.test(name.slice(PROFILER_STEP.length)) ? 'step' : undefined;
  if (name.startsWith('enumerate(DataLoader)#')) return 'data';
  if (name.startsWith('Optimizer.step#') || name.startsWith('Optimizer.zero_grad#')) return 'optimizer';
  if (name.startsWith('autograd::engine::evaluate_function')) return 'backward';
  return undefined;
}
