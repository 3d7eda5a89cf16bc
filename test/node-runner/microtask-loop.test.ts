/**
 * A loop that never lets the event loop turn: tiny_steps.js awaits trainOnBatch on tfjs's CPU
 * backend, which settles from microtasks alone, so no timer fires and the socket's 'connect' event
 * never comes. Its steps must still reach the host while it runs, so that a kill loses only the
 * last moments (runner.ts's STEPS_PER_CLOCK_CHECK, channel.ts's descriptor writes).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { eventsOf, FIXTURES, makeRunnersDir, runInstrumented } from './harness';

const FLUSH_MS = 250;

describe('node runner: a loop run from microtasks alone', function () {
  this.timeout(60_000);
  let runnersDir: string;
  before(() => (runnersDir = makeRunnersDir()));
  after(() => fs.rmSync(runnersDir, { recursive: true, force: true }));

  it('sends its steps while it runs, so a SIGKILL loses only the last flush periods', async () => {
    const run = await runInstrumented(runnersDir, ['node', path.join(FIXTURES, 'tiny_steps.js'), '60'], { sampleHz: 50, killAfterMs: 5000 });
    assert.equal(run.killedAtMs !== undefined && run.exitCode, null, 'the run was killed');
    const hello = eventsOf(run, 'hello')[0];
    const steps = eventsOf(run, 'step');
    assert.ok(hello && steps.length > 0, `${run.events.length} events, ${run.rejected.length} rejected`);
    assert.deepEqual(steps.map((s) => s.index), steps.map((_, i) => i), 'every step from the first, in order');
    const killedAt = run.killedAtMs as number;
    const lastEnd = hello.timeOriginMs + steps.at(-1)!.t + steps.at(-1)!.ms;
    const firstArrival = run.arrivedAtMs[run.events.indexOf(steps[0]!)] as number;
    console.log(`      ${steps.length} steps; the first arrived ${((killedAt - firstArrival) / 1000).toFixed(2)} s before the kill, the last ended ${(killedAt - lastEnd).toFixed(0)} ms before it`);
    // Steps went out while the loop ran, not only at its end (there is no end: the kill)...
    assert.ok(firstArrival < killedAt - 2 * FLUSH_MS, 'the first steps arrived only at the kill');
    // ...and the kill lost no more than a flush overdue (two periods) and the next one's worth.
    assert.ok(lastEnd >= killedAt - 4 * FLUSH_MS - 500, `the last step sent ended ${killedAt - lastEnd} ms before the kill`);
    // A kill in the middle of a write cuts the last line short; nothing else may be malformed.
    assert.ok(run.rejected.length <= 1, run.rejected.join('\n'));
  });
});
