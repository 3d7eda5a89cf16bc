/**
 * The user's line that called into tfjs (fit, fitDataset, trainOnBatch), read off a stack trace.
 * After tfjs's first await the training runs with no user frame on the stack, so the line sampler
 * gives that call's samples to this line (see the timeline's `called`).
 *
 * A trace costs ~30 µs (more under tsx, which maps every frame), far over a tiny model's per-step
 * budget, so trainOnBatch's line is kept per model and traced again at most once a second: a loop
 * calls it from one line, and a GAN's two models each keep their own.
 */
import type { UserCode, UserFrame } from './frames';

const REFRESH_MS = 1000;
/** Deep enough for the user's frame under our wrappers, whatever Error.stackTraceLimit the script set. */
const STACK_FRAMES = 20;

export class CallSites {
  private readonly byModel = new WeakMap<object, { frame: UserFrame | null; at: number }>();
  /** The model of the last call and what byModel holds for it (a loop calls one model). */
  private lastModel: object | null = null;
  private lastKnown: { frame: UserFrame | null; at: number } | undefined;

  constructor(private readonly code: UserCode) {}

  /** The innermost user frame on the stack now. */
  here(): UserFrame | null {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = STACK_FRAMES;
    try {
      return this.code.userFrameOf(new Error().stack);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  /** The line calling this model now: the one last traced, if that was under REFRESH_MS ago. */
  ofModel(model: unknown, now: number): UserFrame | null {
    if (typeof model !== 'object' || model === null) return this.here();
    const known = model === this.lastModel ? this.lastKnown : this.byModel.get(model);
    this.lastModel = model;
    this.lastKnown = known;
    if (known && now - known.at < REFRESH_MS) return known.frame;
    const traced = this.here();
    // The same line keeps its object: the timeline keeps one entry per distinct object.
    const frame = known?.frame && traced && sameFrame(known.frame, traced) ? known.frame : traced;
    this.lastKnown = { frame, at: now };
    this.byModel.set(model, this.lastKnown);
    return frame;
  }
}

function sameFrame(a: UserFrame, b: UserFrame): boolean {
  return a.file === b.file && a.line === b.line && a.fn === b.fn;
}
