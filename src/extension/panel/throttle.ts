/** Runs an action at most once per interval, always after the last request (trailing edge). */

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Throttle {
  private timer: unknown;
  private lastRunMs = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly action: () => void,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Many requests within one interval (or one tick) become one run. */
  request(): void {
    if (this.timer !== undefined) return;
    const waitMs = Math.max(0, this.lastRunMs + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.lastRunMs = this.clock.now();
      this.action();
    }, waitMs);
  }

  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
