/**
 * A recording's line samples as a speedscope file (its published format,
 * https://www.speedscope.app/file-format-schema.json): one "sampled" profile per rank. A recording
 * holds per-line samples merged over time, each with the stage it was taken in and the heaviest
 * library call path below the line, not each sample's full stack; so every stack is
 *   stage → the user's line (function, file:line) → the library frames it called, outermost first
 * and weighs the time those samples stand for, in ms. Start-up and time outside steps are stages
 * of their own.
 */
import type { LineEntry, LinesEvent } from '../../protocol/events';
import type { TraceTrack } from './chrome-trace';

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

export interface SpeedscopeFrame {
  name: string;
  file?: string;
  line?: number;
}

export interface SpeedscopeSampledProfile {
  type: 'sampled';
  name: string;
  unit: 'milliseconds';
  startValue: number;
  endValue: number;
  samples: number[][];
  weights: number[];
}

export interface SpeedscopeFile {
  $schema: typeof SPEEDSCOPE_SCHEMA;
  shared: { frames: SpeedscopeFrame[] };
  profiles: SpeedscopeSampledProfile[];
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

export function toSpeedscope(name: string, tracks: readonly TraceTrack[]): SpeedscopeFile {
  const frames: SpeedscopeFrame[] = [];
  const frameIndex = new Map<string, number>();
  const frameOf = (frame: SpeedscopeFrame): number => {
    const key = `${frame.name}\0${frame.file ?? ''}\0${frame.line ?? ''}`;
    let index = frameIndex.get(key);
    if (index === undefined) {
      index = frames.length;
      frames.push(frame);
      frameIndex.set(key, index);
    }
    return index;
  };
  const profiles = tracks.map((track, i): SpeedscopeSampledProfile => {
    const stacks = new Map<string, { stack: number[]; ms: number }>();
    for (const event of track.events) {
      if (event.type !== 'lines') continue;
      for (const entry of event.entries) {
        const stack = stackOf(entry).map(frameOf);
        const key = stack.join(',');
        const weight = stacks.get(key) ?? { stack, ms: 0 };
        weight.ms += entryMs(entry, event);
        stacks.set(key, weight);
      }
    }
    const kept = [...stacks.values()].filter((s) => s.ms > 0);
    const total = kept.reduce((sum, s) => sum + s.ms, 0);
    return {
      type: 'sampled',
      name: track.rank === null ? track.label : `rank ${track.rank ?? i}: ${track.label}`,
      unit: 'milliseconds',
      startValue: 0,
      endValue: total,
      samples: kept.map((s) => s.stack),
      weights: kept.map((s) => s.ms),
    };
  });
  return { $schema: SPEEDSCOPE_SCHEMA, shared: { frames }, profiles, name, activeProfileIndex: 0, exporter: 'TrainLens' };
}

function stackOf(entry: LineEntry): SpeedscopeFrame[] {
  const base = entry.file.split(/[\\/]/).pop() ?? entry.file;
  return [
    { name: `[${entry.stage}]` },
    { name: `${entry.fn ?? '(line)'} (${base}:${entry.line})`, file: entry.file, line: entry.line },
    ...(entry.path ?? []).map((frame) => ({ name: frame })),
  ];
}

/** The wall time an entry's samples stand for: their own when timed, else a sampling period each. */
function entryMs(entry: LineEntry, batch: LinesEvent): number {
  if (typeof entry.ms === 'number') return entry.ms;
  return batch.samples > 0 ? (entry.count * batch.periodMs) / batch.samples : 0;
}
