/**
 * Telemetry through the whole CLI: a real PyTorch run with the fake nvidia-smi on PATH replaying a
 * 4× A100 box. The summary and report carry the GPU figures, the process tree's CPU and RSS, the
 * hardware facts and the hardware check (this machine's RAM is far below 4× 80 GiB).
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { FAKE_NVIDIA_SMI_DIR } from '../telemetry/harness';
import { scriptResultOf } from '../script-result';
import { TORCH_PYTHON, example, runCli, tempDir } from './cli-harness';

describe('trainlens record: telemetry and the hardware check', () => {
  it('puts GPU, process-tree and machine figures and the hardware check in the summary and the report', () => {
    const env = { ...process.env, PATH: `${FAKE_NVIDIA_SMI_DIR}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_NVIDIA_SMI_SCENARIO: 'multi-gpu' };
    // 5,000 steps: several seconds of training, so telemetry samples the run and not only its exit.
    const run = runCli(['record', '--json', '--out', tempDir(), '--', TORCH_PYTHON, example('pytorch', 'compute_bound.py'), '--steps', '5000'], { env });
    assert.equal(run.code, 0, run.stderr);
    const summary = run.summary!;
    const own = scriptResultOf(run.stderr + run.stdout)!;
    const [ownRss, ownCpu] = [own.maxRssBytes!, own.processCpuPct!];
    const t = summary.telemetry!;
    assert.ok(t.samples >= 2, `telemetry samples: ${t.samples}`);
    // Replayed: GPUs 0 and 1 at 98% and 97%, GPU 2 idle, GPU 3 [N/A] (left out of the mean).
    assert.equal(t.gpuUtilPctMean, 65);
    assert.equal(t.gpuMemPeakMiB, 61234);
    assert.equal(t.gpuMemTotalMiB, 81920);
    // The script's own figures: its peak RSS from getrusage, its CPU time over its steps. The tree
    // is that one process; telemetry's mean also covers start-up (one core importing torch).
    console.log(`      RSS peak ${t.rssPeakBytes} (script ${ownRss}); CPU ${t.cpuPctMean?.toFixed(0)}% (script over its steps ${ownCpu.toFixed(0)}%)`);
    assert.ok(t.rssPeakBytes !== null && Math.abs(t.rssPeakBytes / ownRss - 1) < 0.2, `RSS peak ${t.rssPeakBytes} vs the script's own ${ownRss}`);
    assert.ok(t.cpuPctMean !== null && t.cpuPctMean > 0.5 * ownCpu && t.cpuPctMean < 1.2 * ownCpu + 10, `CPU ${t.cpuPctMean}% vs the script's own ${ownCpu}%`);
    const hw = summary.hardware!;
    assert.equal(hw.gpus.length, 4);
    assert.equal(hw.nvlink, true);
    assert.equal(hw.memTotalBytes, os.totalmem());
    assert.equal(hw.cpu.logicalCores, os.cpus().length);
    assert.deepEqual(summary.hardwareCheck.map((i) => i.code), ['ram-below-gpu-memory']);
    assert.match(run.stderr, /GPU {9}util 65% mean/);
    assert.match(run.stderr, /4× NVIDIA A100-SXM4-80GB 81920 MiB \(peak 312 TFLOP\/s/);
    assert.match(run.stderr, /High {5}RAM \(\d+ GiB\) is smaller than total GPU memory \(320 GiB\)/);
  });

  it('without nvidia-smi: one "no NVIDIA GPU found" note, CPU figures still measured', () => {
    // 3,000 steps: the default 100 end within a second on a fast machine, before telemetry's first sample.
    const env = { ...process.env, PATH: path.dirname(process.execPath) };
    const run = runCli(['record', '--json', '--out', tempDir(), '--', TORCH_PYTHON, example('pytorch', 'no_dataloader.py'), '--steps', '3000'], { env });
    assert.equal(run.code, 0, run.stderr);
    const summary = run.summary!;
    assert.deepEqual(summary.notes.filter((n) => /NVIDIA/.test(n)), ['no NVIDIA GPU found']);
    assert.equal(summary.telemetry!.gpuUtilPctMean, null);
    assert.ok(summary.telemetry!.cpuPctMean !== null);
  });
});
