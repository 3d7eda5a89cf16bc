/**
 * `trainlens merge DIR… [--out DIR] [--json]`: the recordings each node of one job made (`trainlens
 * record` with RANK/WORLD_SIZE set) become one multi-rank recording that `report` and the editor
 * open. Ranks line up by step index (core/ranks.ts), never by the nodes' wall clocks. Recordings of
 * different jobs are refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RunAggregator } from '../core/aggregator';
import { mergeRefusal, type NodeRecording } from '../core/ranks-merge';
import type { RecordedEvent, RunStartEvent, RunStatus } from '../protocol/recording';
import { RANKS_DIR, readRankRecordings, withRanks } from '../host/rank-recordings';
import { loadSummary, readRecording, resolveRunDir, RUNS_DIR } from '../host/recording/recording-reader';
import { RecordingError, RecordingWriter } from '../host/recording/recording-writer';
import { CliUsageError, type CliIo } from './io';
import { formatReport } from './report-format';

const STATUS_ORDER: readonly RunStatus[] = ['failed', 'stopped', 'completed'];

export async function mergeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, out: { type: 'string' } }, allowPositionals: true });
  if (positionals.length < 2) throw new CliUsageError('merge takes the recording folders of two or more nodes of one job');
  const dirs = positionals.map((p) => resolveRunDir(p, io.cwd));
  const nodes: NodeRecording[] = dirs.map((dir, i) => ({ dir: positionals[i] as string, ranks: readRankRecordings(dir) }));
  const refusal = mergeRefusal(nodes);
  if (refusal) throw new RecordingError(`cannot merge: ${refusal}`);
  const launchers = dirs.map((dir) => loadSummary(dir));
  const headers = dirs.map((dir) => readRecording(dir).events[0] as RunStartEvent);
  const first = headers[0] as RunStartEvent;
  const writer = RecordingWriter.create(values.out ? path.resolve(io.cwd, values.out) : path.join(io.cwd, RUNS_DIR), `merged-${path.basename(launchers[0]?.script ?? 'job')}`);
  // Each node's ranks keep their own recordings, copied whole.
  for (const dir of dirs) fs.cpSync(path.join(dir, RANKS_DIR), path.join(writer.dir, RANKS_DIR), { recursive: true });
  const status = STATUS_ORDER.find((s) => launchers.some((l) => l.status === s)) ?? 'completed';
  const events: RecordedEvent[] = [
    { ...first, id: writer.id, startedAtMs: Math.min(...headers.map((h) => h.startedAtMs)) },
    { type: 'log', level: 'info', message: `merged from ${dirs.length} node recordings: ${dirs.join(', ')}` },
    { type: 'exit', t: Math.max(...launchers.map((l) => l.durationMs)), exitCode: launchers.find((l) => l.exitCode)?.exitCode ?? 0, signal: null, status, stopReason: null },
  ];
  writer.append(events);
  const aggregator = new RunAggregator();
  for (const event of events) aggregator.add(event);
  const summary = withRanks(aggregator.summary(writer.dir), readRankRecordings(writer.dir));
  writer.writeSummary(summary);
  writer.close();
  if (values.json) io.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else io.stdout.write(formatReport(summary).join('\n') + '\n');
  return 0;
}
