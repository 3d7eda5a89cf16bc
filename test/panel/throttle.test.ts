import assert from 'node:assert/strict';
import { Throttle, type Clock } from '../../src/extension/panel/throttle';

class FakeClock implements Clock {
  nowMs = 0;
  private timers: Array<{ at: number; callback: () => void; id: number }> = [];
  private nextId = 1;
  now(): number {
    return this.nowMs;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.nowMs + ms, callback, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    const until = this.nowMs + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.nowMs = next.at;
      next.callback();
    }
    this.nowMs = until;
  }
}

describe('refresh throttle', () => {
  it('sends at most 10 times a second, and always after the last change', () => {
    const clock = new FakeClock();
    const runs: number[] = [];
    const throttle = new Throttle(100, () => runs.push(clock.now()), clock);
    for (let t = 0; t < 1000; t += 5) {
      throttle.request();
      clock.advance(5);
    }
    clock.advance(200);
    assert.ok(runs.length <= 11, `${runs.length} runs`);
    for (let i = 1; i < runs.length; i++) assert.ok((runs[i] as number) - (runs[i - 1] as number) >= 100);
    assert.ok((runs[runs.length - 1] as number) >= 995, 'the last request is served');
  });

  it('runs nothing after dispose', () => {
    const clock = new FakeClock();
    let runs = 0;
    const throttle = new Throttle(100, () => runs++, clock);
    throttle.request();
    throttle.dispose();
    clock.advance(500);
    assert.equal(runs, 0);
  });
});
