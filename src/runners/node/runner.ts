/**
 * The Node runner inside the user's process: wires the channel, the step timeline, the tfjs probe
 * and the line sampler together, flushes every `flushMs`, and sends the last batch at exit.
 *
 * Nothing here may change what the user's program does: every piece of our own work runs through
 * `safely` (the tfjs hooks' per-step path through the same guard, `active` and `failed`, without a
 * closure per call), which on any failure disables instrumentation with one stderr line, takes
 * every hook of ours out (stop(), as the end of the run does) and lets the program go on.
 * Uncaught exceptions are observed (uncaughtExceptionMonitor), never handled, so Node prints
 * them and picks the exit code exactly as it would without us. We install no signal handlers: one
 * would keep SIGINT from ending a busy synchronous loop at once; a run stopped by a signal loses at
 * most its last flush period, and the host knows the signal.
 */
import { PROTOCOL_VERSION, type ErrorEvent, type HelloEvent } from '../../protocol/events';
import { CeilingProbe } from './ceiling-probe';
import { Channel } from './channel';
import { clock } from './clock';
import { UserCode } from './frames';
import { LineBatcher } from './line-batch';
import type { PreloadOptions } from './options';
import { LineSampler } from './sampler';
import { TfjsProbe } from './tfjs';
import { StepTimeline } from './timeline';
import type { Guard } from './wrap';

/**
 * Line samples go out in windows of this length: ending a window costs V8 a serialisation of the
 * profile (~1.3 ms with tfjs loaded) and us a pass over its nodes, on the training thread (3-5 ms
 * a window on compute_bound.js on the VM the benches run on, ~0.4% at one a second); steps still go
 * out every flushMs. A long run's windows (RunnerOptions.longRun) are longer: they hold a fifth of
 * the samples, and their hot lines have settled.
 */
const LINE_WINDOW_MS = 1000;
const LONG_RUN_LINE_WINDOW_MS = 5000;
/**
 * A loop that runs from microtasks alone (an awaited trainOnBatch on tfjs's CPU backends resolves
 * without the event loop turning) never lets the flush timer fire: its steps would pile up in
 * memory, the panel stay empty and a kill lose them all. So every this many steps a step's end
 * looks at the clock, and a flush more than a period late is done there.
 */
const STEPS_PER_CLOCK_CHECK = 64;

function ticksPer(windowMs: number, flushMs: number): number {
  return Math.max(1, Math.round(windowMs / flushMs));
}

function intervalUs(sampleHz: number): number {
  return Math.max(1, Math.round(1e6 / sampleHz));
}

/** The one line the user sees when instrumentation turns itself off; their program goes on. */
export function warnDisabled(reason: string): void {
  process.stderr.write(`trainlens: instrumentation disabled: ${reason}\n`);
}

export class NodeRunner implements Guard {
  private enabled = true;
  private readonly channel: Channel;
  private readonly timeline: StepTimeline;
  private readonly probe: TfjsProbe;
  private sampling: { sampler: LineSampler; batcher: LineBatcher } | null = null;
  private readonly timer: NodeJS.Timeout;
  private fatal: ErrorEvent | null = null;
  private windowMs = LINE_WINDOW_MS;
  /** Flushes until the line window ends. */
  private ticksLeft: number;
  /** When (clock ms) the line sampler slows to the long run's interval (µs); null once it has. */
  private longRun: { atMs: number; intervalUs: number } | null;
  private readonly code = new UserCode(__filename);
  private stopped = false;
  private lastTickMs = clock.now();
  private stepsToClockCheck = STEPS_PER_CLOCK_CHECK;
  private readonly onUncaught = (error: unknown): void => this.safely(() => this.observe(error));
  private readonly onExit = (exitCode: number): void => this.finish(exitCode);

  constructor(private readonly options: PreloadOptions) {
    this.ticksLeft = ticksPer(this.windowMs, options.flushMs);
    this.longRun = options.longRun ? { atMs: options.longRun.afterS * 1000, intervalUs: intervalUs(options.longRun.sampleHz) } : null;
    this.channel = new Channel(options.socket, (reason) => this.disable(reason));
    const hello: HelloEvent = {
      type: 'hello',
      v: PROTOCOL_VERSION,
      token: options.token,
      runner: 'node',
      pid: process.pid,
      runtime: `Node.js ${process.version}`,
      script: process.argv[1] ?? '[eval]',
      argv: process.argv.slice(1),
      cwd: process.cwd(),
      sampleHz: options.sampleHz,
      ...(options.longRun && { longRunSampleHz: options.longRun.sampleHz, longRunAfterS: options.longRun.afterS }),
      timeOriginMs: clock.timeOrigin,
    };
    this.channel.send(hello);
    const ceiling = options.probe ? new CeilingProbe(options.probe.mode, options.probe.steps, (event) => this.channel.send(event)) : null;
    this.timeline = new StepTimeline((step) => {
      this.channel.sendStep(step);
      // Compute-only is the rest of a step once its batch is in hand: a replayed batch's wait is
      // small, but not nil on a busy machine.
      ceiling?.stepped(Number.isNaN(step.data) ? step.ms : step.ms - step.data);
      if (--this.stepsToClockCheck === 0) this.flushIfLate();
    });
    this.probe = new TfjsProbe(this.timeline, this.code, (event) => this.channel.send(event), this, ceiling);
    this.probe.install();
    this.startSampling();
    this.timer = setInterval(() => this.safely(() => this.tick(false)), options.flushMs);
    this.timer.unref();
    process.on('uncaughtExceptionMonitor', this.onUncaught);
    process.on('exit', this.onExit);
  }

