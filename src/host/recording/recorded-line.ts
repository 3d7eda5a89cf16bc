/** One line of events.jsonl: a runner event (validated as the wire says), a host event or a `steps` row. */
import { decodeRunnerEvent, isRecord, isRunnerEventType } from '../../protocol/decode';
import type { RecordingLine, StepHistogram, StepsEvent } from '../../protocol/recording';
import { fitsHostEventShape } from './host-event-shape';
import { MAX_STEPS_PER_ROW } from './steps-row';

const HOST_EVENT_TYPES = new Set(['run', 'exit', 'telemetry', 'hardware', 'import']);

/** `onDroppedEntries` hears of a `lines` event read back without its bad entries (as the live host drops them). */
export function decodeRecordedLine(line: string, onDroppedEntries?: (count: number) => void): RecordingLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  if (isRunnerEventType(value.type)) {
    const decoded = decodeRunnerEvent(value);
    if (!decoded.ok) return undefined;
    if (decoded.dropped) onDroppedEntries?.(decoded.dropped.count);
    return decoded.event;
  }
  if (value.type === 'steps') return isStepsRow(value) ? value : undefined;
  // Host events were written by this program, but the file may have been edited or cut since.
  const known = typeof value.type === 'string' && HOST_EVENT_TYPES.has(value.type);
  return known && fitsHostEventShape(value) ? (value as unknown as RecordingLine) : undefined;
}

/** Also written by this program, but read back into as many steps as it counts: the counts must hold. */
function isStepsRow(value: Record<string, unknown>): value is Record<string, unknown> & StepsEvent {
  const { first, last, count, hist } = value;
  return (
    isCount(first) &&
    isCount(last) &&
    isCount(count) &&
    count >= 1 &&
    count <= last - first + 1 &&
    // Read back into as many step objects: a forged count must not exhaust memory.
    count <= MAX_STEPS_PER_ROW &&
    ['t', 'endT', 'ms'].every((key) => Number.isFinite(value[key])) &&
    [value.stages, value.device, value.fields].every(isRecord) &&
    isRecord(hist) &&
    isHistogram(hist.ms, count) &&
    isRecord(hist.stages) &&
    Object.values(hist.stages).every((h) => isHistogram(h, count)) &&
    (value.staged === undefined || isStagedPart(value.staged, count))
  );
}

/** A row's staged steps: no more than the row's, their step times no more than they count. */
function isStagedPart(value: unknown, rowCount: number): boolean {
  return isRecord(value) && isCount(value.count) && value.count <= rowCount && Number.isFinite(value.ms) && isHistogram(value.hist, value.count);
}

function isHistogram(value: unknown, maxValues: number): value is StepHistogram {
  if (!isRecord(value) || !isCount(value.zero) || !Number.isInteger(value.from) || !Array.isArray(value.counts)) return false;
  const counts = value.counts as unknown[];
  if (!counts.every(Number.isInteger)) return false;
  const values = value.zero + (counts as number[]).reduce((total, n) => total + Math.max(0, n), 0);
  return values <= maxValues;
}

function isCount(value: unknown): value is number {
  // Safe integers only: past 2^53, index + 1 === index and a loop over indices never ends.
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
