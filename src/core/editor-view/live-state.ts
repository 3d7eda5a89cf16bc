/**
 * What each batch of a live run's events does in the editor. Per batch it only feeds the panel's
 * view, keeps the latest telemetry sample and says which throttled updates are due; the expensive
 * views (status text, heat, findings) are built later, at their own pace, from the aggregator.
 * So ingestion stays cheap however fast the runner sends (see bench/extension.ts).
 */
import type { LiveFigures } from '../aggregator';
import { mean } from '../stats';
import type { RecordedEvent, TelemetryEvent } from '../../protocol/recording';
import type { StatusFigures } from './status-model';
import type { Finding } from '../findings/finding';
import type { RunSummary } from '../summary';
import { WARMUP_MAX_SHARE } from '../warmup';

/** Steps after warm-up a live analysis needs before its per-step figures settle. */
export const MIN_LIVE_STEADY_STEPS = 20;

/**
 * Whether a live analysis would say what the final one says. The rules read the steady-state
 * steps, and the warm-up detector may call at most a fifth of the steps so far warm-up: while it
 * sits at that cap the warm-up is not over yet, and its slow steps would still be in the figures
 * (a 457 ms "mean step" next to the panel's 104 ms median, issue 18). Until then: no live findings.
 */
export function liveAnalysisReady(summary: Pick<RunSummary, 'steps' | 'warmupSteps'>): boolean {
  const cap = Math.floor(summary.steps * WARMUP_MAX_SHARE);
  const warmupOver = summary.warmupSteps === 0 || summary.warmupSteps < cap;
  return warmupOver && summary.steps - summary.warmupSteps >= MIN_LIVE_STEADY_STEPS;
}

export interface EventSink {
  add(events: readonly RecordedEvent[]): void;
}

export interface LiveHooks {
  /** Any batch: the panel and the status bar may change. */
  changed(): void;
  /** Line samples arrived: the heat may change. */
  linesArrived(): void;
  /** Steps arrived: the findings may change. */
  stepsArrived(): void;
}

/**
 * Rules whose measure is a share of the whole run: warm-up's cost over all the steps shrinks as the
 * run goes on, so only the end can say it. They are not shown live rather than shown wrong.
 */
const END_OF_RUN_RULES: ReadonlySet<string> = new Set(['warmup']);

/** The findings a live analysis may show: the ones the final analysis measures the same way. */
export function liveFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => !END_OF_RUN_RULES.has(f.code));
}

export class LiveState {
  private telemetry: TelemetryEvent | undefined;

  constructor(
    private readonly view: EventSink,
    private readonly hooks: LiveHooks,
  ) {}

  add(events: readonly RecordedEvent[]): void {
    this.view.add(events);
    let lines = false;
    let steps = false;
    for (const event of events) {
      if (event.type === 'telemetry') this.telemetry = event;
      else if (event.type === 'lines') lines = true;
      else if (event.type === 'step') steps = true;
    }
    this.hooks.changed();
    if (lines) this.hooks.linesArrived();
    if (steps) this.hooks.stepsArrived();
  }

  /** The aggregator's recent figures plus the latest telemetry sample (GPU "now", not the run's mean). */
  figures(live: LiveFigures): StatusFigures {
    const utils = (this.telemetry?.gpus ?? []).map((g) => g.utilPct).filter((v): v is number => v !== null);
    return {
      steps: live.steps,
      batchesPerSec: live.batchesPerSec,
      samplesPerSec: live.samplesPerSec,
      tokensPerSec: live.tokensPerSec,
      stepAnchor: live.stepAnchor,
      stageShares: live.stageShares,
      ranks: live.ranks,
      gpuUtilPct: mean(utils),
      cpuPct: this.telemetry?.proc.cpuPct ?? null,
    };
  }
}
