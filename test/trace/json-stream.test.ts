/** The streaming trace scanner gives the same events as JSON.parse, however the text is cut into chunks. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TraceFormatError, TraceJsonScanner } from '../../src/core/trace/json-stream';

function scan(chunks: readonly string[]): { events: unknown[]; meta: Record<string, unknown> } {
  const events: unknown[] = [];
  const meta: Record<string, unknown> = {};
  const scanner = new TraceJsonScanner({ event: (e) => events.push(e), meta: (k, v) => (meta[k] = v) });
  for (const chunk of chunks) scanner.feed(chunk);
  scanner.end();
  return { events, meta };
}

function chunked(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

const EVENTS = [
  { name: 'ProfilerStep#1', ph: 'X', ts: 1.5, dur: 10, pid: 'CPU functions', tid: 1, args: {} },
  { name: 'tricky "quoted" {braces} [brackets], \\ back\\slash', ph: 'X', ts: 2, dur: 1, args: { nested: [{ a: [1, 2, { b: '}]' }] }] } },
  { name: 'ünïcödé ✓', ph: 'i', ts: 3 },
];
const KINETO = {
  schemaVersion: 1,
  deviceProperties: [{ id: 0, name: 'NVIDIA A100' }],
  distributedInfo: { backend: 'nccl', rank: 1, world_size: 2 },
  traceEvents: EVENTS,
  traceName: 'x "y" [z]',
  baseTimeNanoseconds: 1700000000000000000,
};

describe('trace JSON scanner', () => {
  for (const size of [1, 2, 3, 7, 64, 100_000]) {
    it(`an event array, in chunks of ${size}`, () => {
      assert.deepEqual(scan(chunked(JSON.stringify(EVENTS, null, 1), size)).events, EVENTS);
    });
    it(`a Kineto object, in chunks of ${size}: events and the objects and strings beside them`, () => {
      const { events, meta } = scan(chunked(JSON.stringify(KINETO, null, size % 2 ? 2 : 0), size));
      assert.deepEqual(events, EVENTS);
      assert.deepEqual(meta, { deviceProperties: KINETO.deviceProperties, distributedInfo: KINETO.distributedInfo, traceName: KINETO.traceName });
    });
  }

  it('any JSON events, cut anywhere, come out as JSON.parse reads them (property)', () => {
    const event = fc.jsonValue().map((value) => ({ ph: 'X', value }));
    fc.assert(
      fc.property(fc.array(event, { maxLength: 8 }), fc.jsonValue(), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), fc.boolean(), (events, extra, cuts, wrapped) => {
        const text = wrapped ? JSON.stringify({ extra, traceEvents: events, after: extra }) : JSON.stringify(events);
        const chunks: string[] = [];
        let at = 0;
        for (let i = 0; at < text.length; i++) {
          const size = cuts[i % cuts.length] as number;
          chunks.push(text.slice(at, at + size));
          at += size;
        }
        // JSON.parse, not the input: -0 and the like come back as the text says.
        assert.deepEqual(scan(chunks).events, JSON.parse(JSON.stringify(events)));
      }),
      { numRuns: 300 },
    );
  });

  it('any cut-off trace, and any text at all, ends in a TraceFormatError or events, never another error (property)', () => {
    const full = JSON.stringify(KINETO);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: full.length - 1 }), (length) => {
        assert.throws(() => scan([full.slice(0, length)]), TraceFormatError);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          scan([text]);
        } catch (error) {
          assert.ok(error instanceof TraceFormatError, String(error));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('an empty trace is a trace with no events', () => {
    assert.deepEqual(scan(['{"traceEvents": []}']).events, []);
    assert.deepEqual(scan(['\uFEFF  []  \n']).events, []);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['cut off mid-event', JSON.stringify(KINETO).slice(0, 150), /truncated/],
    ['cut off between events', '[{"a":1},', /truncated/],
    ['empty', '   ', /empty/],
    ['not JSON', 'hello world', /not a JSON object or array/],
    ['an object without traceEvents', '{"nodes": [], "startTime": 1}', /without "traceEvents"/],
    ['a malformed event', '[{"name": nope}]', /malformed JSON/],
    ['text after the end', '[] []', /after the end/],
    ['unbalanced', '[{"a":1}]]', /after the end|unbalanced/],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses ${what} with a clear message`, () => {
      assert.throws(() => scan([text]), (e: unknown) => e instanceof TraceFormatError && message.test(e.message));
    });
  }
});
