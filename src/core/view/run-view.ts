/**
 * What the performance panel shows for one run, built from its recorded events (live, or a
 * recording replayed) and, once known, its final summary. Pure: no vscode, no I/O. Memory stays
 * bounded for long runs (see SeriesBuckets), and every change bumps `version` so the panel gets
 * a full snapshot once and then only what changed since the version it already has.
 */
import { rankRows } from '../ranks-table';
import { LIVE_WINDOW_MS, MAX_NOTES, throughputOf } from '../aggregator';
import { checkHardware } from '../hardware-check';
import { LineProfile } from '../line-profile';
import { median } from '../stats';
import { startupSentence } from '../startup';
import { resolveStepAnchor, stepsUnrecognised, type StepAnchorSummary } from '../step-anchor';
import type { Finding } from '../findings/finding';
import type { EvalSummary, RunSummary } from '../summary';
import { BusyPcieLinks } from '../telemetry-accumulator';
import type { AnchorEvent, ErrorEvent, FrameworkEvent, HelloEvent, StepEvent } from '../../protocol/events';
import type { HardwareEvent, RecordedEvent, RunExitEvent, RunStartEvent, TelemetryEvent } from '../../protocol/recording';
import type { DeltaMessage, PanelHeadline, PanelRunInfo, PanelTables, SnapshotMessage } from '../../protocol/webview-messages';
import { SeriesBuckets } from './series-buckets';
import {
  PANEL_HOT_LINES,
  liveStageTable,
  locationOf,
  panelCeilings,
  panelFindings,
  panelHardware,
  panelHotLines,
  panelSteps,
  summaryStageTable,
} from './view-tables';

type TableKey = keyof PanelTables;
const TABLE_KEYS: readonly TableKey[] = ['headline', 'stages', 'hotLines', 'findings', 'ceilings', 'runInfo'];

/** The live window never holds more steps than this, however fast they are. */
const MAX_RECENT_STEPS = 20_000;

export class RunView {
  private currentVersion = 0;
  private readonly buckets = new SeriesBuckets();
  private readonly changedAt: Record<TableKey, number> = { headline: 0, stages: 0, hotLines: 0, findings: 0, ceilings: 0, runInfo: 0 };
  private cache: { version: number; tables: PanelTables } | undefined;

  private start: RunStartEvent | undefined;
  private hello: HelloEvent | undefined;
  private framework: FrameworkEvent | undefined;
  private hardware: HardwareEvent | undefined;
  private exit: RunExitEvent | undefined;
  private error: ErrorEvent | undefined;
  private summary: RunSummary | undefined;
  /** The live analysis's findings, shown until the summary brings the final ones. */
  private liveFindings: readonly Finding[] = [];
  private anchor: AnchorEvent | undefined;
  private evals: EvalSummary | null = null;
  private readonly notes: string[] = [];
  private readonly lines = new LineProfile();
  /** For the hardware check's PCIe links under load. */
  private readonly pcieLinks = new BusyPcieLinks();
  private gpuMemTotalMiB: number | null = null;
  private steps = 0;
  /** Latest time seen on the run's clock (ms since the host started the run). */
  private lastMs = 0;
  /** Steps of the live window: recent[recentHead..]. */
  private recent: StepEvent[] = [];
  private recentHead = 0;

  constructor(readonly title: string) {}

  /** Increments on every change. */
  get version(): number {
    return this.currentVersion;
  }

  add(events: readonly RecordedEvent[]): void {
    const next = this.currentVersion + 1;
    let changed = false;
    const touch = (...keys: TableKey[]): void => {
      for (const key of keys) this.changedAt[key] = next;
      changed = true;
    };
    for (const event of events) {
      switch (event.type) {
        case 'run':
          this.start = event;
          touch(...TABLE_KEYS); // cwd and clock: every location and time depends on them
          break;
        case 'hello':
          this.hello = event;
          touch(...TABLE_KEYS);
          break;
        case 'framework':
          this.framework = event;
          touch('stages', 'runInfo');
          break;
        case 'hardware':
          this.hardware = event;
          if (this.gpuMemTotalMiB === null) this.gpuMemTotalMiB = maxOf(event.gpus.map((g) => g.memTotalMiB));
          touch('headline', 'runInfo');
          break;
        case 'step':
          this.addStep(event, next);
          touch('headline', 'stages');
          break;
        case 'telemetry':
          this.addTelemetry(event, next);
          // GPU samples move the PCIe links under load, which the run info shows and checks.
          touch('headline', ...(event.gpus?.length ? (['runInfo'] as const) : []));
          break;
        case 'lines':
          this.lines.add(event);
          touch('hotLines');
          break;
        case 'log':
          if (this.notes.length >= MAX_NOTES) break;
          this.notes.push(event.message);
          touch('runInfo');
          break;
        case 'error':
          this.error = event;
          touch('runInfo');
          break;
        case 'exit':
          this.exit = event;
          this.lastMs = Math.max(this.lastMs, event.t);
          touch('headline', 'runInfo');
          break;
        case 'anchor':
          this.anchor = event;
          touch('headline', 'stages');
          break;
        case 'eval': {
          const e = this.evals ?? { passes: 0, batches: 0, ms: 0 };
          this.evals = { passes: e.passes + 1, batches: e.batches + event.batches, ms: e.ms + event.ms };
          touch('headline');
          break;
        }
        case 'loader':
        case 'optimizer':
        case 'ceiling':
        case 'bye':
          // Loaders, optimizers and ceiling probes reach the panel through the summary; `bye` is followed by `exit`.
          break;
      }
    }
    if (changed) this.currentVersion = next;
  }