  /**
   * Ends the run: at the process's exit (with its code), or earlier by whoever started the runner
   * in-process (bench/shapes/node_runner_cost.ts, which then starts another). The last batch and
   * `bye` go out, then every hook of ours comes out.
   */
  finish(exitCode: number): void {
    this.safely(() => this.sendLast(exitCode));
    this.stop();
  }

  safely(work: () => void): void {
    if (!this.enabled) return;
    try {
      work();
    } catch (error) {
      this.failed(error);
    }
  }

  get active(): boolean {
    return this.enabled;
  }

  failed(error: unknown): void {
    if (!this.enabled) return;
    this.channel.send({ type: 'log', level: 'warn', message: `trainlens: internal error: ${String(error)}` });
    this.channel.flush();
    this.disable(`internal error: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** Without line sampling the steps still count; the host hears why. */
  private startSampling(): void {
    try {
      const sampler = new LineSampler(intervalUs(this.options.sampleHz), this.code);
      sampler.start();
      const batcher = new LineBatcher(this.timeline, sampler, clock.now());
      batcher.intervalMs = intervalUs(this.options.sampleHz) / 1000;
      this.sampling = { sampler, batcher };
    } catch (error) {
      this.channel.send({ type: 'log', level: 'warn', message: `trainlens: line sampling unavailable: ${String(error)}` });
    }
  }

  /** From a step's end (STEPS_PER_CLOCK_CHECK). The timeline is inside end() then, its step not yet
   * logged: the line batcher classifies no sample of that step before its next take, as with any
   * step still open. */
  private flushIfLate(): void {
    this.stepsToClockCheck = STEPS_PER_CLOCK_CHECK;
    if (clock.now() - this.lastTickMs >= 2 * this.options.flushMs) this.safely(() => this.tick(false));
  }

  /** Sends what the period produced; at exit (`last`) the caller writes it synchronously. */
  private tick(last: boolean): void {
    this.lastTickMs = clock.now();
    if (this.sampling && (last || --this.ticksLeft === 0)) {
      const { sampler, batcher } = this.sampling;
      // The first window ending past the long run's start begins the long run's (RunnerOptions.longRun).
      const slowDown = !last && this.longRun !== null && clock.now() >= this.longRun.atMs ? this.longRun.intervalUs : undefined;
      if (slowDown !== undefined) [this.longRun, this.windowMs, batcher.intervalMs] = [null, LONG_RUN_LINE_WINDOW_MS, slowDown / 1000];
      this.ticksLeft = ticksPer(this.windowMs, this.options.flushMs);
      batcher.add(sampler.swap(last, slowDown));
      if (last) this.sampling = null; // the profiler is stopped
      const lines = batcher.take(clock.now());
      if (lines) this.channel.send(lines);
    }
    if (!last) this.channel.flush();
  }

  /** Only an exception nobody handles ends the process; that one is the run's error. */
  private observe(error: unknown): void {
    if (process.listenerCount('uncaughtException') > 0) return;
    const name = (error as { name?: unknown } | null)?.name;
    const at = this.code.userFrameOf((error as { stack?: unknown } | null)?.stack);
    this.fatal = {
      type: 'error',
      message: error instanceof Error ? error.message : String(error),
      excType: typeof name === 'string' ? name : typeof error,
      file: at?.file ?? null,
      line: at?.line ?? null,
    };
  }

  private sendLast(exitCode: number): void {
    clearInterval(this.timer);
    this.probe.finish();
    this.timeline.restart(null); // an unfinished step is no step
    this.tick(true);
    if (this.fatal) this.channel.send(this.fatal);
    this.channel.send({ type: 'bye', exitCode, reason: this.fatal ? 'exception' : 'exit', steps: this.timeline.steps });
    this.channel.flushSync();
  }

  private disable(reason: string): void {
    if (!this.enabled) return;
    this.stop();
    warnDisabled(reason);
  }

  /** Our timer, process listeners, tfjs and Module hooks, profiler and socket, all gone; from here
   * on the program runs as without us, and a new runner would start from scratch. */
  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.enabled = false;
    clearInterval(this.timer);
    process.off('uncaughtExceptionMonitor', this.onUncaught);
    process.off('exit', this.onExit);
    try {
      this.probe.uninstall();
    } catch {
      // whatever stays in place only passes calls through now that we are off
    }
    try {
      this.sampling?.sampler.swap(true);
    } catch {
      // the profiler is ours alone; nothing the user relies on is left behind
    }
    this.sampling = null;
    this.channel.close();
  }
}
