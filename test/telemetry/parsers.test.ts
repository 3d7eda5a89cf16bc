import assert from 'node:assert/strict';
import {
  computeAppsArgs,
  gpuQueryArgs,
  parseComputeAppRow,
  parseGpuRow,
  parseNvlinkStatus,
} from '../../src/host/telemetry/nvidia-smi-parse';
import { parseCpuLine, parseMeminfo, parsePidStat } from '../../src/host/telemetry/proc-linux';

describe('nvidia-smi parsing', () => {
  it('runs exactly the pinned commands', () => {
    assert.deepEqual(gpuQueryArgs(1000), [
      '--query-gpu=index,name,utilization.gpu,utilization.memory,memory.used,memory.total,power.draw,clocks.sm,temperature.gpu,pcie.link.gen.current,pcie.link.width.current,pcie.link.gen.max,pcie.link.width.max',
      '--format=csv,noheader,nounits',
      '--loop-ms=1000',
    ]);
    assert.deepEqual(computeAppsArgs(1000), ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits', '--loop-ms=1000']);
  });

  it('reads a data row, every odd value as null', () => {
    const row = parseGpuRow('1, Tesla T4, [N/A], [Not Supported], 15, 15360, [Unknown Error], [GPU requires reset], 41, 1, 16, 3, 16');
    assert.deepEqual(row, {
      sample: { index: 1, utilPct: null, memUtilPct: null, memUsedMiB: 15, memTotalMiB: 15360, powerW: null, smClockMHz: null, tempC: 41, pcieGen: 1, pcieWidth: 16 },
      name: 'Tesla T4',
      pcieGenMax: 3,
      pcieWidthMax: 16,
    });
  });

  it('rejects lines that are not data', () => {
    for (const line of [
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
      'Unable to determine the device handle for GPU0000:3B:00.0: Unknown Error',
      'No devices were found',
      '[N/A], NVIDIA A100-SXM4-80GB, 0, 0, 4, 81920, 62.10, 210, 34, 1, 16, 4, 16',
    ]) {
      assert.equal(parseGpuRow(line), null, line);
    }
  });

  it('reads compute-app rows', () => {
    assert.deepEqual(parseComputeAppRow('48213, 30518'), { pid: 48213, usedMiB: 30518 });
    assert.deepEqual(parseComputeAppRow('48213, [N/A]'), { pid: 48213, usedMiB: null });
    assert.equal(parseComputeAppRow('No running processes found'), null);
  });

  it('tells NVLink up, absent and unknown apart', () => {
    assert.equal(parseNvlinkStatus('GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-x)\n\t Link 0: 26.562 GB/s\n'), true);
    assert.equal(parseNvlinkStatus('GPU 0: NVIDIA L4 (UUID: GPU-x)\n'), false);
    assert.equal(parseNvlinkStatus('GPU 0: NVIDIA A100 (UUID: GPU-x)\n\t Link 0: <inactive>\n'), false);
    assert.equal(parseNvlinkStatus(''), null);
  });
});

describe('/proc parsing', () => {
  it('reads a stat line whose command name holds spaces and parentheses', () => {
    const line = '4242 (pt_data_worker (1)) S 4200 4200 4200 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 987654 123456789 2048 18446744073709551615';
    assert.deepEqual(parsePidStat(line), { ppid: 4200, cpuTicks: 300, startTime: '987654', rssPages: 2048, exited: false });
    assert.equal(parsePidStat('garbage'), null);
  });

  it('marks a process that has exited but is not yet reaped (a zombie holds no memory)', () => {
    const zombie = '4243 (python3) Z 4200 4200 4200 0 -1 4227084 100 0 0 0 250 50 0 0 20 0 1 0 987655 0 0 18446744073709551615';
    assert.deepEqual(parsePidStat(zombie), { ppid: 4200, cpuTicks: 300, startTime: '987655', rssPages: 0, exited: true });
  });

  it('reads the machine CPU line without double-counting guest time', () => {
    assert.deepEqual(parseCpuLine('cpu  100 5 50 800 40 3 2 0 30 0\ncpu0 1 2 3'), { busy: 160, total: 1000 });
  });

  it('reads meminfo, with a fallback for kernels before MemAvailable', () => {
    assert.deepEqual(parseMeminfo('MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    600 kB\n'), { usedBytes: 400 * 1024, totalBytes: 1000 * 1024 });
    assert.deepEqual(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n'), { usedBytes: 600 * 1024, totalBytes: 1000 * 1024 });
  });
});
