/**
 * Hot lines inside tfjs's training calls: after fit/fitDataset/trainOnBatch's first await no user
 * frame is on the stack, so those samples go to the line that made the call, while samples that do
 * have a user frame (a dataset's map function) keep their own line.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { LineEntry } from '../../src/protocol/events';
import { eventsOf, FIXTURES, lineOf, makeRunnersDir, runInstrumented, topLines, type RunResult } from './harness';

const IN_STEP = new Set(['data', 'forward', 'backward', 'forwardBackward', 'optimizer', 'other']);

function inStepEntries(run: RunResult): LineEntry[] {
  return eventsOf(run, 'lines').flatMap((batch) => batch.entries.filter((e) => IN_STEP.has(e.stage)));
}

/** The line sampler's own rate over the run: every sample it took, user frame or not, per ms. */
function samplesPerMs(run: RunResult): number {
  const batches = eventsOf(run, 'lines');
  return batches.reduce((sum, b) => sum + b.samples, 0) / batches.reduce((sum, b) => sum + b.periodMs, 0);
}

function timesOf(run: RunResult): { mapMs: number; fitMs: number } {
  const line = run.stdout.split('\n').find((l) => l.startsWith('FIT_TIMES '));
  if (!line) throw new Error(`no FIT_TIMES in stdout:\n${run.stdout.slice(-2000)}`);
  return JSON.parse(line.slice('FIT_TIMES '.length)) as { mapMs: number; fitMs: number };
}

describe('node runner: hot lines inside tfjs training calls', function () {
  this.timeout(120_000);
  let runnersDir: string;
  before(() => (runnersDir = makeRunnersDir()));
  after(() => fs.rmSync(runnersDir, { recursive: true, force: true }));

  it("fitDataset: the map function's line gets its share of the script's own clock, the call line the rest", async () => {
    const script = path.join(FIXTURES, 'fit_dataset_map.js');
    const run = await runInstrumented(runnersDir, ['node', script]);
    assert.equal(run.exitCode, 0, run.stderr);
    const { mapMs, fitMs } = timesOf(run);
    const entries = inStepEntries(run);
    const userSamples = entries.reduce((sum, e) => sum + e.count, 0);
    // Every sample taken in a step, with a user frame or not, from the sampler's rate over the run.
    const stepSamples = samplesPerMs(run) * eventsOf(run, 'step').reduce((sum, s) => sum + s.ms, 0);
    const countAt = (marker: string) => entries.filter((e) => e.file === script && e.line === lineOf(script, marker)).reduce((sum, e) => sum + e.count, 0);
    const burnShare = countAt('// BURN LINE') / userSamples;
    const callShare = countAt('// FIT LINE') / userSamples;
    console.log(
      `      ${userSamples} samples on user lines of ~${stepSamples.toFixed(0)} in steps; map line ${burnShare.toFixed(3)} (script's clock ${(mapMs / fitMs).toFixed(3)}), fitDataset line ${callShare.toFixed(3)}`,
    );
    assert.ok(userSamples / stepSamples > 0.8, `${userSamples} of ~${stepSamples} in-step samples on user lines`);
    assert.ok(Math.abs(burnShare - mapMs / fitMs) < 0.08, `map line share ${burnShare}, script's clock ${mapMs / fitMs}`);
    // What is neither map nor generator is tfjs's training, called from the fitDataset line.
    assert.ok(callShare > 0.75 * (1 - mapMs / fitMs), `fitDataset line share ${callShare}`);
    // Their call path names tfjs's frames (the rest: garbage collection and the like).
    const call = entries.filter((e) => e.line === lineOf(script, '// FIT LINE') && e.stage === 'forwardBackward');
    const inTfjs = call.filter((e) => e.path?.some((frame) => frame.startsWith('@tensorflow/'))).reduce((sum, e) => sum + e.count, 0);
    assert.ok(inTfjs > 0.8 * call.reduce((sum, e) => sum + e.count, 0), JSON.stringify(call.slice(0, 3)));
  });

  it('a trainOnBatch loop: the forward/backward and optimizer samples go to the line that calls trainOnBatch', async () => {
    const script = path.join(FIXTURES, 'train_on_batch.js');
    const run = await runInstrumented(runnersDir, ['node', script]);
    assert.equal(run.exitCode, 0, run.stderr);
    const training = topLines(run).map((l) => ({ ...l, count: (l.stages.forwardBackward ?? 0) + (l.stages.optimizer ?? 0) })).sort((a, b) => b.count - a.count);
    const [top] = training;
    const total = training.reduce((sum, l) => sum + l.count, 0);
    console.log(`      top training line ${path.basename(top?.file ?? '')}:${top?.line}, ${top?.count} of ${total} samples`);
    assert.ok(top);
    assert.deepEqual({ file: top.file, line: top.line }, { file: script, line: lineOf(script, 'model.trainOnBatch(') });
    assert.ok(top.count > 0.9 * total, `${top.count} of ${total}`);
  });
});
