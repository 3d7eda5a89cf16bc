import assert from 'node:assert/strict';
import { TrainingProcess } from '../../src/host/launch/training-process';
import type { LaunchPlan } from '../../src/host/launch/plan';
import { isAlive } from '../processes';

function plan(code: string): LaunchPlan {
  return { runner: 'python', command: 'python3', args: ['-c', code], env: process.env, script: null };
}

describe('TrainingProcess', function () {
  this.timeout(20_000);

  it('stops with SIGINT when the program honours it', async () => {
    const proc = await TrainingProcess.start(plan('import time\nwhile True: time.sleep(0.05)'), process.cwd(), 'pipe');
    await new Promise((r) => setTimeout(r, 300));
    const exit = await proc.stop(2000);
    // Python turns SIGINT into KeyboardInterrupt and exits 1 (or by the signal).
    assert.ok(exit.exitCode === 1 || exit.signal === 'SIGINT', JSON.stringify(exit));
  });

  it('escalates to SIGTERM when a script ignores SIGINT, and takes its child with it', async () => {
    const code = [
      'import signal, subprocess, sys, time',
      'signal.signal(signal.SIGINT, signal.SIG_IGN)',
      'child = subprocess.Popen([sys.executable, "-c", "import signal,time; signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(60)"])',
      'print(child.pid, flush=True)',
      'time.sleep(60)',
    ].join('\n');
    const proc = await TrainingProcess.start(plan(code), process.cwd(), 'pipe');
    const childPid = await new Promise<number>((resolve) => proc.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    const started = Date.now();
    const exit = await proc.stop(500);
    assert.equal(exit.signal, 'SIGTERM');
    assert.ok(Date.now() - started < 3000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(isAlive(childPid), false, 'the grandchild is gone too');
  });

  it('escalates to SIGKILL when SIGTERM is ignored too', async () => {
    const code = 'import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint("ready", flush=True)\ntime.sleep(60)';
    const proc = await TrainingProcess.start(plan(code), process.cwd(), 'pipe');
    await new Promise((resolve) => proc.stdout!.once('data', resolve));
    const exit = await proc.stop(300);
    assert.equal(exit.signal, 'SIGKILL');
  });

  it('reports a missing interpreter as a launch error', async () => {
    await assert.rejects(
      TrainingProcess.start({ ...plan(''), command: 'python3.99' }, process.cwd(), 'pipe'),
      (error: Error & { category?: string }) => error.category === 'launch' && /not found/.test(error.message),
    );
  });
});