  /** Final figures, findings and ceilings: the tables show them from now on. */
  setSummary(summary: RunSummary): void {
    this.summary = summary;
    this.currentVersion++;
    for (const key of TABLE_KEYS) this.changedAt[key] = this.currentVersion;
  }

  /**
   * Findings of a live analysis (the same rules on the same steady-state steps as the final one),
   * so the panel and Problems show the same findings while the run goes on.
   */
  setLiveFindings(findings: readonly Finding[]): void {
    if (this.summary) return;
    this.liveFindings = findings;
    this.currentVersion++;
    this.changedAt.findings = this.currentVersion;
  }

  snapshot(): SnapshotMessage {
    return { type: 'snapshot', view: { title: this.title, version: this.currentVersion, series: this.buckets.columns(0), tables: this.tables() } };
  }

  /** What changed since `fromVersion` (a version of this view), or null when nothing did. */
  deltaSince(fromVersion: number): DeltaMessage | null {
    if (fromVersion > this.currentVersion) throw new RangeError(`version ${fromVersion} is newer than this view (${this.currentVersion})`);
    if (fromVersion === this.currentVersion) return null;
    const all = this.tables();
    const tables: Partial<PanelTables> = {};
    for (const key of TABLE_KEYS) if (this.changedAt[key] > fromVersion) copyTable(tables, all, key);
    const from = this.buckets.changedSince(fromVersion);
    return {
      type: 'delta',
      fromVersion,
      version: this.currentVersion,
      series: from === null ? null : { from, columns: this.buckets.columns(from) },
      tables,
    };
  }

  /** Whether the panel shows this location, so a request to open it can be trusted. */
  knowsLocation(file: string, line: number): boolean {
    const t = this.tables();
    const shown = [...t.hotLines, ...t.findings.flatMap((f) => f.locations), ...(t.runInfo.error?.location ? [t.runInfo.error.location] : [])];
    return shown.some((l) => l.file === file && l.line === line);
  }

  private addStep(step: StepEvent, version: number): void {
    // Steps are timed from the runner's origin, telemetry from the host's start: one clock for both.
    const offsetMs = this.start && this.hello ? this.hello.timeOriginMs - this.start.startedAtMs : 0;
    const endMs = step.t + step.ms + offsetMs;
    this.steps++;
    this.lastMs = Math.max(this.lastMs, endMs);
    this.buckets.addStep(step, endMs, version);
    this.recent.push(step);
    const fromT = step.t + step.ms - LIVE_WINDOW_MS;
    while (this.recent.length - this.recentHead > 1) {
      const oldest = this.recent[this.recentHead] as StepEvent;
      if (oldest.t >= fromT && this.recent.length - this.recentHead <= MAX_RECENT_STEPS) break;
      this.recentHead++;
    }
    if (this.recentHead > 1024 && this.recentHead * 2 > this.recent.length) {
      this.recent = this.recent.slice(this.recentHead);
      this.recentHead = 0;
    }
  }

  private addTelemetry(sample: TelemetryEvent, version: number): void {
    this.buckets.addTelemetry(sample, version);
    this.pcieLinks.add(sample);
    this.lastMs = Math.max(this.lastMs, sample.t);
    for (const gpu of sample.gpus ?? []) {
      if (gpu.memTotalMiB !== null) this.gpuMemTotalMiB = Math.max(this.gpuMemTotalMiB ?? 0, gpu.memTotalMiB);
    }
  }

  private tables(): PanelTables {
    if (this.cache?.version !== this.currentVersion) this.cache = { version: this.currentVersion, tables: this.buildTables() };
    return this.cache.tables;
  }

