/**
 * A real multi-GPU Kineto trace (rank 0 of a 2-GPU NCCL job, from HolisticTraceAnalysis's test
 * data; see test/fixtures/traces/README.md) imported, against figures computed without TrainLens
 * by test/fixtures/traces/independent_figures.py.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSummary, readRecording } from '../../src/host/recording/recording-reader';
import { importTrace } from '../../src/host/trace/import-trace';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'traces');
const TRACE = path.join(FIXTURES, 'hta-nccl-rank0-of-2.pt.trace.json.gz');

interface Independent {
  steps: number;
  stepMsMedian: number;
  busyShare: number;
  communicationShare: number;
}

describe('import: a real multi-GPU Kineto trace', () => {
  let runsDir: string;
  before(() => {
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-kineto-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('steps, median step time, busy and communication shares as computed independently', async () => {
    const run = spawnSync('python3', [path.join(FIXTURES, 'independent_figures.py'), TRACE], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const independent = JSON.parse(run.stdout) as Independent;
    const { dir } = await importTrace(TRACE, runsDir);
    const summary = loadSummary(dir);
    assert.equal(summary.steps, independent.steps);
    // Every step is steady here (no warm-up to leave out), so the medians are over the same steps.
    assert.equal(summary.warmupSteps, 0);
    assert.ok(Math.abs(summary.throughput.stepMsMedian! - independent.stepMsMedian) < 0.001, `${summary.throughput.stepMsMedian} vs ${independent.stepMsMedian}`);
    const gpu = summary.imported!.gpuTime!;
    assert.ok(Math.abs(gpu.busyShare - independent.busyShare) < 1e-6, `${gpu.busyShare} vs ${independent.busyShare}`);
    assert.ok(Math.abs(gpu.communicationShare - independent.communicationShare) < 1e-6, `${gpu.communicationShare} vs ${independent.communicationShare}`);
    assert.deepEqual([summary.imported!.rank, summary.imported!.worldSize], [0, 2]);
    assert.match(gpu.topKernels[0]!.name, /^ncclKernel_AllReduce/);
    assert.equal(summary.device, 'cuda');
  });

  it('is an ordinary recording: stages from the trace, steps on the step anchor, readable again', async () => {
    const { dir } = await importTrace(TRACE, runsDir);
    const recording = readRecording(dir);
    assert.equal(recording.skippedLines, 0);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    assert.deepEqual(summary, { ...loadSummary(dir), recording: summary.recording });
    assert.equal(summary.stepAnchor.anchor, 'framework');
    // No DataLoader in this job (synthetic inputs); autograd and SGD ranges are there.
    assert.equal(summary.stages.data, undefined);
    for (const stage of ['forward', 'backward', 'optimizer', 'other'] as const) assert.ok(summary.stages[stage]!.ms > 0, stage);
    const shares = Object.values(summary.stages as Record<string, { share: number }>).reduce((a, s) => a + s.share, 0);
    assert.ok(Math.abs(shares - 1) < 1e-3, String(shares));
  });
});
