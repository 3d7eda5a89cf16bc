/** Line sampling: the hot line of a slow function, in JavaScript and through tsx's source maps. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { record } from '../integration/cli-harness';
import { eventsOf, EXAMPLES, FIXTURES, lineOf, makeRunnersDir, runInstrumented, scriptResult, topLines } from './harness';

describe('node runner: hot lines', function () {
  this.timeout(120_000);
  let runnersDir: string;
  before(() => (runnersDir = makeRunnersDir()));
  after(() => fs.rmSync(runnersDir, { recursive: true, force: true }));

  it('the marked line of a deliberately slow function is the top line, in the data stage', async () => {
    const script = path.join(FIXTURES, 'hot_function.js');
    const run = await runInstrumented(runnersDir, ['node', script]);
    assert.equal(run.exitCode, 0, run.stderr);
    const [top] = topLines(run);
    console.log(`      top line ${path.basename(top?.file ?? '')}:${top?.line} (${JSON.stringify(top?.stages)}), HOT LINE is ${lineOf(script, '// HOT LINE')}`);
    assert.equal(top?.file, script);
    assert.equal(top.line, lineOf(script, '// HOT LINE'));
    assert.equal(Object.entries(top.stages).sort((a, b) => b[1] - a[1])[0]?.[0], 'data');
  });

  // tsx emits a module on one generated line, so the line is slowFeature's declaration (see hot_line.ts).
  for (const launch of [['node', '--import', 'tsx'], ['npx', 'tsx']]) {
    it(`a TypeScript script's hot line is its .ts source line under \`${launch.join(' ')}\``, async () => {
      const script = path.join(EXAMPLES, 'hot_line.ts');
      const run = await runInstrumented(runnersDir, [...launch, 'hot_line.ts'], { cwd: EXAMPLES });
      assert.equal(run.exitCode, 0, run.stderr);
      const [top] = topLines(run);
      console.log(`      top line ${path.basename(top?.file ?? '')}:${top?.line}, slowFeature declared at ${lineOf(script, 'function slowFeature')}`);
      assert.equal(top?.file, script);
      assert.equal(top.line, lineOf(script, 'function slowFeature'));
      assert.equal(eventsOf(run, 'framework')[0]?.package, '@tensorflow/tfjs');
      assert.equal(eventsOf(run, 'step').length, scriptResult(run).steps);
    });
  }

  it('a script that never loads tfjs: no training steps observed, its CPU lines still recorded', () => {
    const script = path.join(FIXTURES, 'spawns_child.js');
    // busy() takes a fraction of a second: at the default 50 Hz its share came from 6-8 samples.
    const run = record(script, [], { extra: ['--sample-hz', '500'] });
    assert.equal(run.code, 0, run.stderr);
    const s = run.summary!;
    assert.equal(s.steps, 0);
    assert.equal(s.framework, null);
    assert.ok(s.notes.includes('no training steps observed'), s.notes.join('; '));
    // The other hot spot is the wait for the child in execFileSync, which a busy machine makes longer
    // than busy() itself; the module's own function is on the stack there, known only by its line 1.
    const busy = s.hotLines.find((l) => l.fn === 'busy');
    console.log(`      notes ${JSON.stringify(s.notes)}; busy() at line ${busy?.line}, ${((busy?.share ?? 0) * 100).toFixed(0)}% of ${s.lineSamples} samples`);
    assert.ok(s.hotLines.every((l) => l.file === script));
    assert.equal(busy?.line, lineOf(script, '// BUSY LINE'));
    assert.ok(busy.share > 0.25, `busy() share ${busy.share}`);
    // No step ever began, so every sample came before the first one.
    assert.equal(busy.stage, 'startup');
  });

  // RunnerOptions.longRun: the first line window ending past afterS restarts the profiler at the long
  // run's interval. What a sample should stand for comes from the rates the run was given; what it
  // does, from the lines events' own periods and counts.
  it('samples at sampleHz until afterS, then at the long run rate in longer windows', async () => {
    const [sampleHz, longRunHz, afterS] = [200, 20, 1];
    const script = path.join(FIXTURES, 'spin_chunks.js');
    const run = await runInstrumented(runnersDir, ['node', script, '7'], { sampleHz, longRun: { sampleHz: longRunHz, afterS } });
    assert.equal(run.exitCode, 0, run.stderr);
    const hello = eventsOf(run, 'hello')[0];
    assert.deepEqual([hello?.sampleHz, hello?.longRunSampleHz, hello?.longRunAfterS], [sampleHz, longRunHz, afterS]);
    const batches = eventsOf(run, 'lines');
    // A batch is one window, and the window that ends past afterS was still sampled at the full rate.
    const before = batches.filter((b) => b.t - b.periodMs < afterS * 1000);
    const after = batches.filter((b) => b.t - b.periodMs >= afterS * 1000);
    const msPerSample = (phase: typeof batches): number => phase.reduce((s, b) => s + b.periodMs, 0) / phase.reduce((s, b) => s + b.samples, 0);
    console.log(`      ${msPerSample(before).toFixed(1)} ms a sample in ${before.length} batches before ${afterS} s, ${msPerSample(after).toFixed(1)} in ${after.length} after`);
    assert.ok(before.length > 0 && after.length > 0, `batches at ${batches.map((b) => b.t.toFixed(0)).join(', ')}`);
    // A sample covers one interval or more (V8 skips a sample the thread cannot take): never less.
    assert.ok(msPerSample(before) >= 0.9 * (1000 / sampleHz), `${msPerSample(before)} ms a sample at ${sampleHz} Hz`);
    assert.ok(msPerSample(after) >= 0.9 * (1000 / longRunHz), `${msPerSample(after)} ms a sample at ${longRunHz} Hz`);
    assert.ok(msPerSample(before) < msPerSample(after) / 2);
    // Windows of 1 s, then of 5 s (the last one ends at the exit).
    assert.ok(before.every((b) => b.periodMs < 1500), `${before.map((b) => b.periodMs.toFixed(0)).join(', ')} ms windows before`);
    assert.ok(after.length >= 2 && Math.abs(after[0]!.periodMs - 5000) < 500, `${after.map((b) => b.periodMs.toFixed(0)).join(', ')} ms windows after`);
    // The samples still land in the script (in spin(), known by its first line while performance.now() is the leaf).
    assert.equal(topLines(run)[0]?.file, script);
  });
});
