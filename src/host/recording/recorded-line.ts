/** One line of events.jsonl: a runner event (validated as the wire says) or a host event. */
import { decodeRunnerEvent, isRecord, isRunnerEventType } from '../../protocol/decode';
import type { RecordedEvent } from '../../protocol/recording';

const HOST_EVENT_TYPES = new Set(['run', 'exit', 'telemetry', 'hardware']);

export function decodeRecordedLine(line: string): RecordedEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  if (isRunnerEventType(value.type)) {
    const decoded = decodeRunnerEvent(value);
    return decoded.ok ? decoded.event : undefined;
  }
  // Host events were written by this program, not a foreign process: a type check suffices.
  return typeof value.type === 'string' && HOST_EVENT_TYPES.has(value.type) ? (value as unknown as RecordedEvent) : undefined;
}
