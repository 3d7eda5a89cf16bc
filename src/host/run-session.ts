/**
 * One recorded run: opens the channel, plans and spawns the instrumented command, records every
 * event as it arrives, samples telemetry, and on exit writes the summary. The CLI and the editor
 * both drive runs through this class.
 */
import { RunAggregator, type LiveFigures } from '../core/aggregator';
import type { RunSummary } from '../core/summary';
import { isRank, jobLive } from '../core/ranks';
import { PROTOCOL_VERSION, type HelloEvent } from '../protocol/events';
import { RECORDING_FORMAT, type RecordedEvent, type RunExitEvent, type RunStartEvent, type RunStatus } from '../protocol/recording';
import { cachedSourceLines, findingsFor } from './analysis';
import { withStartupCode } from '../core/startup';
import { RunChannel } from './ipc/run-channel';
import { planLaunch } from './launch';
import { RankRecorder, withRanks } from './rank-recordings';
import type { LaunchPlan, ProbeMode, RunnerOptions, RuntimeOverrides } from './launch/plan';
import { isPythonExecutable } from './launch/python';
import { TrainingProcess, type ProcessExit, type TrainingStdio } from './launch/training-process';
import { RecordingWriter } from './recording/recording-writer';
import { startTelemetry } from './telemetry';

/**
 * 20 ms. What a wall-clock sample costs is mostly its timer's interrupt, not the handler (13.5-100 µs):
 * on the 2-core VM the tests and benches run on (nested virtualization), it cost the main thread
 * 110-180 µs of CPU in torch loops (bench/shapes/hook_cost.py's sampler figures; a no-op C handler
 * there, 118), so 100 Hz cost 1.2-1.6% of throughput and 50 Hz 0.55-0.9%. A loop that never waits
 * is sampled on its CPU clock, ~50 µs a sample (signal_sampler.py), but one that waits at all keeps
 * the wall clock. Where interrupts cost less, a higher trainlens.sampleHz buys finer hot lines sooner.
 */
export const DEFAULT_PYTHON_SAMPLE_HZ = 50;
/**
 * 20 ms, as for Python, and for the same reason: V8's profiler thread interrupts the main thread
 * with a signal for each sample, and on the 2-core VM the benches run on a sample cost the tiny
 * trainOnBatch loop ~140-147 µs (bench/shapes/node_runner_cost.ts --sampler-only, the slope from 1
 * to 1,000 Hz): 1.4% at 100 Hz, 0.7% at 50. At 1 ms the profiler measured 1.3-2.5% of a
 * compute-bound tfjs run's throughput.
 */
export const DEFAULT_NODE_SAMPLE_HZ = 50;
/**
 * A run samples at its full rate for its first minute, then at a fifth of it (never under
 * LONG_RUN_MIN_HZ, nor above the full rate). The first minute is when the hot lines are read
 * live, and it gives them 3,000 samples at 50 Hz: a line's share to within a point. Past it, more
 * samples only narrow shares that no longer move, while each sample costs a long run what it
 * cost the first minute (the figures above). Each sample keeps the weight of its own interval, so
 * shares stay shares of wall time across the change (line-profile.ts).
 */
export const LONG_RUN_AFTER_S = 60;
const LONG_RUN_RATE_DIVISOR = 5;
const LONG_RUN_MIN_HZ = 10;

/** The rate a run of `sampleHz` switches to after LONG_RUN_AFTER_S. */
export function longRunSampleHz(sampleHz: number): number {
  return Math.min(sampleHz, Math.max(LONG_RUN_MIN_HZ, sampleHz / LONG_RUN_RATE_DIVISOR));
}
const FLUSH_MS = 250;
/** After the process exits, how long the runner's last lines may take to arrive. */
const DRAIN_MS = 1000;

