/** The Runs view's folder watch on real folders: recordings appearing, ending and going. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunsFolderWatch } from '../../src/extension/runs-view/runs-folder-watch';

/** Resolves once `count()` has grown past `from`, or rejects after a while (file events are async). */
async function grows(what: string, count: () => number, from: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (count() <= from) {
    if (Date.now() > deadline) throw new Error(`no change seen for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Runs view folder watch', () => {
  let root: string;
  let watch: RunsFolderWatch | undefined;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-runs-watch-'));
  });

  afterEach(() => {
    watch?.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('sees the first recording of a workspace that had no runs folder, later ones, their ends and deletions', async () => {
    const runs = path.join(root, '.trainlens', 'runs');
    let changes = 0;
    watch = new RunsFolderWatch(root, runs, () => (changes += 1));

    let seen = changes;
    fs.mkdirSync(path.join(runs, 'a'), { recursive: true });
    await grows('the runs folder and its first recording appearing', () => changes, seen);

    // Settle: the folder watch moved down to the runs folder.
    await new Promise((resolve) => setTimeout(resolve, 100));
    seen = changes;
    fs.mkdirSync(path.join(runs, 'b'));
    await grows('a second recording', () => changes, seen);

    watch.followRecordings([path.join(runs, 'b')], 'summary.json');
    await new Promise((resolve) => setTimeout(resolve, 100));
    seen = changes;
    // Events appended to a run in progress are not a change of the list…
    fs.writeFileSync(path.join(runs, 'b', 'events.jsonl'), '{}\n');
    fs.appendFileSync(path.join(runs, 'b', 'events.jsonl'), '{}\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(changes, seen, 'events.jsonl growing changes nothing');
    // …its summary is (written as the writer does: a temporary file renamed into place).
    fs.writeFileSync(path.join(runs, 'b', 'summary.json.tmp'), '{}');
    fs.renameSync(path.join(runs, 'b', 'summary.json.tmp'), path.join(runs, 'b', 'summary.json'));
    await grows('the run ending (summary.json)', () => changes, seen);

    await new Promise((resolve) => setTimeout(resolve, 100));
    seen = changes;
    fs.rmSync(path.join(runs, 'a'), { recursive: true });
    await grows('a recording deleted', () => changes, seen);

    await new Promise((resolve) => setTimeout(resolve, 100));
    seen = changes;
    fs.rmSync(runs, { recursive: true });
    await grows('the runs folder deleted', () => changes, seen);

    await new Promise((resolve) => setTimeout(resolve, 100));
    seen = changes;
    fs.mkdirSync(path.join(runs, 'c'), { recursive: true });
    await grows('a new runs folder after that', () => changes, seen);
  });

  it('says nothing after dispose', async () => {
    const runs = path.join(root, '.trainlens', 'runs');
    fs.mkdirSync(runs, { recursive: true });
    let changes = 0;
    watch = new RunsFolderWatch(root, runs, () => (changes += 1));
    watch.dispose();
    fs.mkdirSync(path.join(runs, 'a'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(changes, 0);
  });
});
