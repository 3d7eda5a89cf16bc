import assert from 'node:assert/strict';
import { Throttle, type Clock } from '../../src/core/editor-view/throttle';

class FakeClock implements Clock {
  private nowMs = 0;
  private timers: Array<{ at: number; action: () => void }> = [];
  now(): number {
    return this.nowMs;
  }
  setTimeout(action: () => void, ms: number): unknown {
    const timer = { at: this.nowMs + ms, action };
    this.timers.push(timer);
    return timer;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }
  /** Fires due timers in order, each at its own time. */
  advance(ms: number): void {
    const until = this.nowMs + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.nowMs = next.at;
      next.action();
    }
    this.nowMs = until;
  }
}

describe('throttle', () => {
  it('runs at once, then at most once per interval, always ending with the latest request', () => {
    const clock = new FakeClock();
    const runs: number[] = [];
    const throttle = new Throttle(1000, () => runs.push(clock.now()), clock);
    throttle.request();
    for (let i = 0; i < 50; i++) {
      clock.advance(50);
      throttle.request();
    }
    clock.advance(1000);
    assert.deepEqual(runs, [0, 1000, 2000, 3000]);
  });

  it('runs nothing after dispose', () => {
    const clock = new FakeClock();
    let runs = 0;
    const throttle = new Throttle(1000, () => runs++, clock);
    throttle.request();
    throttle.request();
    throttle.dispose();
    clock.advance(5000);
    throttle.request();
    assert.equal(runs, 1);
  });
});
