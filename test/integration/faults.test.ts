/**
 * Disk and output faults. A recordings folder that fills up (a small tmpfs when running as root,
 * else a file-size limit) or cannot be written at all; a script printing invalid UTF-8, 10 MB
 * lines or ~100 MB/s. The run goes on and the user is told once; the CLI's memory and the
 * recording stay bounded, measured against the same CLI on a quiet script in the same test.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadSummary, readRecording, replay } from '../../src/host/recording/recording-reader';
import { CLI, example, parseSummary, REPO, runCli, tempDir, TORCH_PYTHON } from './cli-harness';
import { scriptResultOf } from '../script-result';

interface CliRun {
  code: number | null;
  stdout: string;
  /** The CLI's stderr (with --json: the script's stdout and stderr too), its last 64 KiB. */
  stderrTail: string;
  stderrBytes: number;
  /** The CLI process's own peak resident memory (VmHWM), read from /proc just before it exits. */
  peakRssBytes: number;
  /** Times `needle` appeared in the whole of stderr. */
  mentions: number;
}

/** Runs the CLI with `prefix` (e.g. prlimit) in front, draining its output as a terminal would. */
async function runCliMeasured(args: string[], needle: string, prefix: string[] = []): Promise<CliRun> {
  const command = [...prefix, process.execPath, CLI, ...args];
  const child = spawn(command[0] as string, command.slice(1), { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderrTail = Buffer.alloc(0);
  let stderrBytes = 0;
  let mentions = 0;
  let carry = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => {
    stderrBytes += chunk.length;
    stderrTail = Buffer.concat([stderrTail, chunk]).subarray(-65536);
    // Counted across chunk boundaries without keeping the (possibly gigabytes of) output.
    const text = carry + chunk.toString('latin1');
    mentions += text.split(needle).length - 1;
    carry = text.slice(-needle.length + 1);
  });
  // The CLI is the leaf of `prlimit` when one is in front: prlimit execs it, same pid.
  let peakRssBytes = 0;
  const poll = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, vmHwmBytes(child.pid as number))), 50);
  // 'close', not 'exit': the output still in the pipes when the CLI exits is read first (CI lost a
  // whole 10 MB line resolving on 'exit').
  const code = await new Promise<number | null>((resolve) => child.once('close', (status) => resolve(status)));
  clearInterval(poll);
  return { code, stdout, stderrTail: stderrTail.toString('latin1'), stderrBytes, peakRssBytes, mentions };
}