export interface RunRequest {
  command: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where recordings go (usually <workspace>/.trainlens/runs). */
  runsDir: string;
  /** Folder with the built runners (dist/). */
  runnersDir: string;
  /** Line samples per second; default depends on the runner. */
  sampleHz?: number;
  /** 'ignore' for probe runs whose output nobody reads. */
  stdio: TrainingStdio;
  /** nvidia-smi command or path; default "nvidia-smi" on PATH. */
  nvidiaSmi?: string;
  /** Sample process and GPU telemetry (default true). */
  telemetry?: boolean;
  /** A ceiling probe run instead of a normal one (see ceilings.ts). */
  probe?: { mode: ProbeMode; steps: number };
  /** Settings the runner applies in place of the script's (a tuning trial, host/tune). */
  overrides?: RuntimeOverrides;
}

export type EventsListener = (events: readonly RecordedEvent[]) => void;

export class RunSession {
  readonly aggregator = new RunAggregator();
  readonly done: Promise<RunSummary>;
  private readonly listeners = new Set<EventsListener>();
  /** A distributed job's ranks, each recorded on its own (rank-recordings.ts), by rank and pid. */
  private readonly ranks = new Map<string, RankRecorder>();
  /** The rank whose events the live view follows: the first to connect (the summary's lead is the lowest). */
  private liveLead: RankRecorder | undefined;
  private stopReason: string | undefined;

  private constructor(
    readonly plan: LaunchPlan,
    readonly process: TrainingProcess,
    private readonly writer: RecordingWriter,
    private readonly channel: RunChannel,
    private readonly startedAtMs: number,
    private readonly header: RunStartEvent,
    request: RunRequest,
  ) {
    const telemetry =
      request.telemetry === false
        ? undefined
        : startTelemetry({
            rootPid: process.pid,
            startedAtMs,
            nvidiaSmi: request.nvidiaSmi,
            onSample: (sample) => this.record([sample]),
            onHardware: (hardware) => this.record([hardware]),
            onNote: (message) => this.record([{ type: 'log', level: 'info', message }]),
          });
    // A full or unwritable disk ends the recording, not the run: the note reaches the log and summary.
    writer.watchFaults((message) => this.record([{ type: 'log', level: 'warn', message }]));
    this.done = process.exited.then(async (exit) => {
      await waitQuiet(this.channel, DRAIN_MS);
      await telemetry?.stop();
      return this.finish(exit);
    });
  }

  get id(): string {
    return this.writer.id;
  }

  get dir(): string {
    return this.writer.dir;
  }

  /** Starts a run; throws a typed error (unsupported command, script or interpreter not found, recording not writable). */
  static async start(request: RunRequest): Promise<RunSession> {
    const session: { current?: RunSession; early: Array<[RecordedEvent[], HelloEvent]>; drops: Array<[string, number]> } = { early: [], drops: [] };
    const channel = await RunChannel.open({
      onEvents: (events, sender) => (session.current ? session.current.receive(events, sender) : session.early.push([events, sender])),
      onDrop: (reason, _detail, count) => (session.current ? session.current.aggregator.countDropped(reason, count) : session.drops.push([reason, count])),
    });
    let writer: RecordingWriter | undefined;
    try {
      const options = runnerOptions(channel, request);
      const plan = planLaunch(request.command, {
        options,
        runnersDir: request.runnersDir,
        cwd: request.cwd,
        env: request.env,
      });
      writer = RecordingWriter.create(request.runsDir, plan.script ?? request.command[0] ?? 'run');
      const startedAtMs = Date.now();
      const header: RunStartEvent = {
        type: 'run',
        format: RECORDING_FORMAT,
        id: writer.id,
        command: request.command,
        cwd: request.cwd,
        startedAtMs,
        sampleHz: options.sampleHz,
      };
      writer.append([header]);
      const child = await TrainingProcess.start(plan, request.cwd, request.stdio).catch((error: Error) => {
        writer?.append([{ type: 'exit', t: Date.now() - startedAtMs, exitCode: null, signal: null, status: 'failed', stopReason: error.message }]);
        throw error;
      });
      const run = new RunSession(plan, child, writer, channel, startedAtMs, header, request);
      session.current = run;
      run.aggregator.add(header);
      for (const [events, sender] of session.early) run.receive(events, sender);
      for (const [reason, count] of session.drops) run.aggregator.countDropped(reason, count);
      return run;
    } catch (error) {
      writer?.close();
      await channel.close();
      throw error;
    }
  }

