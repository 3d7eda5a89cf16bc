/**
 * Tells the Runs view when a workspace's recordings change on disk: a recording folder appearing or
 * going in `.trainlens/runs`, and the summary.json of a run in progress (written when it ends).
 *
 * Node's own fs.watch, one folder each, not VS Code's FileSystemWatcher: in code-server 4.100.3
 * (VS Code 1.100) neither a recursive watcher on the workspace folder nor a flat one on the runs
 * folder reported a recording folder created by a CLI run in a terminal (measured with a folder
 * copied in: no event in 5 s, while the Explorer showed a new file at the root). Plain Node, no
 * `vscode`, so it is tested on real folders.
 */
import fs from 'node:fs';
import path from 'node:path';

export class RunsFolderWatch {
  private watcher: fs.FSWatcher | undefined;
  /** The folder watched now: the runs folder, or the nearest one above it that exists. */
  private watched: string | undefined;
  private readonly recordings = new Map<string, fs.FSWatcher>();
  private disposed = false;

  constructor(
    private readonly root: string,
    readonly runsDir: string,
    private readonly changed: () => void,
  ) {
    this.watchNearest();
  }

  /** Also tells when `dir`'s summary.json is written (a run in progress ending); `dirs` replaces the set. */
  followRecordings(dirs: readonly string[], summaryFile: string): void {
    const wanted = new Set(dirs);
    for (const [dir, watcher] of this.recordings) {
      if (wanted.has(dir)) continue;
      watcher.close();
      this.recordings.delete(dir);
    }
    for (const dir of wanted) {
      if (this.recordings.has(dir) || this.disposed) continue;
      const watcher = tryWatch(dir, (name) => {
        // A null name (some platforms) may be the summary too.
        if (name === null || name === summaryFile) this.changed();
      });
      if (watcher) this.recordings.set(dir, watcher);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.watcher?.close();
    this.watcher = undefined;
    for (const watcher of this.recordings.values()) watcher.close();
    this.recordings.clear();
  }

  /**
   * Watches the runs folder when it exists; until then (or once it is deleted) the nearest folder
   * above it up to the workspace root, and moves down as the folders appear.
   */
  private watchNearest(): void {
    if (this.disposed) return;
    let target = this.runsDir;
    while (!isDirectory(target) && target !== this.root && path.dirname(target) !== target) target = path.dirname(target);
    if (target === this.watched && this.watcher) return;
    this.watcher?.close();
    this.watched = target;
    this.watcher = tryWatch(target, () => this.onEvent(), () => this.onLost());
  }

  private onEvent(): void {
    if (this.watched === this.runsDir) {
      // The runs folder itself may be what went (deleted with all its recordings).
      if (!isDirectory(this.runsDir)) this.watchNearest();
      this.changed();
      return;
    }
    const before = this.watched;
    this.watchNearest();
    if (this.watched !== before && this.watched === this.runsDir) this.changed();
  }

  /** The watched folder was deleted or the watch failed: start again from what exists. */
  private onLost(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.watched = undefined;
    this.watchNearest();
    this.changed();
  }
}

function tryWatch(dir: string, onChange: (name: string | null) => void, onError?: () => void): fs.FSWatcher | undefined {
  try {
    const watcher = fs.watch(dir, { persistent: false }, (_event, name) => onChange(name === null ? null : String(name)));
    watcher.on('error', () => onError?.());
    return watcher;
  } catch {
    return undefined;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
