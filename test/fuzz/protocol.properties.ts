/**
 * The IPC framing (LineSplitter) and the runner event decoder: what every byte a runner (or
 * anything else that finds the socket) sends goes through before the host believes it.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRunnerEvent, decodeRunnerLine, type Decoded } from '../../src/protocol/decode';
import { LineSplitter } from '../../src/protocol/framing';
import { HOSTILE_KEYS, hostileJson, timed, type FuzzTarget } from './fuzz-budget';
import { anyValidEvent, brokenEvent, mangledLine, WIRE_FIELD_NAMES } from './wire-arbitraries';

const REASONS = new Set(['malformed', 'unknown-type', 'invalid']);
/** Small, so that generated lines cross it often. */
const MAX_LINE_BYTES = 64;

/** Every line out of the splitter, and each over-long one counted. */
function split(chunks: readonly Buffer[], maxLineBytes = MAX_LINE_BYTES): { lines: string[]; overflows: number } {
  const lines: string[] = [];
  let overflows = 0;
  const splitter = new LineSplitter((line) => lines.push(line), () => overflows++, maxLineBytes);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return { lines, overflows };
}

/** `bytes` cut at the given offsets. */
function chunked(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    chunks.push(bytes.subarray(from, to));
    from = to;
  }
  return chunks;
}

function assertTypedRejection(decoded: Decoded, input: string): void {
  if (decoded.ok) return;
  assert.ok(REASONS.has(decoded.reason), `unknown reason ${decoded.reason} for ${input}`);
  assert.equal(typeof decoded.detail, 'string');
}

const lineText = fc.string({ unit: 'binary', maxLength: 90 }).map((s) => s.replace(/\n/g, ' '));

export const FRAMING: FuzzTarget = {
  parser: 'IPC framing (LineSplitter)',
  properties: [
    {
      name: 'every line survives any chunking: each one kept whole, or dropped as over-long and counted once',
      property: () =>
        fc.property(fc.array(lineText, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), fc.boolean(), (texts, cuts, trailingNewline) => {
          const bytes = Buffer.from(texts.join('\n') + (trailingNewline ? '\n' : ''), 'utf8');
          const { lines, overflows } = timed('LineSplitter', () => split(chunked(bytes, cuts)));
          // What a reader of whole lines would get: the non-blank ones, as decoded from their own bytes.
          const whole = bytes.toString('utf8').split('\n');
          if (trailingNewline) whole.pop();
          const fits = whole.filter((l) => Buffer.byteLength(l) <= MAX_LINE_BYTES);
          assert.deepEqual(lines, fits.filter((l) => l.trim().length > 0));
          assert.equal(overflows, whole.length - fits.length);
        }),
    },
    {
      name: 'arbitrary bytes in arbitrary chunks: never throws, no line over the limit, bounded time',
      property: () =>
        fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 20 }), (raw, cuts) => {
          const { lines } = timed('LineSplitter', () => split(chunked(Buffer.from(raw), cuts)));
          for (const line of lines) assert.ok(Buffer.byteLength(line) <= MAX_LINE_BYTES * 3, 'a line grew past the limit');
        }),
    },
  ],
};

export const DECODER: FuzzTarget = {
  parser: 'runner event decoder (decode.ts)',
  properties: [
    {
      name: 'every valid event decodes to itself',
      property: () =>
        fc.property(anyValidEvent, (event) => {
          const line = JSON.stringify(event);
          const decoded = timed('decodeRunnerLine', () => decodeRunnerLine(line));
          assert.ok(decoded.ok, `${line}: ${decoded.ok ? '' : decoded.detail}`);
          assert.deepEqual(decoded.event, JSON.parse(line));
        }),
    },
    {
      name: 'a required field missing, null or of the wrong kind is rejected as invalid',
      property: () =>
        fc.property(brokenEvent, ({ broken, field }) => {
          const decoded = decodeRunnerLine(JSON.stringify(broken));
          assert.equal(decoded.ok, false, `${field} broken yet accepted`);
          if (!decoded.ok) assert.equal(decoded.reason, field === 'type' ? 'unknown-type' : 'invalid');
        }),
    },
    {
      name: 'any string, any JSON (hostile keys included), mangled lines: a typed rejection or an event, never a throw',
      property: () =>
        fc.property(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 200 }),
            hostileJson(WIRE_FIELD_NAMES).map((v) => JSON.stringify(v) ?? 'null'),
            hostileJson(WIRE_FIELD_NAMES).map((type) => JSON.stringify({ type })),
            // A type that is an object with Object.prototype's names as its own keys.
            fc.tuple(fc.constantFrom(...HOSTILE_KEYS), hostileJson()).map(([key, value]) => `{"type":{${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}}}`),
            mangledLine.map((bytes) => bytes.toString('utf8')),
            fc.nat({ max: 100_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth % 3 === 0 ? depth : 0)),
          ),
          (line) => assertTypedRejection(timed('decodeRunnerLine', () => decodeRunnerLine(line)), line),
        ),
    },
    {
      name: 'any value handed over already parsed (NaN, -0, nested, hostile keys): never a throw',
      property: () =>
        fc.property(fc.oneof(hostileJson(WIRE_FIELD_NAMES), hostileJson().map((type) => ({ type })), fc.anything()), (value) => {
          assertTypedRejection(decodeRunnerEvent(value), String(typeof value));
        }),
    },
  ],
};
