/**
 * Generated runner events: valid ones built from the wire table itself (so a field the protocol
 * gains is generated without a change here), and lines that are almost valid (one field broken,
 * cut short, or with bytes flipped), which is where a decoder's mistakes hide.
 */
import fc from 'fast-check';
import { STAGE_NAMES, type RunnerEventType } from '../../src/protocol/events';
import wire from '../../src/protocol/wire.json';

const EVENTS = wire.events as Record<RunnerEventType, Record<string, string>>;
export const EVENT_TYPES = Object.keys(EVENTS) as RunnerEventType[];
export const WIRE_FIELD_NAMES = [...new Set(Object.values(EVENTS).flatMap((fields) => Object.keys(fields)))];

const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 });
const nonNegative = fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 1e6 });
const stageTimes = fc.dictionary(fc.constantFrom(...STAGE_NAMES), nonNegative, { maxKeys: 6 });
const lineEntry = fc.record(
  {
    file: fc.string({ maxLength: 20 }),
    line: fc.integer({ min: 0, max: 100_000 }),
    stage: fc.constantFrom(...STAGE_NAMES, 'startup', 'none'),
    count: fc.integer({ min: 0, max: 1000 }),
    ms: nonNegative,
    path: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
  },
  { requiredKeys: ['file', 'line', 'stage', 'count'] },
);

function fieldValue(type: RunnerEventType, name: string, kind: string): fc.Arbitrary<unknown> {
  if (type === 'step' && (name === 'stages' || name === 'device')) return stageTimes;
  if (type === 'lines' && name === 'entries') return fc.array(lineEntry, { maxLength: 4 });
  switch (kind) {
    case 'string':
      return fc.string({ unit: 'binary', maxLength: 16 });
    case 'number':
      return finite;
    case 'int':
      return fc.integer();
    case 'boolean':
      return fc.boolean();
    case 'string[]':
      return fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 });
    case 'object':
      return fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 3 });
    default:
      return fc.array(fc.integer(), { maxLength: 3 });
  }
}

/** A valid event of `type`: every required field, optional ones sometimes present, sometimes null. */
export function validEvent(type: RunnerEventType): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const [name, spec] of Object.entries(EVENTS[type])) {
    const optional = spec.endsWith('?');
    const value = fieldValue(type, name, optional ? spec.slice(0, -1) : spec);
    fields[name] = optional ? fc.option(value, { nil: null }) : value;
    if (!optional) required.push(name);
  }
  return fc.record(fields, { requiredKeys: required }).map((event) => ({ type, ...event }));
}

export const anyValidEvent = fc.constantFrom(...EVENT_TYPES).chain(validEvent);

/** Ways to break a valid event that the decoder must notice. */
export const brokenEvent = fc
  .tuple(anyValidEvent, fc.nat(), fc.constantFrom('delete', 'null', 'wrong-kind'))
  .map(([event, pick, how]) => {
    const type = event.type as RunnerEventType;
    const required = Object.entries(EVENTS[type]).filter(([, spec]) => !spec.endsWith('?'));
    const [name] = required[pick % required.length] ?? ['type'];
    const broken: Record<string, unknown> = { ...event };
    if (how === 'delete') delete broken[name];
    else if (how === 'null') broken[name] = null;
    else broken[name] = typeof event[name] === 'string' ? 12 : 'not the right kind';
    return { broken, field: name };
  });

/** A JSON line with bytes replaced, inserted or cut off: mostly not JSON, sometimes still valid. */
export const mangledLine = fc
  .tuple(anyValidEvent, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'cut')), { minLength: 1, maxLength: 4 }))
  .map(([event, edits]) => {
    let bytes = Buffer.from(JSON.stringify(event));
    for (const [at, byte, how] of edits) {
      const i = at % (bytes.length + 1);
      if (how === 'cut') bytes = bytes.subarray(0, i);
      else if (how === 'insert') bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
      else if (i < bytes.length) bytes[i] = byte;
    }
    return bytes;
  });
