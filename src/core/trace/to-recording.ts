/**
 * An imported trace as the events of an ordinary recording: the run header, the runner's own
 * words (hello, framework, the step anchor), the steps and line times, and an `import` event with
 * what only a trace knows (GPU time, rank). The reader, summary, panel, compare and findings then
 * treat it like any recorded run.
 */
import { PROTOCOL_VERSION, type RunnerEvent } from '../../protocol/events';
import { RECORDING_FORMAT, type RecordedEvent } from '../../protocol/recording';
import type { ImportedRun } from './imported-run';

export interface ImportTarget {
  id: string;
  /** The trace file, absolute. */
  file: string;
  cwd: string;
  /** When the traced run started, epoch ms (the caller's best guess: the file's time less its span). */
  startedAtMs: number;
}

/** A count in an imported entry stands for this many ms (see python-frames.ts and cpuprofile.ts). */
const IMPORTED_SAMPLE_HZ = 1000;

export function recordingEvents(run: ImportedRun, target: ImportTarget): RecordedEvent[] {
  const events: RecordedEvent[] = [
    { type: 'run', format: RECORDING_FORMAT, id: target.id, command: ['trainlens', 'import', target.file], cwd: target.cwd, startedAtMs: target.startedAtMs, sampleHz: IMPORTED_SAMPLE_HZ },
    {
      type: 'hello',
      v: PROTOCOL_VERSION,
      token: '',
      runner: run.runner,
      pid: 0,
      runtime: `imported ${FORMAT_WORDS[run.format]}`,
      script: target.file,
      argv: [],
      cwd: target.cwd,
      sampleHz: IMPORTED_SAMPLE_HZ,
      timeOriginMs: target.startedAtMs,
    },
  ];
  if (run.framework) {
    events.push({ type: 'framework', name: run.framework, version: 'unknown (imported trace)', device: run.device, stages: run.stages, deviceTiming: false });
  }
  const anchor: RunnerEvent =
    run.steps.length > 0
      ? { type: 'anchor', anchor: 'framework', detail: 'steps start at prof.step() (the trace\'s ProfilerStep#N ranges)' }
      : { type: 'anchor', anchor: 'none', detail: run.noStepsWhy ?? 'the trace marks no training steps' };
  events.push(anchor);
  events.push({ type: 'import', file: target.file, format: run.format, rank: run.rank, worldSize: run.worldSize, gpuTime: run.gpuTime });
  for (const note of run.notes) events.push({ type: 'log', level: 'info', message: note });
  events.push(...run.steps);
  if (run.lines && run.lines.entries.length > 0) events.push(run.lines);
  events.push({ type: 'bye', exitCode: 0, reason: 'exit', steps: run.steps.length });
  events.push({ type: 'exit', t: run.durationMs, exitCode: 0, signal: null, status: 'completed' });
  return events;
}

const FORMAT_WORDS: Readonly<Record<ImportedRun['format'], string>> = {
  kineto: 'PyTorch profiler trace (Kineto)',
  'chrome-trace-array': 'PyTorch profiler trace (event array)',
  'v8-cpuprofile': 'V8 CPU profile',
};
