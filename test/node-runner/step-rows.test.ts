/**
 * Steps travel as rows of numbers until their batch is written (step-rows.ts). Each row's line must
 * be the `step` event the runner sent as an object before: JSON.stringify of that object, times to
 * the microsecond, stages in the order the loop measures them, `samples` null and `tokens` left out
 * when unknown. The host's decoder takes every line.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRunnerLine } from '../../src/protocol/decode';
import type { StageTimes, StepEvent } from '../../src/protocol/events';
import { StepRecord, StepRows } from '../../src/runners/node/step-rows';
import { FUZZ_SEED } from '../fuzz/fuzz-budget';

type Measured = 'data' | 'forwardBackward' | 'optimizer';
/** The stage lists tfjs.ts hands the timeline: fit's, trainOnBatch's and minimize's. */
const MEASURED: Measured[][] = [['data', 'forwardBackward', 'optimizer'], ['forwardBackward', 'optimizer']];

const roundUs = (ms: number) => Math.round(ms * 1000) / 1000;

/** The event as the runner built and encoded it when steps were objects. */
function asObject(r: StepRecord, measured: Measured[]): StepEvent {
  const stages: StageTimes = {};
  for (const name of measured) stages[name] = roundUs(r[name]);
  stages.other = roundUs(r.other);
  const step: StepEvent = { type: 'step', index: r.index, t: roundUs(r.t), ms: roundUs(r.ms), samples: Number.isNaN(r.samples) ? null : r.samples, stages };
  if (!Number.isNaN(r.tokens)) step.tokens = r.tokens;
  return step;
}

const time = fc.oneof(fc.double({ min: 0, max: 1e9, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 1e7 }), fc.double({ min: 0, max: 1e16, noNaN: true }));
const stepArb = fc.record({
  index: fc.nat(),
  t: time,
  ms: time,
  samples: fc.option(fc.nat({ max: 1 << 20 }), { nil: NaN }),
  data: time,
  forwardBackward: time,
  optimizer: time,
  other: time,
  tokens: fc.option(fc.nat({ max: 1 << 30 }), { nil: NaN }),
  measured: fc.constantFrom(...MEASURED),
});

const FIELDS = ['index', 't', 'ms', 'samples', 'data', 'forwardBackward', 'optimizer', 'other', 'tokens'] as const;

function record(fields: Record<(typeof FIELDS)[number], number>): StepRecord {
  const r = new StepRecord();
  for (const key of FIELDS) r[key] = fields[key];
  return r;
}

describe('node runner: step rows', () => {
  it('each row encodes as JSON.stringify of the step object, and the decoder takes it as that object', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 40 }), (steps) => {
        const rows = new StepRows();
        const expected: StepEvent[] = [];
        for (const fields of steps) {
          const r = record(fields);
          for (const name of ['data', 'forwardBackward', 'optimizer'] as const) if (!fields.measured.includes(name)) r[name] = NaN;
          rows.push(r);
          expected.push(asObject(r, fields.measured));
        }
        const lines = rows.encode(0, rows.length).split('\n');
        assert.equal(lines.pop(), '');
        assert.deepEqual(lines, expected.map((e) => JSON.stringify(e)));
        lines.forEach((line, i) => assert.deepEqual(decodeRunnerLine(line), { ok: true, event: expected[i] }));
      }),
      { seed: FUZZ_SEED, numRuns: 300 },
    );
  });

  it('rows past the first allocation keep their values; a cleared buffer starts over', () => {
    const rows = new StepRows();
    const r = new StepRecord();
    for (let i = 0; i < 5000; i++) {
      r.index = i;
      r.t = i / 7;
      rows.push(r);
    }
    const lines = rows.encode(4998, 5000).trim().split('\n');
    assert.deepEqual(lines.map((l) => JSON.parse(l).index), [4998, 4999]);
    assert.equal(JSON.parse(lines[1] as string).t, roundUs(4999 / 7));
    rows.clear();
    assert.equal(rows.length, 0);
    assert.equal(rows.encode(0, rows.length), '');
  });
});
