/**
 * Per-second buckets of a run's steps and telemetry, kept bounded for runs of any length: when
 * there are too many, the older half is merged pairwise (every figure is a sum, a count or a max,
 * so merging is exact and old history just gets coarser). Tracks which buckets changed at which
 * version so a delta can resend only the tail that changed.
 */
import { STAGE_NAMES, type StageName, type StepEvent } from '../../protocol/events';
import type { TelemetryEvent } from '../../protocol/recording';
import type { PanelSeries } from '../../protocol/webview-messages';
import { isStaged, KnownCount } from '../staged-steps';

const BUCKET_MS = 1000;
/** A two-hour run at 1 s would be 7200 points; charts cannot show more than ~1000 apart anyway. */
export const MAX_BUCKETS = 1200;

interface Bucket {
  startMs: number;
  /** 1 s, or wider once merged; a merged bucket also covers any gap between its parts. */
  widthMs: number;
  steps: number;
  stepMs: number;
  /** Steps whose stages were timed, and their time: what the stage shares are over. */
  stagedSteps: number;
  stagedMs: number;
  samples: KnownCount;
  stageMs: Partial<Record<StageName, number>>;
  telemetry: number;
  /** Samples that saw the process tree (a sampler without `ps` reports 0 processes). */
  procSamples: number;
  cpuPctSum: number;
  systemCpuPctSum: number;
  rssMaxBytes: number | null;
  gpuUtilSamples: number;
  gpuUtilPctSum: number;
  gpuMemMaxMiB: number | null;
}

function emptyBucket(startMs: number, widthMs: number): Bucket {
  return {
    startMs,
    widthMs,
    steps: 0,
    stepMs: 0,
    stagedSteps: 0,
    stagedMs: 0,
    samples: new KnownCount(),
    stageMs: {},
    telemetry: 0,
    procSamples: 0,
    cpuPctSum: 0,
    systemCpuPctSum: 0,
    rssMaxBytes: null,
    gpuUtilSamples: 0,
    gpuUtilPctSum: 0,
    gpuMemMaxMiB: null,
  };
}

const maxOrNull = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

function merge(a: Bucket, b: Bucket): Bucket {
  const stageMs: Partial<Record<StageName, number>> = { ...a.stageMs };
  for (const [stage, ms] of Object.entries(b.stageMs) as Array<[StageName, number]>) stageMs[stage] = (stageMs[stage] ?? 0) + ms;
  return {
    startMs: a.startMs,
    widthMs: b.startMs + b.widthMs - a.startMs,
    steps: a.steps + b.steps,
    stepMs: a.stepMs + b.stepMs,
    stagedSteps: a.stagedSteps + b.stagedSteps,
    stagedMs: a.stagedMs + b.stagedMs,
    samples: a.samples.plus(b.samples),
    stageMs,
    telemetry: a.telemetry + b.telemetry,
    procSamples: a.procSamples + b.procSamples,
    cpuPctSum: a.cpuPctSum + b.cpuPctSum,
    systemCpuPctSum: a.systemCpuPctSum + b.systemCpuPctSum,
    rssMaxBytes: maxOrNull(a.rssMaxBytes, b.rssMaxBytes),
    gpuUtilSamples: a.gpuUtilSamples + b.gpuUtilSamples,
    gpuUtilPctSum: a.gpuUtilPctSum + b.gpuUtilPctSum,
    gpuMemMaxMiB: maxOrNull(a.gpuMemMaxMiB, b.gpuMemMaxMiB),
  };
}

export class SeriesBuckets {
  private buckets: Bucket[] = [];
  private readonly stagesSeen = new Set<StageName>();
  /**
   * (version, first changed index) with `from` strictly increasing: a later change to an earlier
   * index supersedes every entry it is not after, so the first entry newer than v is the answer.
   */
  private changes: Array<{ version: number; from: number }> = [];

  constructor(private readonly maxBuckets = MAX_BUCKETS) {}

  get length(): number {
    return this.buckets.length;
  }

  /** `endMs`: when the step ended, on the run's clock; the step counts in that second. */
  addStep(step: StepEvent, endMs: number, version: number): void {
    const { bucket, index } = this.bucketAt(endMs);
    bucket.steps++;
    bucket.stepMs += step.ms;
    const staged = isStaged(step);
    bucket.samples.add(step.samples, staged);
    if (staged) {
      bucket.stagedSteps++;
      bucket.stagedMs += step.ms;
    }
    let newStage = false;
    for (const stage of STAGE_NAMES) {
      const ms = step.stages[stage];
      if (typeof ms !== 'number') continue;
      bucket.stageMs[stage] = (bucket.stageMs[stage] ?? 0) + ms;
      if (!this.stagesSeen.has(stage)) {
        this.stagesSeen.add(stage);
        newStage = true;
      }
    }
    // A new stage adds a whole column: the panel needs it from the start.
    this.changed(version, newStage ? 0 : index);
    this.compactIfFull(version);
  }

