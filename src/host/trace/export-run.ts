/**
 * `trainlens export` and the Runs view's Export: a recording as a Chrome trace (Perfetto,
 * chrome://tracing) or a speedscope file. A distributed run's summary lists its ranks, each an
 * ordinary recording of its own: each becomes a track (a process in the trace, a profile in
 * speedscope), and the job's telemetry one more; a run without ranks is one track.
 */
import fs from 'node:fs';
import path from 'node:path';
import { toChromeTrace, type TraceTrack } from '../../core/trace/chrome-trace';
import { toSpeedscope } from '../../core/trace/speedscope';
import { loadSummary, readRecording } from '../recording/recording-reader';

export type ExportFormat = 'chrome-trace' | 'speedscope';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['chrome-trace', 'speedscope'];

/** The file name an export gets when none is given: next to the recording's own files. */
export function defaultExportFile(runDir: string, format: ExportFormat): string {
  return path.join(runDir, format === 'chrome-trace' ? 'trace.json' : 'profile.speedscope.json');
}

/** Writes the export and returns the file written. */
export async function exportRun(runDir: string, format: ExportFormat, outFile?: string): Promise<string> {
  const recording = readRecording(runDir);
  const summary = loadSummary(runDir, recording);
  const label = summary.script ? path.basename(summary.script) : summary.id || path.basename(runDir);
  const ranks = ranksOf(summary);
  // A job's own recording (the launcher's) holds the telemetry of all its processes: a track of its own.
  const tracks: TraceTrack[] =
    ranks.length > 0
      ? [
          ...ranks.map((rank) => ({ label, rank: rank.rank, events: readRecording(rank.recording).events })),
          { label: `${label} (job)`, rank: null, events: recording.events.filter((e) => e.type === 'run' || e.type === 'hello' || e.type === 'telemetry') },
        ]
      : [{ label, rank: null, events: recording.events }];
  // speedscope shows line samples only: the job's telemetry track has none.
  const sampled = tracks.filter((track) => track.events.some((e) => e.type === 'lines'));
  const document = format === 'chrome-trace' ? toChromeTrace(tracks) : toSpeedscope(`${label} (${summary.id})`, sampled.length > 0 ? sampled : tracks);
  const target = path.resolve(outFile ?? defaultExportFile(runDir, format));
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  await fs.promises.writeFile(target, JSON.stringify(document));
  return target;
}

/** The summary's ranks (ranks.ts: each with its rank number and recording folder), when it has any. */
function ranksOf(summary: object): Array<{ rank: number; recording: string }> {
  const ranks = (summary as { ranks?: unknown }).ranks;
  if (!Array.isArray(ranks)) return [];
  return ranks.filter((r): r is { rank: number; recording: string } => typeof r?.rank === 'number' && typeof r?.recording === 'string');
}
