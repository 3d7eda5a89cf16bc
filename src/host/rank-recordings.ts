/**
 * A distributed job's ranks, each recorded as an ordinary recording of its own under the run's
 * folder (`<run>/ranks/<id>/events.jsonl` and `summary.json`): `trainlens report` opens any one of
 * them, and the run's summary folds them into the job's (core/ranks.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { RunAggregator } from '../core/aggregator';
import { analyzeJob } from '../core/ranks-findings';
import { isRank, jobSummary, type RankRecording } from '../core/ranks';
import { withStartupCode } from '../core/startup';
import type { RunSummary } from '../core/summary';
import type { ByeEvent, HelloEvent } from '../protocol/events';
import type { RecordedEvent, RunExitEvent, RunStartEvent, RunStatus } from '../protocol/recording';
import { cachedSourceLines, findingsFor } from './analysis';
import { loadSummary, readRecording, replay } from './recording/recording-reader';
import { EVENTS_FILE, RecordingWriter } from './recording/recording-writer';

export const RANKS_DIR = 'ranks';

export class RankRecorder {
  readonly aggregator = new RunAggregator();
  private bye: ByeEvent | undefined;

  private constructor(
    readonly hello: HelloEvent,
    private readonly writer: RecordingWriter,
  ) {}

  /** A recording for the rank that said `hello`, under the run's folder, with the run's header. */
  static create(runDir: string, header: RunStartEvent, hello: HelloEvent): RankRecorder {
    const writer = RecordingWriter.create(path.join(runDir, RANKS_DIR), `rank-${hello.rank ?? 'x'}`);
    const recorder = new RankRecorder(hello, writer);
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
      if (event.type === 'bye') this.bye = event;
    }
  }

  /** Ends the rank's recording when the run ends; its status is its own (a rank that raised failed). */
  finish(run: RunExitEvent): RankRecording {
    this.record([{ ...run, exitCode: this.bye?.exitCode ?? run.exitCode, status: rankStatus(this.bye, run.status) }]);
    const summary = this.aggregator.summary(this.writer.dir);
    const sources = cachedSourceLines();
    summary.findings = findingsFor(this.aggregator, summary, sources);
    summary.startup = withStartupCode(summary.startup, sources);
    this.writer.writeSummary(summary);
    this.writer.close();
    return { hello: this.hello, summary, steps: this.aggregator.steps };
  }
}

/**
 * A rank that said goodbye says how it ended; one that did not (killed with the run) ended as the
 * run did. A stopped run stops every rank, whatever each was doing.
 */
function rankStatus(bye: ByeEvent | undefined, run: RunStatus): RunStatus {
  if (run === 'stopped' || !bye) return run;
  if (bye.reason === 'exception' || (bye.exitCode !== null && bye.exitCode !== undefined && bye.exitCode !== 0)) return 'failed';
  return bye.reason === 'exit' ? 'completed' : run;
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
