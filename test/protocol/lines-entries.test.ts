/**
 * A `lines` event is the sampler's whole flush: one bad entry must not cost the good ones (Python
 * 3.11 once sent an entry with `"line": null`, and the host threw the batch away).
 */
import assert from 'node:assert/strict';
import { decodeRunnerEvent, decodeRunnerLine } from '../../src/protocol/decode';
import type { LineEntry } from '../../src/protocol/events';

const GOOD: LineEntry[] = [
  { file: '/w/train.py', line: 12, stage: 'data', count: 20, fn: '__getitem__', path: ['time:sleep'] },
  { file: '/w/train.py', line: 50, stage: 'none', count: 3 },
  { file: '/w/train.py', line: 1, stage: 'startup', count: 5, ms: 61.2 },
];
/** Each breaks one rule of a line entry; the first is the one Python 3.11 sent. */
const BAD: unknown[] = [
  { file: '/w/train.py', line: null, stage: 'forward', count: 4 },
  { file: '/w/train.py', line: 7, stage: 'warp', count: 1 },
  { file: '/w/train.py', line: 8, stage: 'data', count: '2' },
  { file: '/w/train.py', line: 9, stage: 'data', count: 2, ms: -1 },
  { file: '/w/train.py', line: 9, stage: 'data', count: 2, path: ['ok', 3] },
  { line: 9, stage: 'data', count: 2 },
  'not an entry',
  null,
];

function linesEvent(entries: unknown[]): Record<string, unknown> {
  return { type: 'lines', t: 1000, periodMs: 250, samples: 40, entries };
}

describe('decoding a lines event with bad entries', () => {
  it('keeps the good entries in order and counts the bad ones as dropped', () => {
    const mixed = [BAD[0], GOOD[0], ...BAD.slice(1, 5), GOOD[1], ...BAD.slice(5), GOOD[2]];
    const decoded = decodeRunnerLine(JSON.stringify(linesEvent(mixed)));
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.detail);
    assert.deepEqual(decoded.event, linesEvent(GOOD));
    assert.deepEqual(decoded.dropped, { count: BAD.length, detail: `lines.entries: ${BAD.length} bad entries dropped` });
  });

  it('says "entry" for one', () => {
    const decoded = decodeRunnerEvent(linesEvent([GOOD[0], BAD[0]]));
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.dropped, { count: 1, detail: 'lines.entries: 1 bad entry dropped' });
  });

  it('leaves the value it was given as it was', () => {
    const value = linesEvent([BAD[0], GOOD[0]]);
    const before = structuredClone(value);
    decodeRunnerEvent(value);
    assert.deepEqual(value, before);
  });

  it('an event whose entries are all good, or that has none, is accepted whole with nothing dropped', () => {
    for (const entries of [GOOD, []]) {
      const decoded = decodeRunnerEvent(linesEvent(entries));
      assert.ok(decoded.ok);
      assert.deepEqual(decoded.event, linesEvent(entries));
      assert.equal(decoded.dropped, undefined);
    }
  });

  it('an event with entries but no good one is rejected as invalid, as a whole bad line is', () => {
    const decoded = decodeRunnerEvent(linesEvent(BAD));
    assert.deepEqual(decoded, { ok: false, reason: 'invalid', detail: `lines.entries: all bad (${BAD.length} entries)` });
  });

  it('a bad field of the event itself still rejects it', () => {
    const decoded = decodeRunnerEvent({ ...linesEvent(GOOD), samples: 'many' });
    assert.deepEqual(decoded, { ok: false, reason: 'invalid', detail: 'lines.samples is not int' });
  });
});
