/**
 * Runs an action at most once per interval: at once when it has been quiet long enough, otherwise
 * once at the end of the interval, so the last state is always shown (status bar ~1 Hz, heat ~1 Hz).
 */

export interface Clock {
  now(): number;
  setTimeout(action: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (action, ms) => setTimeout(action, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class Throttle {
  private lastRunMs = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private disposed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly action: () => void,
    private readonly clock: Clock = systemClock,
  ) {}

  request(): void {
    if (this.disposed || this.timer !== undefined) return;
    const waitMs = this.lastRunMs + this.intervalMs - this.clock.now();
    if (waitMs <= 0) {
      this.run();
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, waitMs);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    if (this.disposed) return;
    this.lastRunMs = this.clock.now();
    this.action();
  }
}
