/**
 * Folds a run's events (runner + host) into figures: steps, steady-state throughput, stage
 * shares, hot lines, telemetry. Pure: the CLI, the editor and `report` on a cut-off recording all
 * rebuild the same summary from the same events.
 */
import {
  STAGE_NAMES,
  type AnchorEvent,
  type CeilingEvent,
  type EvalEvent,
  type FrameworkEvent,
  type HelloEvent,
  type LoaderEvent,
  type OptimizerEvent,
  type StageName,
  type StepEvent,
} from '../protocol/events';
import type { HardwareEvent, ImportEvent, RecordedEvent, RunExitEvent, RunStartEvent, TelemetryEvent } from '../protocol/recording';
import { LineProfile } from './line-profile';
import { quantile, sum } from './stats';
import { StepLog, StepTotals } from './step-log';
import { resolveStepAnchor, stepsUnrecognised, type StepAnchorSummary } from './step-anchor';
import { SUMMARY_FORMAT, type EvalSummary, type RunError, type RunSummary, type StageSummary } from './summary';
import { checkHardware } from './hardware-check';
import { TelemetryAccumulator } from './telemetry-accumulator';
import { warmupOf } from './warmup';

/** Runner and host remarks kept for the summary and the panel; a chatty runner must not flood them. */
export const MAX_NOTES = 20;

export const NO_STEPS_NOTE = 'no training steps observed';

/** Window for the live (recent) throughput figure. */
export const LIVE_WINDOW_MS = 5000;

export interface Throughput {
  batchesPerSec: number | null;
  samplesPerSec: number | null;
  tokensPerSec: number | null;
}

export interface LiveFigures extends Throughput {
  steps: number;
  /** Stage shares over the live window. */
  stageShares: Partial<Record<StageName, number>>;
  /** Null until the runner says what ends a step (or the run ends). */
  stepAnchor: StepAnchorSummary | null;
  /** Ranks whose figures these are (a distributed job's, see ranks.ts); absent for one process. */
  ranks?: number;
}

const NO_THROUGHPUT: Throughput = { batchesPerSec: null, samplesPerSec: null, tokensPerSec: null };

export class RunAggregator {
  private start: RunStartEvent | undefined;
  private hello: HelloEvent | undefined;
  private framework: FrameworkEvent | undefined;
  private exit: RunExitEvent | undefined;
  private error: RunError | null = null;
  private hardware: HardwareEvent | null = null;
  private imported: ImportEvent | undefined;
  private readonly loaders: LoaderEvent[] = [];
  private readonly optimizers: OptimizerEvent[] = [];
  private readonly evals: EvalEvent[] = [];
  private anchor: AnchorEvent | undefined;
  private readonly logs: string[] = [];
  private readonly stepLog: StepLog;
  /** Results of ceiling probes (only probe runs send them). */
  readonly ceilingEvents: CeilingEvent[] = [];
  readonly lines = new LineProfile();
  readonly telemetry = new TelemetryAccumulator();
  readonly telemetrySamples: TelemetryEvent[] = [];
  private lastEventT = 0;
  readonly dropped: Record<string, number> = {};

  /** `stepLog`: where steps are kept (bounded; tests pass a small one). */
  constructor(stepLog = new StepLog()) {
    this.stepLog = stepLog;
  }

  /** Steps kept one by one: every step of a run of up to HEAD_STEPS, else its first and latest. */
  get steps(): readonly StepEvent[] {
    return this.stepLog.kept();
  }

  /** Every step the run made. */
  get stepCount(): number {
    return this.stepLog.count;
  }

  /** Where `steps` skips from the first steps to the latest; null while it holds every step. */
  get stepsKeptGap(): number | null {
    return this.stepLog.keptGap;
  }

  /** Sum of every step's time, warm-up included (findings' whole-run shares). */
  get stepsTotalMs(): number {
    return this.stepLog.totalMs;
  }