  addTelemetry(sample: TelemetryEvent, version: number): void {
    const { bucket, index } = this.bucketAt(sample.t);
    bucket.telemetry++;
    bucket.systemCpuPctSum += sample.system.cpuPct;
    // No process seen means the sampler could not see the tree, not an idle run.
    if (sample.proc.processes > 0) {
      bucket.procSamples++;
      bucket.cpuPctSum += sample.proc.cpuPct;
      bucket.rssMaxBytes = maxOrNull(bucket.rssMaxBytes, sample.proc.rssBytes);
    }
    const utils = (sample.gpus ?? []).map((g) => g.utilPct).filter((v): v is number => v !== null);
    if (utils.length > 0) {
      // Several GPUs: their mean is "how busy are my GPUs" for one run (as in the summary).
      bucket.gpuUtilSamples++;
      bucket.gpuUtilPctSum += utils.reduce((a, b) => a + b, 0) / utils.length;
    }
    for (const gpu of sample.gpus ?? []) bucket.gpuMemMaxMiB = maxOrNull(bucket.gpuMemMaxMiB, gpu.memUsedMiB);
    this.changed(version, index);
    this.compactIfFull(version);
  }

  /** First index that changed after `version`, or null when nothing did. */
  changedSince(version: number): number | null {
    const entry = this.changes.find((c) => c.version > version);
    return entry ? entry.from : null;
  }

  /** The series from bucket `from` on. */
  columns(from = 0): PanelSeries {
    const part = this.buckets.slice(from);
    const stageShare: PanelSeries['stageShare'] = {};
    for (const stage of STAGE_NAMES) {
      // Over the bucket's staged steps: none staged, no share (an unstaged step's stages were not measured).
      if (this.stagesSeen.has(stage)) stageShare[stage] = part.map((b) => (b.stagedMs > 0 ? (b.stageMs[stage] ?? 0) / b.stagedMs : null));
    }
    return {
      tS: part.map((b) => b.startMs / 1000),
      batchesPerSec: part.map((b) => (b.steps > 0 && b.stepMs > 0 ? (b.steps / b.stepMs) * 1000 : null)),
      // As the summary's samples/s: a partial figure only where the steps without it were unstaged.
      samplesPerSec: part.map((b) => (b.steps > 0 && b.stepMs > 0 ? b.samples.perSec({ count: b.steps, ms: b.stepMs, stagedSteps: b.stagedSteps }) : null)),
      stageShare,
      gpuUtilPct: part.map((b) => (b.gpuUtilSamples > 0 ? b.gpuUtilPctSum / b.gpuUtilSamples : null)),
      gpuMemUsedMiB: part.map((b) => b.gpuMemMaxMiB),
      cpuPct: part.map((b) => (b.procSamples > 0 ? b.cpuPctSum / b.procSamples : null)),
      systemCpuPct: part.map((b) => (b.telemetry > 0 ? b.systemCpuPctSum / b.telemetry : null)),
      rssBytes: part.map((b) => b.rssMaxBytes),
    };
  }

  private bucketAt(tMs: number): { bucket: Bucket; index: number } {
    const last = this.buckets[this.buckets.length - 1];
    if (last && tMs >= last.startMs && tMs < last.startMs + last.widthMs) return { bucket: last, index: this.buckets.length - 1 };
    // Binary search for the first bucket that ends after tMs.
    let lo = 0;
    let hi = this.buckets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const b = this.buckets[mid] as Bucket;
      if (b.startMs + b.widthMs <= tMs) lo = mid + 1;
      else hi = mid;
    }
    const found = this.buckets[lo];
    if (found && found.startMs <= tMs) return { bucket: found, index: lo };
    // Not covered: a fresh 1 s bucket, clipped so it does not overlap its neighbours.
    const prev = this.buckets[lo - 1];
    let startMs = Math.floor(tMs / BUCKET_MS) * BUCKET_MS;
    if (prev) startMs = Math.max(startMs, prev.startMs + prev.widthMs);
    const endMs = Math.min(startMs + BUCKET_MS, found ? found.startMs : Infinity);
    const bucket = emptyBucket(startMs, endMs - startMs);
    this.buckets.splice(lo, 0, bucket);
    return { bucket, index: lo };
  }

  private changed(version: number, from: number): void {
    while (this.changes.length > 0 && (this.changes[this.changes.length - 1] as { from: number }).from >= from) this.changes.pop();
    this.changes.push({ version, from });
  }

  private compactIfFull(version: number): void {
    if (this.buckets.length <= this.maxBuckets) return;
    const half = Math.floor(this.buckets.length / 2) & ~1;
    const merged: Bucket[] = [];
    for (let i = 0; i < half; i += 2) merged.push(merge(this.buckets[i] as Bucket, this.buckets[i + 1] as Bucket));
    this.buckets = merged.concat(this.buckets.slice(half));
    this.changed(version, 0);
  }
}
