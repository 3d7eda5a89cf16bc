/**
 * A recording's lines back to the events the run produced: each `steps` row becomes its steps
 * again, merged in index order with the steps of its range that have rows of their own.
 */
import type { StepEvent } from '../../protocol/events';
import type { RecordedEvent, RecordingLine, StepsEvent } from '../../protocol/recording';
import { expandStepsRow } from './steps-row';

export function restoreSteps(lines: readonly RecordingLine[]): RecordedEvent[] {
  const rows = lines.filter((line): line is StepsEvent => line.type === 'steps').sort((a, b) => a.first - b.first);
  if (rows.length === 0) return lines as RecordedEvent[];
  const kept = new Map<StepsEvent, StepEvent[]>(rows.map((row) => [row, []]));
  for (const line of lines) {
    const row = line.type === 'step' ? rowHolding(rows, line.index) : undefined;
    if (row && line.type === 'step') kept.get(row)?.push(line);
  }
  for (const steps of kept.values()) steps.sort((a, b) => a.index - b.index);
  const events: RecordedEvent[] = [];
  for (const line of lines) {
    // One by one: spreading a row of a few hundred thousand steps into push() overflows the stack.
    if (line.type === 'steps') for (const step of expandStepsRow(line, kept.get(line) ?? [])) events.push(step);
    else if (line.type !== 'step' || !rowHolding(rows, line.index)) events.push(line);
  }
  return events;
}

/** The row whose index range holds `index`; rows are sorted by `first` and do not overlap. */
function rowHolding(rows: readonly StepsEvent[], index: number): StepsEvent | undefined {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((rows[mid] as StepsEvent).last < index) lo = mid + 1;
    else hi = mid;
  }
  const row = rows[lo];
  return row && row.first <= index ? row : undefined;
}