  add(event: RecordedEvent): void {
    switch (event.type) {
      case 'run':
        this.start = event;
        break;
      case 'hello':
        this.hello = event;
        break;
      case 'framework':
        this.framework = event;
        break;
      case 'loader':
        this.loaders.push(event);
        break;
      case 'optimizer':
        this.optimizers.push(event);
        break;
      case 'anchor':
        this.anchor = event;
        break;
      case 'eval':
        this.evals.push(event);
        this.lastEventT = Math.max(this.lastEventT, event.t + event.ms);
        break;
      case 'step':
        this.stepLog.add(event);
        this.lastEventT = Math.max(this.lastEventT, event.t + event.ms);
        break;
      case 'lines':
        this.lines.add(event);
        break;
      case 'log':
        if (this.logs.length < MAX_NOTES) this.logs.push(event.message);
        break;
      case 'error':
        this.error = { message: event.message, excType: event.excType, file: event.file ?? null, line: event.line ?? null };
        break;
      case 'ceiling':
        this.ceilingEvents.push(event);
        break;
      case 'bye':
        break;
      case 'exit':
        this.exit = event;
        break;
      case 'telemetry':
        this.telemetry.add(event);
        this.telemetrySamples.push(event);
        break;
      case 'hardware':
        this.hardware = event;
        break;
      case 'import':
        this.imported = event;
        break;
    }
  }

  countDropped(reason: string, n = 1): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + n;
  }

  /** Throughput and stage split over the last LIVE_WINDOW_MS of steps. */
  live(): LiveFigures {
    const last = this.stepLog.last();
    const from = last ? last.t + last.ms - LIVE_WINDOW_MS : 0;
    const recent = this.stepLog.latest((step, taken) => !(step.t < from && taken > 0));
    const steps = this.stepLog.count;
    const stepAnchor = this.anchor ? this.stepAnchor() : null;
    if (stepsUnrecognised(stepAnchor)) return { steps, ...NO_THROUGHPUT, stageShares: {}, stepAnchor };
    return { steps, ...throughputOf(recent), stageShares: sharesOf(stagesOf(recent)), stepAnchor };
  }

  /** The anchor the summary reports (see step-anchor.ts). */
  stepAnchor(): StepAnchorSummary {
    return resolveStepAnchor({
      event: this.anchor,
      framework: this.framework?.name ?? null,
      steps: this.stepLog.count,
      loaderSeen: this.loaders.length > 0,
    });
  }

  summary(recording: string): RunSummary {
    const stepAnchor = this.stepAnchor();
    // Steps nobody can say are steps give no figures at all: never a made-up throughput.
    const log = this.stepLog;
    const counted = stepsUnrecognised(stepAnchor) ? 0 : log.count;
    const msFrom = (from: number, q: number) => (counted === 0 ? null : log.msQuantile(from, q, quantile));
    const warmupSteps = counted === 0 ? 0 : warmupOf(log.leading().map((s) => s.ms), counted, (limit) => log.typicalMs(limit) ?? 0);
    const steady = counted === 0 ? new StepTotals() : log.totalsFrom(warmupSteps);
    const notes = [...this.logs];
    if (counted === 0) notes.unshift(NO_STEPS_NOTE);
    const startedAtMs = this.start?.startedAtMs ?? this.hello?.timeOriginMs ?? 0;
    return {
      summaryFormat: SUMMARY_FORMAT,
      id: this.start?.id ?? '',
      status: this.exit?.status ?? 'running',
      exitCode: this.exit?.exitCode ?? null,
      signal: this.exit?.signal ?? null,
      error: this.error,
      runner: this.hello?.runner ?? null,
      framework: this.framework?.name ?? null,
      frameworkVersion: this.framework?.version ?? null,
      frameworkPackage: this.framework?.package ?? null,
      device: this.framework?.device ?? null,
      command: this.start?.command ?? [],
      cwd: this.start?.cwd ?? this.hello?.cwd ?? '',
      script: this.hello?.script ?? null,
      startedAtMs,
      durationMs: this.exit ? this.exit.t : this.lastEventT,
      steps: counted,
      warmupSteps,
      stepAnchor,
      throughput: { ...throughputOfTotals(steady), stepMsMedian: msFrom(warmupSteps, 0.5), stepMsP95: msFrom(warmupSteps, 0.95) },
      eval: evalOf(this.evals),
      optimizers: [...this.optimizers],
      stages: stagesOfTotals(steady),
      ...stagedStepsOf(steady),
      separatedStages: this.framework?.stages ?? [],
      deviceStages: this.framework?.deviceTiming ? deviceStagesOfTotals(steady) : null,
      hotLines: this.lines.hotLines(50),
      lineSamples: this.lines.totalSamples,
      startup: this.lines.startup(log.leading()[0]?.t ?? null),
      loaders: [...this.loaders],
      telemetry: this.telemetry.summary(),
      hardware: this.hardware,
      hardwareCheck: this.hardware ? checkHardware(this.hardware, this.telemetry.pcieUnderLoad()) : [],
      findings: [],
      ceilings: null,
      notes,
      dropped: { ...this.dropped },
      recording,
      ...(this.imported ? { imported: importedOf(this.imported) } : {}),
    };
  }
}

