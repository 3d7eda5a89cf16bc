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
      gpuUtilPct: mean(utils),
      cpuPct: this.telemetry?.proc.cpuPct ?? null,
    };
  }
}
