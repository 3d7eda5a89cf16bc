/**
 * When the Runs view lists the recordings again: after the files under a runs folder settle. A run
 * writes its events twice a second, so only a recording appearing or going, and its summary.json
 * (written once, when the run ends), count; a burst of them (a folder deleted file by file, a run
 * and its ceilings' probe runs) is one refresh.
 */
import type { Clock } from './throttle';

export type FileChange = 'created' | 'changed' | 'deleted';

/** A recording's two files by name (the host's recording writer names them). */
export interface RecordingFileNames {
  events: string;
  summary: string;
}

/** `relative`: the changed path relative to a runs folder, `/`-separated. */
export function changeAltersList(relative: string, change: FileChange, files: RecordingFileNames): boolean {
  const parts = relative.split('/').filter((part) => part !== '');
  // The runs folder itself: made by the first run, or deleted with all its recordings.
  if (parts.length === 0) return change !== 'changed';
  if (parts.length === 1) return change !== 'changed';
  if (parts.length !== 2) return false;
  if (parts[1] === files.summary) return true;
  return parts[1] === files.events && change !== 'changed';
}

/** Quiet time before the list is read again: long enough for a folder's files to land together. */
export const REFRESH_DEBOUNCE_MS = 300;

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (action, ms) => setTimeout(action, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Runs the action once, `delayMs` after the last request of a burst. */
export class Debounce {
  private timer: unknown;
  private disposed = false;

  constructor(
    private readonly delayMs: number,
    private readonly action: () => void,
    private readonly clock: Clock = systemClock,
  ) {}

  request(): void {
    if (this.disposed) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.disposed) this.action();
    }, this.delayMs);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
