/**
 * A real-looking event stream of a PyTorch run on one GPU, in arrival order: host header, runner
 * hello/framework/loader, steps whose data stage grows half-way (an input-bound phase), line
 * batches every 250 ms, 1 Hz telemetry, hardware facts, exit. Deterministic.
 */
import { RunAggregator } from '../../src/core/aggregator';
import type { RunSummary } from '../../src/core/summary';
import type { StepEvent } from '../../src/protocol/events';
import type { RecordedEvent, TelemetryEvent } from '../../src/protocol/recording';

export interface SyntheticOptions {
  seconds: number;
  stepsPerSec: number;
  /** Runner clock starts this long after the host's (interpreter start-up). */
  runnerDelayMs?: number;
  exit?: boolean;
}

const STARTED_AT_MS = 1_763_890_000_000;
const CWD = '/home/ada/train';

export function syntheticRun(options: SyntheticOptions): RecordedEvent[] {
  const { seconds, stepsPerSec, runnerDelayMs = 400, exit = true } = options;
  const events: Array<{ atMs: number; event: RecordedEvent }> = [];
  const at = (atMs: number, event: RecordedEvent): void => void events.push({ atMs, event });
  at(0, { type: 'run', format: 1, id: 'run-1', command: ['python3', 'train.py', '--epochs', '3'], cwd: CWD, startedAtMs: STARTED_AT_MS, sampleHz: 100 });
  at(runnerDelayMs, {
    type: 'hello', v: 1, token: 't', runner: 'python', pid: 4242, runtime: 'CPython 3.11.2', script: `${CWD}/train.py`,
    argv: ['train.py', '--epochs', '3'], cwd: CWD, sampleHz: 100, longRunSampleHz: 20, longRunAfterS: 60, timeOriginMs: STARTED_AT_MS + runnerDelayMs,
  });
  at(runnerDelayMs + 1, { type: 'framework', name: 'pytorch', version: '2.3.1', package: null, device: 'cuda:0', stages: ['data', 'forward', 'backward', 'optimizer', 'other'], deviceTiming: true });
  at(runnerDelayMs + 2, { type: 'loader', kind: 'torch.utils.data.DataLoader', file: `${CWD}/train.py`, line: 31, batchSize: 64, numWorkers: 0, pinMemory: false });
  at(500, {
    type: 'hardware', cpu: { model: 'AMD EPYC 7B13', physicalCores: 8, logicalCores: 16 }, memTotalBytes: 64 * 2 ** 30,
    gpus: [{ index: 0, name: 'NVIDIA A100-SXM4-40GB', memTotalMiB: 40960, pcieGenMax: 4, pcieWidthMax: 16 }], nvlink: false,
  });
  // Input-bound second half: the data stage grows, so steps get slower; a little jitter on top.
  const baseMs = 1000 / stepsPerSec;
  const runMs = seconds * 1000 - runnerDelayMs - 200;
  for (let i = 0, t = 200; ; i++) {
    const inputBound = t > runMs / 2;
    const computeMs = baseMs * 0.88 * (1 + 0.05 * Math.sin(i / 7));
    const data = inputBound ? computeMs * 0.8 : baseMs * 0.12;
    const ms = computeMs + data;
    if (t + ms > runMs) break;
    const step: StepEvent = {
      type: 'step', index: i, t, ms, samples: 64,
      stages: { data, forward: computeMs * 0.35, backward: computeMs * 0.45, optimizer: computeMs * 0.12, other: computeMs * 0.08 },
      device: { forward: computeMs * 0.3, backward: computeMs * 0.4 },
    };
    at(runnerDelayMs + t + ms, step);
    t += ms;
  }
  for (let t = 250; t < seconds * 1000 - runnerDelayMs; t += 250) {
    const inputBound = t > (seconds * 1000) / 2;
    at(runnerDelayMs + t, {
      type: 'lines', t, periodMs: 250, samples: 25, entries: [
        { file: `${CWD}/data.py`, line: 18, stage: 'data', count: inputBound ? 16 : 3, fn: '__getitem__', path: ['PIL.Image:open'] },
        { file: `${CWD}/train.py`, line: 44, stage: 'forward', count: 6, fn: 'train_step', path: ['torch.nn.modules.module:_call_impl'] },
        { file: `${CWD}/train.py`, line: 46, stage: 'backward', count: 7, fn: 'train_step', path: ['torch._tensor:backward'] },
        { file: `${CWD}/train.py`, line: 52, stage: 'other', count: 2, fn: 'train_step' },
      ],
    });
  }
  for (let s = 1; s <= seconds; s++) at(s * 1000 + 30, telemetry(s * 1000, s / seconds));
  if (exit) at(seconds * 1000 + 100, { type: 'exit', t: seconds * 1000 + 100, exitCode: 0, signal: null, status: 'completed' });
  return events.sort((a, b) => a.atMs - b.atMs).map((e) => e.event);
}

function telemetry(t: number, progress: number): TelemetryEvent {
  const busy = progress > 0.5 ? 38 + 6 * Math.sin(t / 900) : 86 + 5 * Math.sin(t / 700);
  return {
    type: 'telemetry', t,
    proc: { cpuPct: 100 + 30 * Math.sin(t / 1300), rssBytes: (2.1 + 0.4 * progress) * 2 ** 30, processes: 1 },
    system: { cpuPct: 14, memUsedBytes: 20 * 2 ** 30, memTotalBytes: 64 * 2 ** 30 },
    gpus: [{
      index: 0, utilPct: busy, memUtilPct: 30, memUsedMiB: 9000 + 4000 * Math.min(1, progress * 4), memTotalMiB: 40960,
      powerW: 250, smClockMHz: 1410, tempC: 61, pcieGen: 4, pcieWidth: 16,
    }],
    ownGpuMemMiB: 8800,
  };
}

/** The summary the host would write for these events, with findings and ceilings filled in. */
export function syntheticSummary(events: readonly RecordedEvent[]): RunSummary {
  const aggregator = new RunAggregator();
  for (const event of events) aggregator.add(event);
  return {
    ...aggregator.summary('/home/ada/train/.trainlens/runs/run-1'),
    findings: [
      {
        code: 'input-bound', severity: 'high', title: 'Input-bound: the GPU waits for data',
        message: 'The data stage takes 29% of each step; the DataLoader runs with num_workers=0.',
        evidence: { dataShare: 0.29, numWorkers: 0 }, impact: 0.29, fixes: ['dataloader-workers', 'dataloader-pin-memory'],
        locations: [{ file: `${CWD}/train.py`, line: 31, why: 'DataLoader built here' }, { file: `${CWD}/data.py`, line: 18 }],
      },
      {
        code: 'gpu-underutilized', severity: 'moderate', title: 'GPU under-used', message: 'GPU utilisation averaged 62% while steps ran.',
        evidence: { gpuUtilPctMean: 62 }, impact: 0.12, fixes: [], locations: [],
      },
    ],
    ceilings: { dataOnlyBatchesPerSec: 61, computeOnlyBatchesPerSec: 118, actualBatchesPerSec: 41.7, ceilingBatchesPerSec: 61, gap: (61 - 41.7) / 61, note: null },
  };
}
