/**
 * A distributed job's ranks, each recorded as an ordinary recording of its own under the run's
 * folder (`<run>/ranks/<id>/events.jsonl` and `summary.json`): `trainlens report` opens any one of
 * them, and the run's summary folds them into the job's (core/ranks.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { RunAggregator } from '../core/aggregator';
import { analyzeJob } from '../core/ranks-findings';
import { isRank, jobSummary, sortRanks, type RankRecording } from '../core/ranks';
import { withStartupCode } from '../core/startup';
import type { RunSummary } from '../core/summary';
import type { ByeEvent, HelloEvent } from '../protocol/events';
import type { RecordedEvent, RunExitEvent, RunStartEvent, RunStatus } from '../protocol/recording';
import { cachedSourceLines, findingsFor } from './analysis';
import { loadSummary, readRecording, replay, type LoadedRecording } from './recording/recording-reader';
import { EVENTS_FILE, RecordingWriter } from './recording/recording-writer';

export const RANKS_DIR = 'ranks';

export class RankRecorder {
  readonly aggregator = new RunAggregator();
  private bye: { event: ByeEvent; t: number } | undefined;

  private constructor(
    readonly hello: HelloEvent,
    private readonly writer: RecordingWriter,
    private readonly header: RunStartEvent,
  ) {}

  /** A recording for the rank that said `hello`, under the run's folder, with the run's header. */
  static create(runDir: string, header: RunStartEvent, hello: HelloEvent): RankRecorder {
    const writer = RecordingWriter.create(path.join(runDir, RANKS_DIR), `rank-${hello.rank ?? 'x'}`);
    const recorder = new RankRecorder(hello, writer, header);
    recorder.record([{ ...header, id: writer.id }]);
    return recorder;
  }

  get dir(): string {
    return this.writer.dir;
  }

  record(events: readonly RecordedEvent[]): void {
    this.writer.append(events);
    for (const event of events) {
      this.aggregator.add(event);
      // The rank's end, dated on the host's clock as it happens: the rank that failed first is
      // the one whose error the job reports.
      if (event.type === 'bye') this.bye = { event, t: Date.now() - this.header.startedAtMs };
    }
  }

  /**
   * Ends the rank's recording when the run ends. A rank that said goodbye ended as it said (an
   * exception or a non-zero exit failed it), one that did not ended as the run did, and a stopped
   * run stopped every rank, whatever each was doing.
   */
  finish(run: RunExitEvent): RankRecording {
    const bye = this.bye;
    const status: RunStatus = run.status === 'stopped' || !bye ? run.status : byeStatus(bye.event);
    this.record([{ ...run, t: bye?.t ?? run.t, exitCode: bye?.event.exitCode ?? run.exitCode, status }]);
    const summary = this.aggregator.summary(this.writer.dir);
    const sources = cachedSourceLines();
    summary.findings = findingsFor(this.aggregator, summary, sources);
    summary.startup = withStartupCode(summary.startup, sources);
    this.writer.writeSummary(summary);
    this.writer.close();
    return { hello: this.hello, summary, steps: this.aggregator.steps };
  }
}

function byeStatus(bye: ByeEvent): RunStatus {
  if (bye.reason === 'exception' || (typeof bye.exitCode === 'number' && bye.exitCode !== 0)) return 'failed';
  return bye.reason === 'exit' ? 'completed' : 'stopped';
}

/** The rank recordings under a run's folder, read back (a cut-off rank's summary rebuilt from its events). */
export function readRankRecordings(runDir: string): RankRecording[] {
  const ranksDir = path.join(runDir, RANKS_DIR);
  let names: string[] = [];
  try {
    names = fs.readdirSync(ranksDir).filter((name) => fs.existsSync(path.join(ranksDir, name, EVENTS_FILE)));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const dir = path.join(ranksDir, name);
    const recording = readRecording(dir);
    const hello = recording.events.find((e): e is HelloEvent => e.type === 'hello');
    if (!isRank(hello)) return [];
    return [{ hello, summary: loadSummary(dir, recording), steps: replay(recording).steps }];
  });
}

/** The job's summary, findings across ranks included; the launcher's own summary where there are no ranks. */
export function withRanks(launcher: RunSummary, ranks: readonly RankRecording[]): RunSummary {
  return ranks.length === 0 ? launcher : jobSummary(launcher, ranks, analyzeJob(ranks));
}

/**
 * A run's summary with its ranks: summary.json has them once the run ended; a run cut off (the host
 * killed) has no summary.json, and its ranks are read from their own recordings here.
 */
export function loadJobSummary(runDir: string, recording?: LoadedRecording): RunSummary {
  const summary = loadSummary(runDir, recording);
  return summary.ranks ? summary : withRanks(summary, readRankRecordings(runDir));
}

/** The events of the job's lead rank (the lowest), for a view of one rank's steps and lines; none for a single process. */
export function leadRankEvents(runDir: string): RecordedEvent[] {
  const lead = sortRanks(readRankRecordings(runDir))[0];
  return lead ? readRecording(lead.summary.recording).events : [];
}