  /** Events as recorded: the launching process's and host's, and those of the live lead rank (see liveLead). */
  onEvents(listener: EventsListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Stops the run (SIGINT, SIGTERM, SIGKILL to the tree); resolves with the final summary. */
  async stop(reason = 'stopped by user'): Promise<RunSummary> {
    this.stopReason ??= reason;
    await this.process.stop();
    return this.done;
  }

  /** What the live view's hot lines and findings come from: the live lead rank's events, or the one process's. */
  get leadAggregator(): RunAggregator {
    return this.liveLead?.aggregator ?? this.aggregator;
  }

  /** The live figures: a distributed job's (ranks.ts), or the one process's. */
  live(): LiveFigures {
    const ranks = this.rankAggregators;
    return ranks.length > 0 ? jobLive(ranks.map((r) => r.aggregator.live())) : this.aggregator.live();
  }

  /** Ranks of the job, by rank; empty for a single process. */
  get rankAggregators(): Array<{ hello: HelloEvent; aggregator: RunAggregator }> {
    return [...this.ranks.values()].sort((a, b) => (a.hello.rank ?? 0) - (b.hello.rank ?? 0));
  }

  /** A rank's events go to its own recording; the launching process's to the run's. */
  private receive(events: RecordedEvent[], sender: HelloEvent): void {
    if (!isRank(sender)) return this.record(events);
    const key = `${sender.rank}:${sender.pid}`;
    let rank = this.ranks.get(key);
    if (!rank) {
      rank = RankRecorder.create(this.writer.dir, this.header, sender);
      this.ranks.set(key, rank);
      this.liveLead ??= rank;
    }
    rank.record(events);
    if (rank === this.liveLead) for (const listener of this.listeners) listener(events);
  }

  private record(events: readonly RecordedEvent[]): void {
    if (events.length === 0) return;
    this.writer.append(events);
    for (const event of events) this.aggregator.add(event);
    for (const listener of this.listeners) listener(events);
  }

  private async finish(exit: ProcessExit): Promise<RunSummary> {
    const exitEvent: RunExitEvent = {
      type: 'exit',
      t: Date.now() - this.startedAtMs,
      exitCode: exit.exitCode,
      signal: exit.signal,
      status: statusOf(exit, this.stopReason),
      stopReason: this.stopReason ?? null,
    };
    this.record([exitEvent]);
    await this.channel.close();
    const launcher = this.aggregator.summary(this.writer.dir);
    const sources = cachedSourceLines();
    launcher.findings = findingsFor(this.aggregator, launcher, sources);
    launcher.startup = withStartupCode(launcher.startup, sources);
    const summary = withRanks(launcher, [...this.ranks.values()].map((rank) => rank.finish(exitEvent)));
    this.writer.writeSummary(summary);
    this.writer.close();
    return summary;
  }
}

function runnerOptions(channel: RunChannel, request: RunRequest): RunnerOptions {
  const isPython = isPythonExecutable(request.command[0] ?? '');
  const sampleHz = request.sampleHz ?? (isPython ? DEFAULT_PYTHON_SAMPLE_HZ : DEFAULT_NODE_SAMPLE_HZ);
  return {
    v: PROTOCOL_VERSION,
    socket: channel.socketPath,
    token: channel.token,
    sampleHz,
    longRun: { sampleHz: longRunSampleHz(sampleHz), afterS: LONG_RUN_AFTER_S },
    flushMs: FLUSH_MS,
    probe: request.probe?.mode ?? null,
    probeSteps: request.probe?.steps ?? null,
    overrides: request.overrides ?? null,
  };
}

function statusOf(exit: ProcessExit, stopReason: string | undefined): RunStatus {
  if (stopReason !== undefined) return 'stopped';
  return exit.exitCode === 0 ? 'completed' : 'failed';
}

/** Resolves once the runner's connections have closed, or after maxMs. */
async function waitQuiet(channel: RunChannel, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (channel.openConnections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