function vmHwmBytes(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function onlyRecording(out: string): string {
  const names = fs.readdirSync(out).filter((name) => fs.statSync(path.join(out, name)).isDirectory());
  assert.equal(names.length, 1, `one recording in ${out}: ${names.join(', ')}`);
  return path.join(out, names[0] as string);
}

const MiB = 1024 * 1024;
/** Recorded steps: enough that the recording passes the small limits below within the run. */
const STEPS = 1500;

/** A full recordings folder: the run completes, one clear message, what was written reads back. */
async function checkFullDisk(out: string, prefix: string[]): Promise<void> {
  const run = await runCliMeasured(['record', '--json', '--out', out, '--', TORCH_PYTHON, example('pytorch', 'compute_bound.py'), '--steps', String(STEPS)], 'recording stopped', prefix);
  const truth = scriptResultOf(run.stderrTail);
  const summary = parseSummary(run.stdout);
  assert.equal(run.code, 0, run.stderrTail.slice(-3000));
  assert.ok(summary && truth, 'a summary and the script result');
  assert.equal(summary.status, 'completed');
  assert.equal(summary.steps, truth.steps, 'every step is in the summary, kept in memory after the disk filled');
  // Told once while running (CLI stderr), and again in the final report's notes: two mentions, no more.
  assert.equal(run.mentions, 2, `mentions of the fault:\n${run.stderrTail.slice(-3000)}`);
  assert.match(run.stderrTail, /trainlens: recording stopped: cannot write .*events\.jsonl \((ENOSPC: the disk is full|EFBIG: the file size limit was reached)\)\. The run goes on/);
  const dir = onlyRecording(out);
  assert.deepEqual(fs.readdirSync(dir).filter((name) => name.endsWith('.tmp')), [], 'no half-written summary left behind');
  const recording = readRecording(dir);
  assert.ok(recording.skippedLines <= 1, 'at most the line the failed write cut');
  const recorded = replay(recording).summary(dir).steps;
  assert.ok(recorded > 0 && recorded < truth.steps, `the recording holds the steps before the disk filled: ${recorded}`);
  // summary.json is there when the disk had room for it (a file-size limit), else it is rebuilt.
  assert.equal(loadSummary(dir, recording).steps, fs.existsSync(path.join(dir, 'summary.json')) ? truth.steps : recorded);
}

describe('faults: the disk', function () {
  this.timeout(180_000);
  const root = typeof process.getuid === 'function' && process.getuid() === 0;

  it('a full recordings folder (tmpfs of 64 KiB): the run goes on, the user is told once', async function () {
    const mountPoint = tempDir('trainlens-full-');
    const mount = root ? spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint], { encoding: 'utf8' }) : undefined;
    if (!mount || mount.status !== 0) {
      console.log(`      skipped: ${root ? `mount -t tmpfs failed: ${mount?.stderr.trim()}` : 'not root, cannot mount a tmpfs'} (the file-size-limit case below covers the same path)`);
      return this.skip();
    }
    try {
      await checkFullDisk(mountPoint, []);
    } finally {
      spawnSync('umount', [mountPoint]);
    }
  });

  it('a file-size limit (RLIMIT_FSIZE 64 KiB, EFBIG): the run goes on, the user is told once', async function () {
    if (spawnSync('prlimit', ['--version']).status !== 0) {
      console.log('      skipped: no prlimit (util-linux) to set the file-size limit');
      return this.skip();
    }
    await checkFullDisk(tempDir(), ['prlimit', `--fsize=${64 * 1024}`]);
  });

  it('a read-only recordings folder: refused before anything runs, with the reason', function () {
    const mountPoint = tempDir('trainlens-ro-');
    const mount = root ? spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', mountPoint], { encoding: 'utf8' }) : undefined;
    if (!mount || mount.status !== 0) {
      console.log(`      skipped: ${root ? `mount -t tmpfs -o ro failed: ${mount?.stderr.trim()}` : 'not root, cannot mount a read-only tmpfs'} (test/integration/cli-errors.test.ts covers a folder that cannot be created)`);
      return this.skip();
    }
    try {
      const r = runCli(['record', '--out', mountPoint, '--', TORCH_PYTHON, example('pytorch', 'compute_bound.py')]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /cannot write the recording in .*read-only file system/);
    } finally {
      spawnSync('umount', [mountPoint]);
    }
  });
});

/**
 * Trains STEPS small steps and, depending on the mode, prints invalid UTF-8 every step, a 10 MB
 * line every 100 steps, or floods ~100 MB/s from a thread; writes its own figures (steps, bytes
 * written, seconds) to the file given last, since its output goes to the flood.
 */
const NOISY_SCRIPT = `
import json, sys, threading, time
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

mode, steps, result_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
out = sys.stdout.buffer
written = [0]
stop = threading.Event()

def flood():
    block = (b"flood " * 10922)[:65536]
    started = time.perf_counter()
    while not stop.is_set():
        out.write(block)
        written[0] += len(block)
        # ~100 MB/s: ahead of schedule, wait
        ahead = written[0] / 100e6 - (time.perf_counter() - started)
        if ahead > 0:
            time.sleep(ahead)

started = time.perf_counter()
if mode == "flood":
    threading.Thread(target=flood, daemon=True).start()
loader = DataLoader(TensorDataset(torch.randn(steps * 8, 32), torch.randn(steps * 8, 1)), batch_size=8)
model = nn.Linear(32, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
done = 0
for x, y in loader:
    optimizer.zero_grad()
    nn.functional.mse_loss(model(x), y).backward()
    optimizer.step()
    done += 1
    if mode == "invalid-utf8":
        bad = b"bad \\xff\\xfe \\xc3\\x28 \\xed\\xa0\\x80 \\xf8\\x88\\x80\\x80\\x80 end\\n"
        out.write(bad)
        sys.stderr.buffer.write(bad)
        written[0] += 2 * len(bad)
    elif mode == "long-lines" and done % 100 == 0:
        out.write(b"y" * (10 * 1024 * 1024) + b"\\n")
        written[0] += 10 * 1024 * 1024 + 1
stop.set()
out.flush()
with open(result_file, "w") as f:
    json.dump({"steps": done, "bytes": written[0], "seconds": time.perf_counter() - started}, f)
`;

