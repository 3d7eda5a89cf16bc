/**
 * Real fast runs (bench/shapes/fast_steps.py, PyTorch, and the tfjs trainOnBatch loop of a one-unit
 * model: sub-millisecond steps), recorded as the CLI and the editor record: the runner's every step
 * event, as the host received it, is the truth the bounded recording on disk is checked against.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRecording, loadSummary } from '../../src/host/recording/recording-reader';
import { EVENTS_FILE, SUMMARY_FILE } from '../../src/host/recording/recording-writer';
import { FIRST_STEPS } from '../../src/host/recording/step-compactor';
import { RunSession } from '../../src/host/run-session';
import { STAGE_NAMES, type StepEvent } from '../../src/protocol/events';
import { assertSummariesMatch } from './summary-match';

const REPO = path.resolve(__dirname, '..', '..');
const SHAPES = [
  { name: 'PyTorch fast_steps.py', command: ['/usr/bin/python3', path.join(REPO, 'bench', 'shapes', 'fast_steps.py'), '--seconds', '6'] },
  // tfjs's deep library call paths make its line samples heavy: the case that bounds them.
  { name: 'tfjs trainOnBatch (tiny_steps.js)', command: [process.execPath, path.join(REPO, 'test', 'fixtures', 'node-runner', 'tiny_steps.js'), '8'] },
];
const MB = 1024 * 1024;

const isStep = (event: { type: string }): event is StepEvent => event.type === 'step';

/** Steps, ms, stage ms and samples per second of the run's clock (by step end). */
function perSecond(steps: readonly StepEvent[]): Map<number, number[]> {
  const seconds = new Map<number, number[]>();
  for (const step of steps) {
    const second = Math.floor((step.t + step.ms) / 1000);
    const totals = seconds.get(second) ?? new Array<number>(3 + STAGE_NAMES.length).fill(0);
    const figures = [1, step.ms, step.samples ?? 0, ...STAGE_NAMES.map((stage) => step.stages[stage] ?? 0)];
    figures.forEach((value, i) => (totals[i] = (totals[i] as number) + value));
    seconds.set(second, totals);
  }
  return seconds;
}

describe('a real fast run, recorded bounded', function () {
  this.timeout(120_000);

  for (const shape of SHAPES) it(`${shape.name}: keeps every second of steps and rebuilds the live summary, in under 1 MB per minute of training`, async () => {
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-bounded-'));
    const session = await RunSession.start({
      command: shape.command,
      cwd: REPO,
      env: process.env,
      runsDir,
      runnersDir: path.join(REPO, 'dist'),
      stdio: 'ignore',
    });
    const received: StepEvent[] = [];
    session.onEvents((events) => received.push(...events.filter(isStep)));
    const live = await session.done;
    assert.equal(live.steps, received.length);

    const lines = fs.readFileSync(path.join(session.dir, EVENTS_FILE), 'utf8').split('\n').filter(Boolean);
    const stepRows = lines.filter((line) => line.includes('"type":"step"'));
    assert.ok(received.length > 2 * stepRows.length, `${received.length} steps in ${stepRows.length} step rows: a fast run is summed`);
    const trainingMs = received.at(-1)!.t + received.at(-1)!.ms - received[FIRST_STEPS]!.t;
    const bytesPastFirstSteps = lines.slice(lines.indexOf(stepRows[FIRST_STEPS - 1]!) + 1).reduce((total, line) => total + line.length + 1, 0);
    const perMinute = bytesPastFirstSteps / (trainingMs / 60_000);
    console.log(`      ${received.length} steps in ${stepRows.length} step rows; ${(perMinute / MB).toFixed(2)} MB per minute past the first ${FIRST_STEPS} steps`);
    assert.ok(perMinute < MB, `${bytesPastFirstSteps} bytes in ${trainingMs} ms past the first steps`);

    const restored = readRecording(session.dir).events.filter(isStep);
    assert.deepEqual(restored.map((s) => s.index), received.map((s) => s.index));
    const truth = perSecond(received);
    const rebuilt = perSecond(restored);
    assert.deepEqual([...rebuilt.keys()], [...truth.keys()]);
    for (const [second, totals] of rebuilt) {
      totals.forEach((value, i) => assert.ok(Math.abs(value - truth.get(second)![i]!) < 1e-6, `second ${second}, figure ${i}: ${value} vs ${truth.get(second)![i]}`));
    }

    fs.rmSync(path.join(session.dir, SUMMARY_FILE));
    assertSummariesMatch(loadSummary(session.dir), live);
  });
});
