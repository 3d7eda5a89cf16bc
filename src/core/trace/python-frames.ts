/**
 * Time by line from the Python frames of a PyTorch trace profiled with `with_stack=True`: complete
 * events named `file.py(LINE): function`, nested as the calls were. At each moment the time goes to
 * the innermost frame in the user's own code (as the runner's sampler attributes a sample), with the
 * library frames below it as its call path. The tracer names a frame by the line its function
 * starts at, so a "line" here is a function, shown at its `def`.
 *
 * A trace has no samples: an entry's count stands for the milliseconds it holds (at least 1).
 */
import type { LineEntry, LinesEvent, SampleStage } from '../../protocol/events';
import type { Span } from './trace-collector';

const FRAME_NAME = /^(.*)\((\d+)\): (.*)$/;
const LIBRARY_FILE = /(^|[\\/])(site-packages|dist-packages)[\\/]|[\\/]lib[\\/]python\d[^\\/]*[\\/]|^<|^(torch|threading|contextlib|functools|typing)([\\/.]|$)/;
const MAX_PATH_FRAMES = 8;

interface Frame {
  file: string | null;
  line: number;
  fn: string;
  user: boolean;
  end: number;
}

export function isLibraryFile(file: string): boolean {
  return LIBRARY_FILE.test(file);
}

/**
 * @param frames the main thread's Python frames (µs)
 * @param origin the trace's first moment (µs): entries' times are ms since it
 * @param stagesOf how a time range (µs) splits by stage, in µs per stage
 */
export function linesFromPythonFrames(frames: readonly Span[], origin: number, stagesOf: (from: number, to: number) => Array<[SampleStage, number]>): LinesEvent {
  const sorted = [...frames].sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const entries = new Map<string, LineEntry & { ms: number }>();
  const stack: Frame[] = [];
  let cursor = sorted[0]?.ts ?? origin;
  const attribute = (until: number): void => {
    if (until <= cursor) return;
    const from = cursor;
    cursor = until;
    let own = stack.length - 1;
    while (own >= 0 && !(stack[own] as Frame).user) own--;
    if (own < 0) return;
    const frame = stack[own] as Frame;
    const path = stack.slice(own + 1, own + 1 + MAX_PATH_FRAMES).map((f) => `${moduleOf(f.file)}:${f.fn}`);
    for (const [stage, duration] of stagesOf(from, until)) {
      const key = `${frame.file}\0${frame.line}\0${stage}\0${path.join('\n')}`;
      const entry = entries.get(key) ?? { file: frame.file as string, line: frame.line, fn: frame.fn, stage, count: 0, ms: 0, path };
      entry.ms += duration / 1000;
      entries.set(key, entry);
    }
  };
  for (const span of sorted) {
    while (stack.length > 0 && (stack[stack.length - 1] as Frame).end <= span.ts) {
      attribute((stack[stack.length - 1] as Frame).end);
      stack.pop();
    }
    attribute(span.ts);
    stack.push(frameOf(span));
  }
  while (stack.length > 0) {
    attribute((stack[stack.length - 1] as Frame).end);
    stack.pop();
  }
  const first = sorted[0]?.ts ?? origin;
  const last = sorted.reduce((latest, s) => Math.max(latest, s.ts + s.dur), first);
  const periodMs = (last - first) / 1000;
  return {
    type: 'lines',
    t: (first - origin) / 1000,
    periodMs,
    samples: Math.max(1, Math.round(periodMs)),
    entries: [...entries.values()].map((e) => ({ ...e, ms: Math.round(e.ms * 1000) / 1000, count: Math.max(1, Math.round(e.ms)) })),
  };
}

function frameOf(span: Span): Frame {
  const match = FRAME_NAME.exec(span.name);
  const end = span.ts + span.dur;
  if (!match) return { file: null, line: 0, fn: span.name, user: false, end };
  const file = match[1] as string;
  return { file, line: Number(match[2]), fn: match[3] as string, user: !isLibraryFile(file), end };
}

/** `torch/nn/modules/module.py` → `torch.nn.modules.module`, as the runner names library frames. */
function moduleOf(file: string | null): string {
  if (!file) return '';
  const inPackages = /(?:site-packages|dist-packages)[\\/](.*)$/.exec(file);
  return (inPackages?.[1] ?? file).replace(/\.py$/, '').replace(/[\\/]/g, '.');
}
