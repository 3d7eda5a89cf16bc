/**
 * When the Runs view lists the recordings again: once the changes in a runs folder settle, so a
 * burst of them (a folder deleted file by file, a run and its ceilings' probe runs) is one listing.
 */
import type { Clock } from './throttle';

/** Quiet time before the list is read again: long enough for a folder's files to land together. */
export const REFRESH_DEBOUNCE_MS = 300;

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (action, ms) => setTimeout(action, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Runs the action once, `delayMs` after the last request of a burst. */
export class Debounce {
  private timer: unknown;
  private disposed = false;

  constructor(
    private readonly delayMs: number,
    private readonly action: () => void,
    private readonly clock: Clock = systemClock,
  ) {}

  request(): void {
    if (this.disposed) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.disposed) this.action();
    }, this.delayMs);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
