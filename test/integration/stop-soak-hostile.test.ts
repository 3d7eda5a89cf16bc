/**
 * Runs that resist being stopped: a script that ignores SIGINT and SIGTERM (with DataLoader
 * workers that inherit that), one that leaves a daemon child in its own session (setsid) that
 * ignores them too, and a run whose host (the extension host, here a stand-in) is killed mid-run.
 * None may leave a process behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readRecording } from '../../src/host/recording/recording-reader';
import { RunSession } from '../../src/host/run-session';
import { describe as describeProcesses, isAlive, processTreeOf, survivors } from '../processes';
import { CLI, REPO, tempDir, TORCH_PYTHON, waitFor } from './cli-harness';
import { SOAK_SCRIPT } from './stop-soak-cycles';

const STUBBORN = `
import signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
` + SOAK_SCRIPT;

/** The daemon ignores both signals and sleeps; the script itself stops on SIGINT as usual. */
const WITH_DAEMON = `
import subprocess, sys
DAEMON = "import signal, sys, time\\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\\ntime.sleep(600)"
daemon = subprocess.Popen([sys.executable, "-c", DAEMON, "daemon-of"] + sys.argv[1:], start_new_session=True)
sys.stderr.write("SOAK daemon %d\\n" % daemon.pid)
sys.stderr.flush()
` + SOAK_SCRIPT;

function writeScript(name: string, text: string): string {
  const file = path.join(tempDir('trainlens-stubborn-'), name);
  fs.writeFileSync(file, text);
  return file;
}

function onlyRecording(out: string): string {
  const [name] = fs.readdirSync(out);
  assert.ok(name, `a recording in ${out}`);
  return path.join(out, name);
}

async function until(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<RegExpMatchArray> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${seen.slice(-2000)}`)), 60_000);
    stream.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
}

describe('stop soak: runs that resist the stop', function () {
  this.timeout(120_000);

  it('a script that ignores SIGINT and SIGTERM, with 4 workers: escalation ends them all; recording stopped', async () => {
    const script = writeScript('stubborn.py', STUBBORN);
    const tag = `stubborn-${process.pid}`;
    const out = tempDir();
    const cli = spawn(process.execPath, [CLI, 'record', '--json', '--out', out, '--', TORCH_PYTHON, script, '--tag', tag], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    cli.stdout.resume();
    await until(cli.stderr, /SOAK step 3\n/);
    const tree = processTreeOf(tag);
    assert.ok(tree.length >= 5, `the script and its 4 workers:\n${describeProcesses(tree)}`);
    cli.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
    assert.equal(code, 130);
    assert.deepEqual(survivors(tree), [], 'nothing of the run left');
    const recording = readRecording(onlyRecording(out));
    assert.equal(recording.skippedLines, 0);
    const exit = recording.events.find((e) => e.type === 'exit');
    // The script ends by SIGKILL, or by its own error once its workers are gone (torch restores the
    // default handlers in them): stopped either way.
    assert.ok(exit?.type === 'exit' && exit.status === 'stopped', JSON.stringify(exit));
  });

  it('a daemon child in its own session that ignores the signals is found through the tree and stopped', async () => {
    const script = writeScript('with_daemon.py', WITH_DAEMON);
    const tag = `daemon-${process.pid}`;
    const session = await RunSession.start({ command: [TORCH_PYTHON, script, '--tag', tag], cwd: REPO, env: process.env, runsDir: tempDir(), runnersDir: path.join(REPO, 'dist'), stdio: 'pipe', telemetry: false });
    session.process.stdout?.resume();
    const stderr = session.process.stderr as NodeJS.ReadableStream;
    const daemonPid = Number((await until(stderr, /SOAK daemon (\d+)\n/))[1]);
    await until(stderr, /SOAK step 2\n/);
    const tree = processTreeOf(tag);
    const daemon = tree.find((p) => p.pid === daemonPid);
    assert.ok(daemon && daemon.pgid !== session.process.pid, `the daemon left the run's process group:\n${describeProcesses(tree)}`);
    const summary = await session.stop('test');
    assert.equal(summary.status, 'stopped');
    assert.deepEqual(survivors(tree), [], 'the daemon and everything else of the run are gone');
  });

  it('the host killed mid-run (an extension host crash or reload): the run does not outlive it', async () => {
    const script = writeScript('soak_workers.py', SOAK_SCRIPT);
    const tag = `orphan-${process.pid}`;
    const host = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'stop-soak-host.ts'), tempDir(), TORCH_PYTHON, script, '--tag', tag], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    await until(host.stdout, /STARTED (\d+)\n/);
    await until(host.stderr, /SOAK step 3\n/);
    const tree = processTreeOf(tag);
    assert.ok(tree.length >= 5, `the script and its 4 workers:\n${describeProcesses(tree)}`);
    host.kill('SIGKILL');
    const gone = await waitFor(() => survivors(tree).length === 0 && processTreeOf(tag).every((p) => !isAlive(p.pid)), 20_000);
    assert.ok(gone, `still alive after the host died:\n${describeProcesses(survivors(tree))}`);
  });
});