describe("faults: the script's output", function () {
  this.timeout(240_000);
  const dir = tempDir('trainlens-noisy-');
  const script = path.join(dir, 'noisy.py');
  fs.writeFileSync(script, NOISY_SCRIPT);
  const steps = 1500;

  async function recordNoisy(mode: string): Promise<{ run: CliRun; figures: { steps: number; bytes: number; seconds: number }; recordingBytes: number; summarySteps: number }> {
    const out = tempDir();
    const resultFile = path.join(dir, `${mode}.json`);
    const run = await runCliMeasured(['record', '--json', '--out', out, '--', TORCH_PYTHON, script, mode, String(steps), resultFile], '\xff\xfe');
    assert.equal(run.code, 0, run.stderrTail.slice(-2000));
    const summary = parseSummary(run.stdout);
    assert.ok(summary, 'a summary on stdout');
    const recordingDir = onlyRecording(out);
    const recordingBytes = fs.statSync(path.join(recordingDir, 'events.jsonl')).size;
    const figures = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as { steps: number; bytes: number; seconds: number };
    assert.equal(readRecording(recordingDir).skippedLines, 0);
    return { run, figures, recordingBytes, summarySteps: summary.steps };
  }

  it('invalid UTF-8, 10 MB lines, ~100 MB/s: every step recorded, bytes passed through untouched, CLI memory and recording as on a quiet run', async () => {
    const quiet = await recordNoisy('quiet');
    assert.equal(quiet.summarySteps, quiet.figures.steps);
    const report: string[] = [`quiet: CLI peak RSS ${(quiet.run.peakRssBytes / MiB).toFixed(0)} MiB, recording ${(quiet.recordingBytes / 1024).toFixed(0)} KiB`];
    for (const mode of ['invalid-utf8', 'long-lines', 'flood']) {
      const noisy = await recordNoisy(mode);
      const mbPerSec = noisy.figures.bytes / MiB / noisy.figures.seconds;
      report.push(`${mode}: ${(noisy.figures.bytes / MiB).toFixed(1)} MiB of output at ${mbPerSec.toFixed(0)} MiB/s (the script's own count), CLI peak RSS ${(noisy.run.peakRssBytes / MiB).toFixed(0)} MiB, recording ${(noisy.recordingBytes / 1024).toFixed(0)} KiB`);
      assert.equal(noisy.summarySteps, noisy.figures.steps, `${mode}: every step recorded`);
      assert.ok(noisy.run.stderrBytes >= noisy.figures.bytes, `${mode}: all ${noisy.figures.bytes} bytes reached the terminal (${noisy.run.stderrBytes})`);
      if (mode === 'invalid-utf8') assert.equal(noisy.run.mentions, 2 * steps, 'invalid bytes passed through as they were, not replaced');
      if (mode === 'flood') assert.ok(mbPerSec > 30, `the flood reached ${mbPerSec.toFixed(0)} MiB/s`);
      // The CLI never holds the script's output: its memory is the quiet run's, give or take the
      // noise of a Node process (GC timing), however much went by.
      assert.ok(noisy.run.peakRssBytes < quiet.run.peakRssBytes * 1.5 + 32 * MiB, report.join('\n'));
      // The recording holds events, not output: its size does not follow the output's.
      assert.ok(noisy.recordingBytes < quiet.recordingBytes * 2 + 256 * 1024, report.join('\n'));
    }
    console.log(report.map((line) => `      ${line}`).join('\n'));
  });
});
