import assert from 'node:assert/strict';
import { recordingItem, type RecordingGlance } from '../../src/core/editor-view/recording-list';
import { beforeAndAfter, comparedRunsTitle, isRecordingFolder, runToRestore } from '../../src/core/editor-view/runs-actions';
import { Debounce } from '../../src/core/editor-view/runs-refresh';
import { codiconId, durationText, RECORDING_QUIET_MS, runRow, runsNewestFirst, runState, startText, type RunOnDisk } from '../../src/core/editor-view/runs-rows';
import { OUTCOMES } from '../../src/core/editor-view/status-model';
import type { Clock } from '../../src/core/editor-view/throttle';

/** A run id as the writer makes it, from a local time (the writer uses local time too). */
function idAt(date: Date, name: string): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}-${name}-3f9c`;
}

const ROOT = '/w';
const RUNS = '/w/.trainlens/runs';
const NOW = new Date(2026, 10, 23, 12, 0, 0).getTime();

function run(startedAtMs: number, glance: Partial<RecordingGlance> | null, eventsModifiedMs: number | null = startedAtMs): RunOnDisk {
  const id = idAt(new Date(startedAtMs), 'train');
  const full: RecordingGlance | null = glance && { script: '/w/gpt/train.py', status: 'completed', steps: 410, durationMs: 8_100, batchesPerSec: 42.1, tokensPerSec: null, ...glance };
  return { item: recordingItem(id, `${RUNS}/${id}`), glance: full, startedAtMs: glance ? startedAtMs : null, eventsModifiedMs };
}

describe('Runs view rows', () => {
  const today = NOW - 3_600_000;

  it('shows script, status word, throughput, steps, start and duration, with the status bar icon', () => {
    const row = runRow(run(today, {}), ROOT, NOW);
    assert.equal(row.label, 'gpt/train.py');
    assert.equal(row.description, 'done · 42.1 batch/s · 410 steps · 11:00:00 · 8.1 s');
    assert.equal(row.icon, codiconId(OUTCOMES.completed.icon));
    assert.equal(row.icon, 'check');
    assert.equal(row.state, 'finished');
    assert.match(row.tooltip, /^\*\*gpt\/train\.py\*\* · done\n\n42\.1 batch\/s · 410 steps\n\nStarted 2026-11-23 11:00:00 · ran 8\.1 s\n\n`\/w\/\.trainlens\/runs\/20261123-110000-train-3f9c`$/);
  });

  it('uses the same icon and word as the status bar for every outcome', () => {
    for (const status of ['completed', 'stopped', 'failed', 'running'] as const) {
      const row = runRow(run(today, { status }), ROOT, NOW);
      assert.equal(row.icon, codiconId(OUTCOMES[status].icon), status);
      assert.ok(row.description.startsWith(`${OUTCOMES[status].word} · `), row.description);
    }
  });

  it('shows tokens/s when the run counted tokens, with batches/s in the tooltip', () => {
    const row = runRow(run(today, { tokensPerSec: 51_234 }), ROOT, NOW);
    assert.match(row.description, /^done · 51\.2k tok\/s · 410 steps/);
    assert.match(row.tooltip, /51\.2k tok\/s · 42\.1 batch\/s · 410 steps/);
  });

  it('dates a run from another day, and reads a large step count with separators', () => {
    const row = runRow(run(NOW - 3 * 86_400_000, { steps: 12_345 }), ROOT, NOW);
    assert.match(row.description, /12,345 steps · 2026-11-20 12:00 · 8\.1 s$/);
  });

  it('tells a run still recording from one cut off, by how recently its events were written', () => {
    const live = run(NOW - 60_000, null, NOW - 1_000);
    assert.equal(runState(live, NOW), 'recording');
    assert.equal(runRow(live, ROOT, NOW).icon, 'loading~spin');
    assert.match(runRow(live, ROOT, NOW).description, /^recording… · 11:59:00$/);
    const quiet = run(NOW - 60_000, null, NOW - RECORDING_QUIET_MS - 1);
    assert.equal(runState(quiet, NOW), 'cut-off');
    assert.equal(runRow(quiet, ROOT, NOW).icon, codiconId(OUTCOMES.running.icon));
    assert.match(runRow(quiet, ROOT, NOW).description, /^cut off · rebuilt from its events when opened/);
    // Without a summary the row is named after the id's script name.
    assert.equal(runRow(quiet, ROOT, NOW).label, 'train');
  });

  it('escapes the Markdown in a script name', () => {
    assert.match(runRow(run(today, { script: '/w/my_[x]*.py' }), ROOT, NOW).tooltip, /^\*\*my\\_\\\[x\\\]\\\*\.py\*\*/);
  });

  it('lists newest first by the summary clock, else the id, else the events file', () => {
    const a = run(NOW - 3_000_000, {});
    const b = run(NOW - 1_000_000, null);
    const c = run(NOW - 2_000_000, {});
    const foreign: RunOnDisk = { item: recordingItem('imported-trace', `${RUNS}/imported-trace`), glance: null, startedAtMs: null, eventsModifiedMs: NOW - 500_000 };
    assert.deepEqual(runsNewestFirst([a, b, c, foreign]).map((r) => r.item.id), [foreign, b, c, a].map((r) => r.item.id));
  });

  it('reads a duration to the second, in the largest units that fit', () => {
    assert.equal(durationText(8_140), '8.1 s');
    assert.equal(durationText(252_400), '4 min 12 s');
    assert.equal(durationText(7_510_000), '2 h 05 min');
  });

  it('reads the start time from the id, today as a time and before as a date', () => {
    assert.equal(startText('2026-11-23 10:54:31', NOW), '10:54:31');
    assert.equal(startText('2026-11-22 10:54:31', NOW), '2026-11-22 10:54');
    assert.equal(startText(null, NOW), undefined);
  });
});

describe('Runs view actions', () => {
  const script = '/w/gpt/train.py';

  it('restores the last finished run of the script, a failed one included', () => {
    const older = run(NOW - 600_000, {});
    const newer = run(NOW - 300_000, { status: 'failed' });
    const otherScript = run(NOW - 100_000, { script: '/w/other.py' });
    const cutOff = run(NOW - 50_000, { status: 'running' });
    const live = run(NOW - 20_000, null, NOW);
    assert.equal(runToRestore([older, newer, otherScript, cutOff, live], script, null), newer);
    assert.equal(runToRestore([older, otherScript], '/w/nothing.py', null), undefined);
  });

  it('restores nothing the user cleared, and any run that ended after the clear', () => {
    const ran = run(NOW - 600_000, {});
    const endedAtMs = NOW - 600_000 + 8_100;
    assert.equal(runToRestore([ran], script, endedAtMs), undefined);
    assert.equal(runToRestore([ran], script, endedAtMs - 1), ran);
    const later = run(NOW - 60_000, {});
    assert.equal(runToRestore([ran, later], script, endedAtMs + 1), later);
  });

  it('compares the earlier run as before, whichever was picked first', () => {
    const early = run(NOW - 600_000, {});
    const late = run(NOW - 60_000, {});
    assert.deepEqual(beforeAndAfter(late, early), { before: early, after: late });
    assert.deepEqual(beforeAndAfter(early, late), { before: early, after: late });
    assert.equal(comparedRunsTitle({ label: 'train.py', started: '10:54:31' }, { label: 'train.py', started: undefined }), 'train.py 10:54:31 → train.py · two recordings compared');
  });

  it('deletes only a folder directly inside a runs folder', () => {
    assert.ok(isRecordingFolder(`${RUNS}/20261123-105431-train-3f9c`, [RUNS]));
    assert.ok(!isRecordingFolder(RUNS, [RUNS]));
    assert.ok(!isRecordingFolder('/w/.trainlens', [RUNS]));
    assert.ok(!isRecordingFolder(`${RUNS}/x/..`, [RUNS]));
    assert.ok(!isRecordingFolder(`${RUNS}/../../src`, [RUNS]));
    assert.ok(!isRecordingFolder(`${RUNS}/a/b`, [RUNS]));
    assert.ok(!isRecordingFolder('/elsewhere/.trainlens/runs/x', [RUNS]));
  });
});

describe('Runs view refresh', () => {
  /** A hand-driven clock: timers fire when the test advances time. */
  class ManualClock implements Clock {
    private nowMs = 0;
    private timers = new Map<number, { at: number; action: () => void }>();
    private next = 0;
    now(): number {
      return this.nowMs;
    }
    setTimeout(action: () => void, ms: number): unknown {
      this.next += 1;
      this.timers.set(this.next, { at: this.nowMs + ms, action });
      return this.next;
    }
    clearTimeout(handle: unknown): void {
      this.timers.delete(handle as number);
    }
    advance(ms: number): void {
      this.nowMs += ms;
      for (const [handle, timer] of [...this.timers].sort((x, y) => x[1].at - y[1].at)) {
        if (timer.at > this.nowMs) continue;
        this.timers.delete(handle);
        timer.action();
      }
    }
  }

  it('runs once after a burst of changes goes quiet', () => {
    const clock = new ManualClock();
    let runs = 0;
    const debounce = new Debounce(300, () => (runs += 1), clock);
    for (let i = 0; i < 10; i += 1) {
      debounce.request();
      clock.advance(100);
    }
    assert.equal(runs, 0, 'still changing: not yet');
    clock.advance(200);
    assert.equal(runs, 1);
    debounce.request();
    clock.advance(300);
    assert.equal(runs, 2, 'a later change refreshes again');
    debounce.request();
    debounce.dispose();
    clock.advance(1000);
    assert.equal(runs, 2, 'nothing after dispose');
  });
});
