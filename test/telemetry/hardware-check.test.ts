import assert from 'node:assert/strict';
import { checkHardware, peakTflops, type PcieUnderLoad } from '../../src/core/hardware-check';
import { TelemetryAccumulator } from '../../src/core/telemetry-accumulator';
import type { GpuSample, HardwareEvent, TelemetryEvent } from '../../src/protocol/recording';

const GIB = 1024 ** 3;

function box(ramGiB: number, gpus: number, memTotalMiB = 81920, nvlink: boolean | null = true): HardwareEvent {
  return {
    type: 'hardware',
    cpu: { model: 'AMD EPYC 7763', physicalCores: 64, logicalCores: 128 },
    memTotalBytes: ramGiB * GIB,
    gpus: Array.from({ length: gpus }, (_, index) => ({ index, name: 'NVIDIA A100-SXM4-80GB', memTotalMiB, pcieGenMax: 4, pcieWidthMax: 16 })),
    nvlink,
  };
}

function gpu(index: number, utilPct: number | null, pcieGen: number, pcieWidth = 16): GpuSample {
  return { index, utilPct, memUtilPct: null, memUsedMiB: 1000, memTotalMiB: 81920, powerW: null, smClockMHz: null, tempC: null, pcieGen, pcieWidth };
}

function sample(gpus: GpuSample[], processes = 3): TelemetryEvent {
  return { type: 'telemetry', t: 0, proc: { cpuPct: 100, rssBytes: 1e9, processes }, system: { cpuPct: 50, memUsedBytes: 1, memTotalBytes: 2 }, gpus, ownGpuMemMiB: 500 };
}

const codes = (hw: HardwareEvent, links?: PcieUnderLoad[]): string[] => checkHardware(hw, links).map((i) => i.code);

describe('checkHardware', () => {
  it('flags RAM smaller than GPU memory as high, thin headroom as moderate', () => {
    assert.deepEqual(codes(box(256, 4)), ['ram-below-gpu-memory']); // 320 GiB of GPU memory
    assert.deepEqual(codes(box(384, 4)), ['ram-headroom-low']); // needs 320 + 80
    assert.deepEqual(codes(box(512, 4)), []);
    const [issue] = checkHardware(box(16, 1, 23028)); // a g5.xlarge: A10G and 16 GiB
    assert.equal(issue?.severity, 'high');
    assert.equal(issue?.evidence.ramBytes, 16 * GIB);
  });

  it('judges PCIe links only on busy samples', () => {
    const hw = box(2048, 2);
    const acc = new TelemetryAccumulator();
    // Idle at Gen1 is power saving, not a fault.
    for (let i = 0; i < 5; i++) acc.add(sample([gpu(0, 0, 1), gpu(1, 0, 1)]));
    assert.deepEqual(codes(hw, acc.pcieUnderLoad()), []);
    // Busy: GPU 0 reaches Gen4, GPU 1 stays at Gen3 x8.
    for (let i = 0; i < 5; i++) acc.add(sample([gpu(0, 95, 4), gpu(1, 95, 3, 8)]));
    const issues = checkHardware(hw, acc.pcieUnderLoad());
    assert.deepEqual(issues.map((i) => [i.code, i.evidence.gpuIndex]), [['pcie-link-below-max', 1]]);
    assert.equal(issues[0]?.evidence.bandwidthShare?.toFixed(2), '0.25');
  });

  it('needs a few busy samples before judging a link', () => {
    assert.deepEqual(codes(box(2048, 1), [{ index: 0, pcieGen: 3, pcieWidth: 16, busySamples: 1 }]), []);
  });

  it('notes multi-GPU boxes without NVLink', () => {
    assert.deepEqual(codes(box(2048, 2, 81920, false)), ['multi-gpu-without-nvlink']);
    assert.deepEqual(codes(box(2048, 2, 81920, null)), []);
  });
});

describe('peakTflops', () => {
  it('knows the common cards by their nvidia-smi names', () => {
    const cases: Array<[string, number | null]> = [
      ['NVIDIA A100-SXM4-80GB', 312],
      ['NVIDIA A100 80GB PCIe', 312],
      ['NVIDIA H100 80GB HBM3', 989],
      ['NVIDIA H100 PCIe', 756],
      ['NVIDIA H100 NVL', 835],
      ['NVIDIA H200', 989],
      ['NVIDIA L4', 121],
      ['NVIDIA L40S', 362],
      ['NVIDIA A10G', 70],
      ['NVIDIA A10', 125],
      ['Tesla T4', 65],
      ['Tesla V100-SXM2-32GB', 125],
      ['Tesla V100-PCIE-16GB', 112],
      ['NVIDIA GeForce RTX 3090', 71],
      ['NVIDIA GeForce RTX 4090', 165.2],
      ['NVIDIA RTX A6000', 154.8],
      ['NVIDIA GeForce GTX 1080 Ti', null],
    ];
    for (const [name, tflops] of cases) assert.equal(peakTflops(name), tflops, name);
  });
});

describe('TelemetryAccumulator', () => {
  it('keeps the summary figures and leaves unmeasured trees out of CPU and RSS', () => {
    const acc = new TelemetryAccumulator();
    acc.add(sample([gpu(0, 40, 4), gpu(1, 60, 4)]));
    acc.add(sample([gpu(0, 100, 4), gpu(1, 100, 4)]));
    acc.add({ ...sample([]), proc: { cpuPct: 0, rssBytes: 0, processes: 0 } });
    const s = acc.summary();
    assert.equal(acc.count, 3);
    assert.equal(s?.cpuPctMean, 100);
    assert.equal(s?.rssPeakBytes, 1e9);
    assert.equal(s?.gpuUtilPctMean, 75);
    assert.equal(s?.gpuMemTotalMiB, 81920);
    assert.equal(s?.ownGpuMemPeakMiB, 500);
    assert.equal(new TelemetryAccumulator().summary(), null);
  });
});
