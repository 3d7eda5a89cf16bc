/**
 * Validates bytes from a foreign process (a runner) against the wire table. Nothing here throws:
 * a bad line comes back as a rejection with a reason, so the caller can drop and count it. A
 * `lines` event is the one exception to all-or-nothing: its bad entries are left out and counted,
 * so one bad sample (Python 3.11 once sent `"line": null`) does not lose a whole flush of good ones.
 */
import wire from './wire.json';
import { STAGE_NAMES, type LineEntry, type RunnerEvent, type RunnerEventType, type StageTimes } from './events';

export type FieldKind = 'string' | 'number' | 'int' | 'boolean' | 'string[]' | 'object' | 'array';
export type RejectReason = 'malformed' | 'unknown-type' | 'invalid';
/** The reason a caller counts a `lines` event's left-out entries under, one per entry. */
export const BAD_LINES_ENTRY = 'bad-lines-entry';
/** Parts of an accepted event that were left out: `count` bad entries of a `lines` event. */
export interface DroppedParts {
  count: number;
  detail: string;
}
export type Decoded =
  | { ok: true; event: RunnerEvent; dropped?: DroppedParts }
  | { ok: false; reason: RejectReason; detail: string };

const FIELD_TABLE = wire.events as Record<RunnerEventType, Record<string, string>>;
const STAGE_SET: ReadonlySet<string> = new Set(STAGE_NAMES);

export function isRunnerEventType(type: unknown): type is RunnerEventType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(FIELD_TABLE, type);
}

export function decodeRunnerLine(line: string): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'malformed', detail: 'not JSON' };
  }
  return decodeRunnerEvent(value);
}

export function decodeRunnerEvent(value: unknown): Decoded {
  if (!isRecord(value)) return { ok: false, reason: 'malformed', detail: 'not a JSON object' };
  if (!isRunnerEventType(value.type)) return { ok: false, reason: 'unknown-type', detail: describeType(value.type) };
  const fields = FIELD_TABLE[value.type];
  for (const [name, spec] of Object.entries(fields)) {
    const optional = spec.endsWith('?');
    const kind = (optional ? spec.slice(0, -1) : spec) as FieldKind;
    const field = value[name];
    if (field === undefined || field === null) {
      if (optional) continue;
      return { ok: false, reason: 'invalid', detail: `${value.type}.${name} is missing` };
    }
    if (!hasKind(field, kind)) return { ok: false, reason: 'invalid', detail: `${value.type}.${name} is not ${kind}` };
  }
  const nested = checkNested(value);
  if (nested) return { ok: false, reason: 'invalid', detail: nested };
  if (value.type === 'lines') return withGoodEntries(value);
  return { ok: true, event: value as unknown as RunnerEvent };
}

/** A `lines` event with its bad entries left out; rejected only when it had entries and none was good. */
function withGoodEntries(value: Record<string, unknown>): Decoded {
  const entries = value.entries as unknown[];
  const good = entries.filter(isLineEntry);
  const bad = entries.length - good.length;
  if (bad === 0) return { ok: true, event: value as unknown as RunnerEvent };
  const noun = bad === 1 ? 'entry' : 'entries';
  if (good.length === 0) return { ok: false, reason: 'invalid', detail: `lines.entries: all bad (${bad} ${noun})` };
  return { ok: true, event: { ...value, entries: good } as unknown as RunnerEvent, dropped: { count: bad, detail: `lines.entries: ${bad} bad ${noun} dropped` } };
}

/** String(type) would call a `toString` the sender chose: one that is not a function makes it throw. */
function describeType(type: unknown): string {
  if (typeof type === 'string') return type.slice(0, 80);
  return `type is ${type === null ? 'null' : Array.isArray(type) ? 'an array' : typeof type}`;
}

function checkNested(value: Record<string, unknown>): string | undefined {
  if (value.type === 'step') {
    if (!isStageTimes(value.stages)) return 'step.stages must map stage names to ms';
    if (value.device != null && !isStageTimes(value.device)) return 'step.device must map stage names to ms';
  }
  return undefined;
}

function isStageTimes(value: unknown): value is StageTimes {
  return isRecord(value) && Object.entries(value).every(([k, v]) => STAGE_SET.has(k) && typeof v === 'number' && Number.isFinite(v) && v >= 0);
}

function isLineEntry(value: unknown): value is LineEntry {
  return (
    isRecord(value) &&
    typeof value.file === 'string' &&
    Number.isInteger(value.line) &&
    typeof value.stage === 'string' &&
    (STAGE_SET.has(value.stage) || value.stage === 'none' || value.stage === 'startup') &&
    Number.isInteger(value.count) &&
    (value.ms === undefined || (typeof value.ms === 'number' && Number.isFinite(value.ms) && value.ms >= 0)) &&
    (value.path === undefined || (Array.isArray(value.path) && value.path.every((p) => typeof p === 'string')))
  );
}

/** Whether a field holds a value of a wire kind (wire.json's kinds; recordings' host events use the same). */
export function hasKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'int':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'object':
      return isRecord(value);
    case 'array':
      return Array.isArray(value);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
