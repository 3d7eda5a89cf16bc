import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_RESTARTS } from '../../src/host/telemetry/nvidia-smi';
import { collect, killGroup, spawnGroup, useFakeNvidiaSmi } from './harness';

const INTERVAL_MS = 100;

describe('GPU telemetry (fake nvidia-smi on PATH)', () => {
  let fake: ReturnType<typeof useFakeNvidiaSmi>;
  let logDir: string;
  let root: ReturnType<typeof spawnGroup>;

  before(() => {
    fake = useFakeNvidiaSmi();
    logDir = mkdtempSync(path.join(tmpdir(), 'trainlens-nvsmi-'));
  });
  after(() => {
    fake.restore();
    rmSync(logDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    root = spawnGroup('sleep', ['30']);
  });
  afterEach(() => killGroup(root));

  function invocations(logFile: string): string[] {
    return readFileSync(logFile, 'utf8').trim().split('\n');
  }

  it('parses a multi-GPU box, [N/A] fields and the run’s own GPU memory', async () => {
    fake.scenario('multi-gpu', [root.pid]);
    const got = await collect({ rootPid: root.pid, intervalMs: INTERVAL_MS }, 500, (g) => g.hardware.length > 0 && typeof g.samples.at(-1)?.ownGpuMemMiB === 'number');

    assert.deepEqual(got.notes, []);
    const last = got.samples.at(-1);
    assert.ok(last?.gpus, 'samples carry GPUs');
    assert.deepEqual(
      last.gpus.map((g) => g.index),
      [0, 1, 2, 3],
    );
    assert.deepEqual(last.gpus[0], {
      index: 0, utilPct: 98, memUtilPct: 64, memUsedMiB: 61234, memTotalMiB: 81920, powerW: 356.71, smClockMHz: 1410, tempC: 61, pcieGen: 4, pcieWidth: 16,
    });
    assert.equal(last.gpus[2]?.pcieGen, 1);
    assert.equal(last.gpus[3]?.utilPct, null);
    assert.equal(last.gpus[3]?.smClockMHz, null);
    // The root holds contexts on GPUs 0 and 1; pid 4194000 belongs to someone else.
    assert.equal(last.ownGpuMemMiB, 61230 + 60108);

    assert.equal(got.hardware.length, 1);
    const hw = got.hardware[0];
    assert.equal(hw?.nvlink, true);
    assert.deepEqual(hw?.gpus[3], { index: 3, name: 'NVIDIA A100-SXM4-80GB', memTotalMiB: 81920, pcieGenMax: 4, pcieWidthMax: 16 });
  });

  it('reads [Not Supported] as null, no NVLink, and unknown own memory when no process is listed', async () => {
    fake.scenario('laptop-in-container', [root.pid]);
    const got = await collect({ rootPid: root.pid, intervalMs: INTERVAL_MS }, 500, (g) => g.hardware.length > 0);

    assert.deepEqual(got.notes, []);
    const gpu = got.samples.at(-1)?.gpus?.[0];
    assert.equal(gpu?.powerW, null);
    assert.equal(gpu?.pcieWidth, 8);
    assert.equal(got.samples.at(-1)?.ownGpuMemMiB, null);
    assert.equal(got.hardware[0]?.nvlink, false);
  });

  it('a GPU that falls off the bus drops out of the samples, with one note', async () => {
    fake.scenario('gpu-lost', [root.pid]);
    const got = await collect({ rootPid: root.pid, intervalMs: INTERVAL_MS }, 500, (g) => g.hardware.length > 0 && g.samples.at(-1)?.gpus?.length === 1);

    assert.deepEqual(got.notes, ['nvidia-smi: Unable to determine the device handle for GPU0000:CA:00.0: GPU is lost.  Reboot the system to recover this GPU']);
    assert.deepEqual(got.samples.at(-1)?.gpus?.map((g) => g.index), [0]);
    assert.equal(got.hardware[0]?.nvlink, false);
  });

  it('a driver failure gives one note, no GPU samples and no retries', async () => {
    const log = path.join(logDir, 'driver.log');
    fake.scenario('driver-failure', [root.pid], log);
    const got = await collect({ rootPid: root.pid, intervalMs: INTERVAL_MS }, 600, (g) => g.hardware.length > 0);

    assert.equal(got.notes.length, 1);
    assert.match(got.notes[0] ?? '', /^no NVIDIA GPU found \(nvidia-smi: NVIDIA-SMI has failed because it couldn't communicate/);
    assert.ok(got.samples.length > 0 && got.samples.every((s) => s.gpus === undefined));
    assert.equal(invocations(log).length, 1);
    assert.deepEqual(got.hardware[0]?.gpus, []);
    assert.equal(got.hardware[0]?.gpuNote, got.notes[0]);
  });

  it('a child that keeps dying mid-run is restarted a bounded number of times, with one note', async () => {
    const log = path.join(logDir, 'mid-run.log');
    fake.scenario('mid-run-exit', [root.pid], log);
    const gpuQueries = (): string[] => invocations(log).filter((line) => line.startsWith('--query-gpu='));
    // Restart delays add up to 0.7 s; the extra wait gives a fifth start, if there were one, time to show.
    const got = await collect({ rootPid: root.pid, intervalMs: INTERVAL_MS }, 2000, (g) => gpuQueries().length >= 1 + MAX_RESTARTS && g.samples.at(-1)?.gpus === undefined);

    assert.equal(gpuQueries().length, 1 + MAX_RESTARTS);
    assert.deepEqual(got.notes, [
      'nvidia-smi: Unable to determine the device handle for GPU0000:00:1E.0: Unknown Error',
      `nvidia-smi stopped mid-run (exit code 15); restarting it at most ${MAX_RESTARTS} times`,
    ]);
    assert.ok(got.samples.some((s) => s.gpus?.[0]?.utilPct === 93 && s.ownGpuMemMiB === 70180));
    // Once restarts are spent, the lost GPU drops out of the samples instead of freezing.
    assert.equal(got.samples.at(-1)?.gpus, undefined);
    assert.equal(got.hardware[0]?.gpus[0]?.name, 'NVIDIA H100 PCIe');
  });
});
