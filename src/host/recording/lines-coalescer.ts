/**
 * Line samples arrive in batches every ~250 ms, each repeating the file, function and call path of
 * the same hot lines. On disk one batch per window holds them all: entries that differ only in
 * their counts are summed, which is all any reader does with them (LineProfile), so nothing is lost.
 * A tiny script's batches were 440 KB a minute; merged over 5 s, a fifth of that. A run with many
 * distinct call paths (tfjs: deep library stacks) still wrote ~120 KB every 5 s, so the window
 * grows with what the last merged batch weighed, up to a minute, to keep lines near
 * LINES_BYTES_PER_MIN whatever the run; the cost is time resolution on disk, not samples.
 * Entries are also what made them heavy: one tfjs line had 207 distinct call paths in 8 s. The
 * profile remembers only the first MAX_PATHS_PER_LINE paths of a line (line-profile.ts); samples on
 * any other path are written under one FORGOTTEN_PATH, so the line keeps every sample and a rebuilt
 * profile the same paths (its first paths are full by then: it forgets that one too).
 */
import { MAX_PATHS_PER_LINE } from '../../core/line-profile';
import type { LineEntry, LinesEvent } from '../../protocol/events';

export const WINDOW_MS = 5000;
export const MAX_WINDOW_MS = 60_000;
/** What line samples may add to a recording per minute of run, once the window has grown. */
export const LINES_BYTES_PER_MIN = 256 * 1024;
/** The path written for samples on paths past a line's first ones: no frame is named like this. */
export const FORGOTTEN_PATH: readonly string[] = ['(other call paths)'];

export class LinesCoalescer {
  private open: { event: LinesEvent; entries: Map<string, LineEntry>; sinceMs: number } | undefined;
  /** How long a batch stays open: WINDOW_MS, or longer after heavy batches. */
  windowMs = WINDOW_MS;
  /** Per line, the call paths the profile remembers. */
  private readonly pathsByLine = new Map<string, Set<string>>();

  /** The batches to write now: the open one when `event` arrives after its window. */
  add(event: LinesEvent, nowMs: number): LinesEvent[] {
    const closed = this.flushOlderThan(WINDOW_MS, nowMs);
    if (!this.open) {
      this.open = { event: { ...event, entries: [] }, entries: new Map(), sinceMs: nowMs };
    } else {
      const merged = this.open.event;
      merged.periodMs += event.periodMs;
      merged.samples += event.samples;
    }
    for (const entry of event.entries) this.addEntry(entry);
    return closed;
  }

  flush(): LinesEvent[] {
    const open = this.open;
    this.open = undefined;
    if (!open) return [];
    const entries = [...open.entries.values()].map((entry) => (entry.ms === undefined ? entry : { ...entry, ms: roundMs(entry.ms) }));
    const merged: LinesEvent = { ...open.event, periodMs: roundMs(open.event.periodMs), entries };
    // Bytes over the budget's rate: the span the next batch must cover to stay within it.
    const bytes = JSON.stringify(merged).length;
    this.windowMs = Math.min(MAX_WINDOW_MS, Math.max(WINDOW_MS, (bytes / LINES_BYTES_PER_MIN) * 60_000));
    return [merged];
  }

  /** The open batch, when it has been open for `minAgeMs` and for the current window. */
  flushOlderThan(minAgeMs: number, nowMs: number): LinesEvent[] {
    return this.open && nowMs - this.open.sinceMs >= Math.max(minAgeMs, this.windowMs) ? this.flush() : [];
  }

  private addEntry(sampled: LineEntry): void {
    const entries = (this.open as NonNullable<typeof this.open>).entries;
    const entry = this.withRememberedPath(sampled);
    const { count, ms, ...place } = entry;
    // Weighted and unweighted samples are not summed together: an absent `ms` means one period each.
    const key = JSON.stringify(place) + (ms === undefined ? '' : ' ms');
    const same = entries.get(key);
    if (!same) {
      entries.set(key, { ...entry });
      return;
    }
    same.count += count;
    if (ms !== undefined) same.ms = (same.ms ?? 0) + ms;
  }

  /** The entry as the profile remembers it: without its path past a line's first paths. */
  private withRememberedPath(entry: LineEntry): LineEntry {
    const lineKey = `${entry.file}\0${entry.line}`;
    let paths = this.pathsByLine.get(lineKey);
    if (!paths) this.pathsByLine.set(lineKey, (paths = new Set()));
    // As the profile keys them: no path is the empty path, and counts as one.
    const path = (entry.path ?? []).join('\n');
    if (paths.has(path)) return entry;
    if (paths.size < MAX_PATHS_PER_LINE) {
      paths.add(path);
      return entry;
    }
    return { ...entry, path: [...FORGOTTEN_PATH] };
  }
}

/** Runners send ms to the µs: sums need no more digits than that. */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
