/**
 * `trainlens import` and Open Recording… on a trace file: a PyTorch profiler trace (Kineto JSON,
 * gzipped or not, or the plain event array of CPU-only builds) or a V8 .cpuprofile becomes an
 * ordinary recording under the recordings folder, written by the recording writer, with its
 * summary built by the same reader as any run's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { importCpuProfile } from '../../core/trace/cpuprofile';
import type { ImportedRun } from '../../core/trace/imported-run';
import { TraceFormatError } from '../../core/trace/json-stream';
import { importPyTorchTrace } from '../../core/trace/pytorch-trace';
import { recordingEvents } from '../../core/trace/to-recording';
import { loadSummary } from '../recording/recording-reader';
import { RecordingWriter, writeSummaryFile } from '../recording/recording-writer';
import { headOf, isGzipped, readJsonWhole, readTraceEvents, type TraceReadLimits } from './read-trace-file';

export { TraceFormatError };

const TRACE_NAME = /\.(json|json\.gz|cpuprofile|cpuprofile\.gz)$/i;
/** A recording's own files are JSON too, and are opened as recordings. */
const RECORDING_FILES = new Set(['summary.json', 'events.jsonl']);

/** A file Open Recording… and `trainlens import` treat as a trace: by its name, then its first bytes. */
export function isTraceFile(file: string): boolean {
  const name = path.basename(file);
  if (!TRACE_NAME.test(name) || RECORDING_FILES.has(name)) return false;
  if (/\.cpuprofile(\.gz)?$/i.test(name)) return true;
  const head = headOf(file);
  if (isGzipped(head)) return true;
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return text.startsWith('[') || /^\{[\s\S]*"(traceEvents|nodes|schemaVersion|distributedInfo|deviceProperties)"/.test(text);
}

export async function importTrace(file: string, recordingsDir: string, limits: TraceReadLimits = {}): Promise<{ dir: string }> {
  const absolute = path.resolve(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absolute);
  } catch (error) {
    throw new TraceFormatError(`cannot read ${absolute} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!stat.isFile()) throw new TraceFormatError(`${absolute} is not a file`);
  let run: ImportedRun;
  try {
    run = isCpuProfileFile(absolute) ? importCpuProfile(await readJsonWhole(absolute)) : await importProfilerTrace(absolute, limits);
  } catch (error) {
    if (error instanceof TraceFormatError) throw new TraceFormatError(`cannot import ${path.basename(absolute)}: ${error.message}`);
    throw error;
  }
  const writer = RecordingWriter.create(recordingsDir, scriptNameOf(absolute), stat.mtime);
  try {
    const startedAtMs = stat.mtimeMs - run.durationMs;
    writer.append(recordingEvents(run, { id: writer.id, file: absolute, cwd: path.dirname(absolute), startedAtMs }));
  } finally {
    writer.close();
  }
  // The summary is the reader's, as for a run cut off before its summary was written.
  writeSummaryFile(writer.dir, loadSummary(writer.dir));
  return { dir: writer.dir };
}

async function importProfilerTrace(file: string, limits: TraceReadLimits): Promise<ImportedRun> {
  const { collector, rootIsObject } = await readTraceEvents(file, limits);
  return importPyTorchTrace(collector, rootIsObject ? 'kineto' : 'chrome-trace-array');
}

/** By name, or a JSON object that opens with V8's `nodes` (DevTools saves profiles as .json too). */
function isCpuProfileFile(file: string): boolean {
  if (/\.cpuprofile(\.gz)?$/i.test(file)) return true;
  const head = headOf(file, 64);
  return !isGzipped(head) && /^\s*\{\s*"nodes"\s*:/.test(head.toString('utf8'));
}

/** `rank-0.Jul_15.pt.trace.json.gz` → `rank-0.Jul_15`: the recording's id names the trace. */
function scriptNameOf(file: string): string {
  return path.basename(file).replace(/(\.pt\.trace)?\.(json|cpuprofile)(\.gz)?$/i, '');
}
