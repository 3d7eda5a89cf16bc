/**
 * A real run (RunSession, the real Python runner, the real socket) that a second sender joins with
 * the run's own token, as a buggy runner would: its `lines` batches with bad entries in them reach
 * the run's hot lines without those entries, the summary counts what was dropped, the CLI report
 * says so, and the recording reads back the same hot lines. A recording whose events.jsonl itself
 * holds such a batch (edited by hand) reads back its good entries too.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatReport } from '../../src/cli/report-format';
import type { RunSummary } from '../../src/core/summary';
import { RUNNER_OPTIONS_ENV } from '../../src/host/launch/plan';
import { parseRecording, readRecording, replay } from '../../src/host/recording/recording-reader';
import { RunSession } from '../../src/host/run-session';
import { RECORDING_FORMAT } from '../../src/protocol/recording';

const REPO = path.resolve(__dirname, '..', '..');
/** Not the script: lines no real sample can land on. */
const FILE = '/w/train.py';
const GOOD = [
  { file: FILE, line: 12, stage: 'data', count: 40, ms: 400 },
  { file: FILE, line: 30, stage: 'forward', count: 25, ms: 250 },
];
/** The entry Python 3.11 sent (`"line": null`), an unknown stage, a count that is a string. */
const BAD = [
  { file: FILE, line: null, stage: 'forward', count: 4 },
  { file: FILE, line: 31, stage: 'warp', count: 1 },
  { file: FILE, line: 32, stage: 'data', count: '2' },
];
const lines = (entries: unknown[]) => ({ type: 'lines', t: 500, periodMs: 250, samples: 70, entries });
const SENT = [
  lines([BAD[0], GOOD[0], BAD[1], GOOD[1], BAD[2]]),
  // No good entry: dropped whole, as any invalid line.
  lines([BAD[0]]),
];

/** Reads the run's options (the test writes them to its stdin), connects as the runner would and sends SENT. */
const SENDER = `
import json, os, socket, sys
options = json.loads(sys.stdin.readline())
hello = {"type": "hello", "v": options["v"], "token": options["token"], "runner": "python", "pid": os.getpid(),
         "runtime": "test", "script": ${JSON.stringify(FILE)}, "argv": [], "cwd": "/", "sampleHz": 100, "timeOriginMs": 0}
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(options["socket"])
sock.sendall("".join(json.dumps(e) + "\\n" for e in [hello] + json.loads(sys.argv[1])).encode())
sock.close()
`;

function hotLinesOf(summary: RunSummary): Array<[number, number]> {
  return summary.hotLines.filter((h) => h.file === FILE).map((h) => [h.line, h.samples]);
}

describe('a lines batch with bad entries, in a real run', function () {
  this.timeout(60_000);

  it('reaches the hot lines with its good entries; the dropped ones are counted and reported', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-entries-'));
    const script = path.join(dir, 'sender.py');
    fs.writeFileSync(script, SENDER);
    const session = await RunSession.start({
      command: ['python3', script, JSON.stringify(SENT)],
      cwd: dir,
      env: process.env,
      runsDir: dir,
      runnersDir: path.join(REPO, 'dist'),
      stdio: 'pipe',
      telemetry: false,
    });
    let stderr = '';
    session.process.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    session.process.stdout?.resume();
    session.process.stdin?.end(`${session.plan.env[RUNNER_OPTIONS_ENV]}\n`);
    const summary = await session.done;

    assert.equal(summary.status, 'completed', stderr);
    assert.deepEqual(hotLinesOf(summary), [[12, 40], [30, 25]]);
    assert.deepEqual(summary.dropped, { 'bad-lines-entry': BAD.length, invalid: 1 });
    assert.ok(formatReport(summary).includes(`Dropped runner lines: ${BAD.length} bad-lines-entry, 1 invalid`), formatReport(summary).join('\n'));

    // The recording holds what the host accepted: the same hot lines, nothing left to drop.
    const recording = readRecording(session.dir);
    assert.equal(recording.skippedEntries, 0);
    assert.deepEqual(hotLinesOf(replay(recording).summary(session.dir)), [[12, 40], [30, 25]]);
  });

  it('a recording whose events.jsonl holds such a batch reads back its good entries, the bad ones counted', () => {
    const header = { type: 'run', format: RECORDING_FORMAT, id: 'edited', command: ['python3', FILE], cwd: '/w', startedAtMs: 0, sampleHz: 100 };
    const recording = parseRecording('/w/.trainlens/runs/edited', [header, ...SENT].map((e) => JSON.stringify(e)).join('\n'));
    assert.equal(recording.skippedEntries, BAD.length);
    assert.equal(recording.skippedLines, 1);
    const summary = replay(recording).summary(recording.dir);
    assert.deepEqual(hotLinesOf(summary), [[12, 40], [30, 25]]);
    assert.deepEqual(summary.dropped, { 'unreadable-recording-line': 1, 'bad-lines-entry': BAD.length });
  });
});
