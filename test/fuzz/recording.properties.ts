/**
 * Reading a recording back (recording-reader.ts, recorded-line.ts, restore-steps.ts, steps-row.ts)
 * and rebuilding its summary from the events (loadSummary without a summary.json): a recording may
 * be cut off at any byte by a kill, edited by hand, concatenated, or come from another version.
 * The fixture is a real run's recording (compute_bound.py; see fixtures/README.md).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { RECORDING_FORMAT } from '../../src/protocol/recording';
import { decodeRecordedLine } from '../../src/host/recording/recorded-line';
import { loadSummary, parseRecording, type LoadedRecording } from '../../src/host/recording/recording-reader';
import { RecordingError } from '../../src/host/recording/recording-writer';
import { MAX_STEPS_PER_ROW } from '../../src/host/recording/steps-row';
import { hostileJson, timed, type FuzzTarget } from './fuzz-budget';

export const RECORDING_TEXT = fs.readFileSync(path.join(__dirname, 'fixtures', 'compute-bound.events.jsonl'), 'utf8');
const LINES = RECORDING_TEXT.split('\n').filter((l) => l.length > 0);
/** Never read: loadSummary finds no summary.json there and rebuilds it from the events. */
const NO_DIR = path.join(__dirname, 'fixtures', 'no-such-recording');

/** A recording parsed and its summary rebuilt; undefined when it was refused as not a recording. */
export function readBack(text: string): { recording: LoadedRecording; steps: number } | undefined {
  let recording: LoadedRecording;
  try {
    recording = timed('parseRecording', () => parseRecording(NO_DIR, text));
  } catch (error) {
    if (error instanceof RecordingError) return undefined;
    throw error;
  }
  const summary = timed('loadSummary (rebuilt)', () => loadSummary(NO_DIR, recording));
  assert.equal(typeof summary.status, 'string');
  return { recording, steps: recording.events.filter((e) => e.type === 'step').length };
}

/** What a reader must keep of these lines: every complete, decodable one, and the steps they stand for. */
function expectedOf(lines: readonly string[]): { decodable: number; steps: number; other: string[] } {
  let decodable = 0;
  let steps = 0;
  const other: string[] = [];
  for (const line of lines) {
    const event = decodeRecordedLine(line);
    if (!event) continue;
    decodable++;
    if (event.type === 'step') steps++;
    else if (event.type === 'steps') steps += event.count;
    else other.push(JSON.stringify(event));
  }
  return { decodable, steps, other };
}

/** The recording cut at `offset` bytes: refused only while its header line is incomplete, else every whole line kept. */
export function checkTruncation(offset: number): void {
  const text = Buffer.from(RECORDING_TEXT).subarray(0, offset).toString('utf8');
  const read = readBack(text);
  const pieces = text.split('\n');
  const complete = pieces.slice(0, -1);
  const torn = pieces.at(-1) ?? '';
  if (complete.length === 0 && decodeRecordedLine(torn) === undefined) return assert.equal(read, undefined, `cut at ${offset}: read without a header`);
  assert.ok(read, `cut at ${offset}: refused though its header is whole`);
  const expected = expectedOf(complete);
  const tornKept = torn.trim() !== '' && decodeRecordedLine(torn) !== undefined;
  assert.equal(read.recording.skippedLines, torn.trim() !== '' && !tornKept ? 1 : 0, `cut at ${offset}: skipped lines`);
  if (tornKept) return; // a line cut right before its newline is whole: counted below with the others
  assert.equal(read.steps, expected.steps, `cut at ${offset}: steps kept`);
  const other = read.recording.events.filter((e) => e.type !== 'step').map((e) => JSON.stringify(e));
  assert.deepEqual(other, expected.other, `cut at ${offset}: events kept`);
}

/** Lines of the recording, edited: reordered, repeated, dropped, joined with junk. */
const editedLines = fc
  .tuple(
    fc.shuffledSubarray(LINES.map((_, i) => i), { minLength: 1 }),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('duplicate', 'junk', 'flip', 'join')), { maxLength: 6 }),
    fc.uint8Array({ minLength: 1, maxLength: 40 }),
    fc.boolean(),
  )
  .map(([order, edits, junk, headerFirst]) => {
    const lines = order.map((i) => LINES[i] as string);
    if (headerFirst) lines.unshift(LINES[0] as string);
    for (const [at, how] of edits) {
      const i = at % lines.length;
      const line = lines[i] as string;
      if (how === 'duplicate') lines.splice(i, 0, line);
      else if (how === 'junk') lines.splice(i, 0, Buffer.from(junk).toString('latin1').replace(/\n/g, ''));
      else if (how === 'flip') lines[i] = line.slice(0, at % line.length) + String.fromCharCode(junk[0] as number) + line.slice((at % line.length) + 1);
      else lines[i] = line + (lines[(i + 1) % lines.length] as string);
    }
    return lines;
  });

