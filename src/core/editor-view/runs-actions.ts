/**
 * The Runs view's decisions, apart from the editor: which recording a reloaded window shows again,
 * which of two runs is "before" in a comparison, and which folders Delete may remove.
 */
import path from 'node:path';
import { runState, type RunOnDisk } from './runs-rows';

/**
 * The last finished run of `script` (a failed or stopped one included: the status bar shows it
 * ended so), unless it ended before the user cleared the annotations (`clearedAtMs`): what was
 * cleared stays cleared across reloads, and any later run shows again.
 */
export function runToRestore(runs: readonly RunOnDisk[], script: string, clearedAtMs: number | null): RunOnDisk | undefined {
  let best: { run: RunOnDisk; endedAtMs: number } | undefined;
  for (const run of runs) {
    const glance = run.glance;
    if (!glance || glance.script === null || !samePath(glance.script, script) || runState(run, Number.POSITIVE_INFINITY) !== 'finished') continue;
    if (run.startedAtMs === null) continue;
    const endedAtMs = run.startedAtMs + glance.durationMs;
    if (clearedAtMs !== null && endedAtMs <= clearedAtMs) continue;
    if (!best || endedAtMs > best.endedAtMs) best = { run, endedAtMs };
  }
  return best?.run;
}

/** The earlier run is "before", whichever order they were picked in. */
export function beforeAndAfter(a: RunOnDisk, b: RunOnDisk): { before: RunOnDisk; after: RunOnDisk } {
  const start = (run: RunOnDisk): number => run.startedAtMs ?? Number.NEGATIVE_INFINITY;
  const aFirst = start(a) !== start(b) ? start(a) < start(b) : a.item.id <= b.item.id;
  return aFirst ? { before: a, after: b } : { before: b, after: a };
}

/** The panel's heading for two recordings compared: `train.py 10:54:31 → train.py 11:02:10`. */
export function comparedRunsTitle(before: { label: string; started: string | undefined }, after: { label: string; started: string | undefined }): string {
  const name = (run: { label: string; started: string | undefined }): string => (run.started ? `${run.label} ${run.started}` : run.label);
  return `${name(before)} → ${name(after)} · two recordings compared`;
}

/**
 * Delete removes a folder only when it is one recording: a direct child of a workspace's runs
 * folder, never the runs folder itself or a path that `..` leads out of (the caller refuses a
 * symlink: a path cannot tell).
 */
export function isRecordingFolder(dir: string, runsDirs: readonly string[]): boolean {
  const resolved = path.resolve(dir);
  const name = path.basename(resolved);
  if (name === '' || name === '.' || name === '..') return false;
  return runsDirs.some((runsDir) => path.dirname(resolved) === path.resolve(runsDir));
}

function samePath(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}