function importedOf({ type: _type, ...imported }: ImportEvent): Omit<ImportEvent, 'type'> {
  return imported;
}

/** Batches/s, samples/s and tokens/s over the steps' own time. */
export function throughputOf(steps: readonly StepEvent[]): Throughput {
  return throughputOfTotals(StepTotals.of(steps));
}

/**
 * Per second of step time. Samples and tokens over every step when every step knew its count; else,
 * where only unstaged steps did not, the steps that knew it at the steps' rate (KnownCount.perSec
 * says why); else null: a partial figure would mislead.
 */
export function throughputOfTotals(totals: StepTotals): Throughput {
  if (totals.count === 0 || totals.ms <= 0) return NO_THROUGHPUT;
  return {
    batchesPerSec: (totals.count / totals.ms) * 1000,
    samplesPerSec: totals.samples.perSec(totals),
    tokensPerSec: totals.tokens.perSec(totals),
  };
}

function evalOf(passes: readonly EvalEvent[]): EvalSummary | null {
  if (passes.length === 0) return null;
  return { passes: passes.length, batches: sum(passes.map((p) => p.batches)), ms: sum(passes.map((p) => p.ms)) };
}

/**
 * Mean ms per step and share of step time of each stage the steps measured, over the staged steps
 * only (an unstaged step's stages were not measured, staged-steps.ts); nothing when none was.
 */
export function stagesOf(steps: readonly StepEvent[]): Partial<Record<StageName, StageSummary>> {
  return stagesOfTotals(StepTotals.of(steps));
}

function stagesOfTotals(totals: StepTotals): Partial<Record<StageName, StageSummary>> {
  const result: Partial<Record<StageName, StageSummary>> = {};
  if (totals.stagedSteps === 0 || totals.stagedMs <= 0) return result;
  for (const stage of STAGE_NAMES) {
    const stageMs = totals.stageMs[stage];
    if (stageMs !== undefined) result[stage] = { ms: stageMs / totals.stagedSteps, share: stageMs / totals.stagedMs };
  }
  return result;
}

/** The summary's `stagedSteps`: present only when some steady step was not staged. */
function stagedStepsOf(totals: StepTotals): Pick<RunSummary, 'stagedSteps'> {
  return totals.stagedSteps < totals.count ? { stagedSteps: totals.stagedSteps } : {};
}

/** Each stage's share of step time, from the live window's stage figures or a finished run's. */
export function sharesOf(stages: Partial<Record<StageName, StageSummary>>): Partial<Record<StageName, number>> {
  const shares: Partial<Record<StageName, number>> = {};
  for (const stage of STAGE_NAMES) {
    const figures = stages[stage];
    if (figures) shares[stage] = figures.share;
  }
  return shares;
}

/** Mean device-side ms per step of each stage, over the steps that timed it. */
export function deviceStagesOf(steps: readonly StepEvent[]): Partial<Record<StageName, number>> {
  return deviceStagesOfTotals(StepTotals.of(steps));
}

function deviceStagesOfTotals(totals: StepTotals): Partial<Record<StageName, number>> {
  const result: Partial<Record<StageName, number>> = {};
  for (const stage of STAGE_NAMES) {
    const device = totals.deviceMs[stage];
    if (device && device.steps > 0) result[stage] = device.ms / device.steps;
  }
  return result;
}