  private buildTables(): PanelTables {
    const summary = this.summary;
    const cwd = summary?.cwd || this.start?.cwd || this.hello?.cwd || '';
    // Steps the runner says it cannot anchor are not shown as steps (the summary does the same).
    const recent = stepsUnrecognised(this.liveAnchor()) ? [] : this.recent.slice(this.recentHead);
    return {
      headline: summary ? this.finalHeadline(summary) : this.liveHeadline(recent),
      stages: summary ? summaryStageTable(summary) : liveStageTable(recent, LIVE_WINDOW_MS, this.framework),
      hotLines: panelHotLines(summary ? summary.hotLines : this.lines.hotLines(PANEL_HOT_LINES), cwd),
      findings: panelFindings(summary ? summary.findings : this.liveFindings, cwd),
      ceilings: panelCeilings(summary?.ceilings ?? null),
      runInfo: this.runInfo(cwd),
    };
  }

  /** Null until the runner's anchor event: a live run shows its steps as they come. */
  private liveAnchor(): StepAnchorSummary | null {
    return this.anchor ? resolveStepAnchor({ event: this.anchor, framework: this.framework?.name ?? null, steps: this.steps, loaderSeen: false }) : null;
  }

  private liveHeadline(recent: readonly StepEvent[]): PanelHeadline {
    return {
      status: this.exit?.status ?? 'running',
      scope: 'live',
      windowMs: LIVE_WINDOW_MS,
      steps: this.steps,
      warmupSteps: 0,
      durationMs: this.lastMs,
      ...throughputOf(recent),
      stepMsMedian: median(recent.map((s) => s.ms)),
      gpuMemTotalMiB: this.gpuMemTotalMiB,
      ...panelSteps(this.liveAnchor()),
      eval: this.evals,
      startupNote: null,
    };
  }

  private finalHeadline(summary: RunSummary): PanelHeadline {
    return {
      status: summary.status,
      scope: 'final',
      windowMs: null,
      steps: summary.steps,
      warmupSteps: summary.warmupSteps,
      durationMs: summary.durationMs,
      batchesPerSec: summary.throughput.batchesPerSec,
      samplesPerSec: summary.throughput.samplesPerSec,
      tokensPerSec: summary.throughput.tokensPerSec,
      stepMsMedian: summary.throughput.stepMsMedian,
      gpuMemTotalMiB: summary.telemetry?.gpuMemTotalMiB ?? this.gpuMemTotalMiB,
      ...panelSteps(summary.stepAnchor),
      eval: summary.eval,
      // Absent from summaries written before start-up was its own phase.
      startupNote: summary.startup ? startupSentence(summary.startup, summary.cwd) : null,
      ...(summary.ranks ? { ranks: rankRows(summary) } : {}),
    };
  }

  private runInfo(cwd: string): PanelRunInfo {
    const summary = this.summary;
    const fw = this.framework;
    const error = this.error
      ? { excType: this.error.excType, message: this.error.message, file: this.error.file ?? null, line: this.error.line ?? null }
      : (summary?.error ?? null);
    const hardware = this.hardware ?? summary?.hardware ?? null;
    const links = this.pcieLinks.underLoad();
    return {
      command: summary?.command.length ? summary.command : (this.start?.command ?? this.hello?.argv ?? []),
      cwd,
      script: this.hello?.script ?? summary?.script ?? null,
      runner: this.hello?.runner ?? summary?.runner ?? null,
      runtime: this.hello?.runtime ?? null,
      sampleHz: this.hello?.sampleHz ?? this.start?.sampleHz ?? null,
      longRun: typeof this.hello?.longRunSampleHz === 'number' && typeof this.hello.longRunAfterS === 'number' && this.hello.longRunSampleHz !== this.hello.sampleHz
        ? { sampleHz: this.hello.longRunSampleHz, afterS: this.hello.longRunAfterS }
        : null,
      startedAtMs: this.start?.startedAtMs ?? summary?.startedAtMs ?? this.hello?.timeOriginMs ?? null,
      framework: fw
        ? { name: fw.name, version: fw.version, package: fw.package ?? null, device: fw.device, deviceTiming: fw.deviceTiming ?? false }
        : summary?.framework
          ? {
              name: summary.framework,
              version: summary.frameworkVersion ?? '',
              package: summary.frameworkPackage,
              device: summary.device ?? '',
              deviceTiming: summary.deviceStages !== null,
            }
          : null,
      hardware: panelHardware(hardware, links),
      hardwareCheck: hardware ? checkHardware(hardware, links).map((i) => ({ code: i.code, severity: i.severity, message: i.message })) : [],
      exitCode: this.exit?.exitCode ?? summary?.exitCode ?? null,
      signal: this.exit?.signal ?? summary?.signal ?? null,
      error: error
        ? { excType: error.excType, message: error.message, location: error.file && error.line ? locationOf(error.file, error.line, cwd) : null }
        : null,
      notes: summary ? summary.notes.slice(0, MAX_NOTES) : [...this.notes],
    };
  }
}

function copyTable<K extends TableKey>(target: Partial<PanelTables>, source: PanelTables, key: K): void {
  target[key] = source[key];
}

function maxOf(values: ReadonlyArray<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? Math.max(...known) : null;
}