/** A recording whose header says another format, or is not a header at all. */
const otherHeader = fc
  .tuple(fc.oneof(fc.integer({ min: -1, max: 1000 }), fc.constant(RECORDING_FORMAT + 1), hostileJson()), hostileJson(['command', 'cwd', 'startedAtMs', 'sampleHz', 'id']))
  .map(([format, junk]) => {
    const header = { ...(JSON.parse(LINES[0] as string) as object), ...(typeof junk === 'object' && junk !== null && !Array.isArray(junk) ? junk : {}), type: 'run', format };
    return [JSON.stringify(header), ...LINES.slice(1)].join('\n');
  });

/** Any host event with any fields: the reader trusts their type alone today, what happens downstream? */
const hostEventLine = fc
  .tuple(fc.constantFrom('run', 'exit', 'telemetry', 'hardware', 'import', 'steps'), hostileJson(['t', 'proc', 'system', 'gpus', 'cpu', 'status', 'first', 'last', 'count', 'hist', 'file', 'format', 'rank', 'worldSize', 'gpuTime']))
  .map(([type, body]) => JSON.stringify({ ...(typeof body === 'object' && body !== null ? body : {}), type }));

/** A `steps` row as a forger would write it: counts and index ranges as large as JSON allows. */
const bigInt = fc.oneof(fc.nat({ max: 5000 }), fc.constantFrom(1e6, 1e9, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e300));
/** Up to a tenth of the cap (a row at the cap takes seconds to summarise, as it should), or past it. */
const bigCount = fc.oneof(fc.nat({ max: 5000 }), fc.constantFrom(MAX_STEPS_PER_ROW / 10, MAX_STEPS_PER_ROW + 1, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e300));
const bucketCounts = fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), bigInt, bigInt.map((n) => -n)), { maxLength: 5 });
/** The row's staged steps (a sampled run's), as forged as the rest. */
const forgedStaged = fc.option(fc.record({ count: bigCount, ms: fc.oneof(fc.double(), fc.constant(1e300)), zero: bigInt, counts: bucketCounts }), { nil: undefined });
const forgedRow = fc
  .record({ first: bigInt, span: bigInt, count: bigCount, zero: bigInt, from: fc.oneof(fc.integer(), fc.constantFrom(1e6, -1e6)), counts: bucketCounts, staged: forgedStaged })
  .map(({ first, span, count, zero, from, counts, staged }) =>
    JSON.stringify({
      type: 'steps', first, last: first + span, count, t: 0, endT: 1000, ms: 500, stages: {}, device: {}, fields: {}, hist: { ms: { zero, from, counts }, stages: {} },
      ...(staged ? { staged: { count: staged.count, ms: staged.ms, hist: { zero: staged.zero, from, counts: staged.counts } } } : {}),
    }),
  );

function assertBounded(read: ReturnType<typeof readBack>, lines: readonly string[]): void {
  if (!read) return;
  const nonBlank = lines.filter((l) => l.trim() !== '').length;
  assert.ok(read.recording.events.length <= nonBlank * MAX_STEPS_PER_ROW, 'more events than the lines can stand for');
}

export const RECORDING_READER: FuzzTarget = {
  parser: 'recording reader and summary rebuild (recording-reader.ts, restore-steps.ts)',
  properties: [
    {
      name: 'cut off at any byte: refused only before the header is whole, every whole line kept, the torn one counted',
      property: () => fc.property(fc.nat({ max: Buffer.byteLength(RECORDING_TEXT) }), (offset) => checkTruncation(offset)),
    },
    {
      name: 'lines shuffled, duplicated, flipped, joined, junk between: refused (no header first) or read; every unreadable line counted',
      property: () =>
        fc.property(editedLines, (edited) => {
          // An edit may have put a newline inside a line: count lines as the file has them.
          const lines = edited.join('\n').split('\n');
          const read = readBack(lines.join('\n'));
          if (!read) return assert.notEqual(decodeRecordedLine(lines.find((l) => l.trim() !== '') ?? '')?.type, 'run');
          assert.equal(read.recording.skippedLines, lines.filter((l) => l.trim() !== '').length - expectedOf(lines).decodable);
          assertBounded(read, lines);
        }),
    },
    {
      name: 'another format or a mangled header: read or refused with a RecordingError, never a throw',
      property: () => fc.property(otherHeader, (text) => void readBack(text)),
    },
    {
      name: 'host events and steps rows with any fields: skipped and counted, or read; the summary still builds',
      property: () =>
        fc.property(fc.array(fc.oneof(hostEventLine, forgedRow), { minLength: 1, maxLength: 4 }), fc.nat(), (extra, at) => {
          const lines = [...LINES];
          lines.splice(1 + (at % (lines.length - 1)), 0, ...extra);
          assertBounded(readBack(lines.join('\n')), lines);
        }),
    },
  ],
};
