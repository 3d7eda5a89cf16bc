/**
 * Line samples aggregated per file:line, with per-stage weights and the heaviest call path.
 *
 * A sample's weight is the wall time it stands for: its entry's `ms` (the Python runner's signal
 * sampler weights each sample by the time since the one before), so shares are of wall time.
 * Recordings whose entries carry no `ms` are weighed by sample count, as they were recorded.
 * Start-up (samples before the first training step) is its own phase: once a run has samples
 * from steps, start-up lines are kept out of the hot lines and their shares, and reported apart.
 */
import type { LinesEvent, SampleStage } from '../protocol/events';
import type { HotLine, StartupLine, StartupSummary } from './summary';

/**
 * Distinct call paths kept per line, the first ones seen; the rest are counted but not remembered.
 * The recording writer keeps the same ones (lines-coalescer.ts), so a rebuilt profile is the same.
 */
export const MAX_PATHS_PER_LINE = 16;
/** Start-up lines a summary names. */
const STARTUP_LINES = 5;

interface Weight {
  count: number;
  /** Measured wall time, or for entries without `ms` one batch period per sample (events.ts). */
  ms: number;
}

interface LineWeights {
  file: string;
  line: number;
  fn: string | null;
  stages: Map<SampleStage, Weight>;
  /** Call path -> weight, over the stages a hot line counts. */
  paths: Map<string, Map<SampleStage, number>>;
}

export class LineProfile {
  private readonly byLine = new Map<string, LineWeights>();
  /** Every sample, with or without a user frame, as the runner counted them. */
  totalSamples = 0;
  /** Wall time the batches cover. */
  private periodMs = 0;
  /** Any entry carried `ms`: weights and shares are wall time, not sample counts. */
  private timed = false;
  private readonly startupWeight: Weight = { count: 0, ms: 0 };
  /** Any sample was taken after the first step started. */
  private pastStartup = false;

  add(batch: LinesEvent): void {
    this.totalSamples += batch.samples;
    this.periodMs += batch.periodMs;
    const periodPerSample = batch.samples > 0 ? batch.periodMs / batch.samples : 0;
    for (const entry of batch.entries) {
      const key = `${entry.file}\0${entry.line}`;
      let line = this.byLine.get(key);
      if (!line) {
        line = { file: entry.file, line: entry.line, fn: entry.fn ?? null, stages: new Map(), paths: new Map() };
        this.byLine.set(key, line);
      }
      this.timed ||= entry.ms !== undefined;
      const ms = entry.ms ?? entry.count * periodPerSample;
      addTo(line.stages, entry.stage, entry.count, ms);
      if (entry.stage === 'startup') {
        this.startupWeight.count += entry.count;
        this.startupWeight.ms += ms;
      } else {
        this.pastStartup = true;
      }
      const path = (entry.path ?? []).join('\n');
      const byStage = line.paths.get(path) ?? (line.paths.size < MAX_PATHS_PER_LINE ? new Map<SampleStage, number>() : undefined);
      if (byStage) {
        byStage.set(entry.stage, (byStage.get(entry.stage) ?? 0) + (entry.ms ?? entry.count));
        line.paths.set(path, byStage);
      }
    }
  }

  /** Lines by weight, heaviest first; start-up left out once the run has samples from steps. */
  hotLines(limit: number): HotLine[] {
    const total = this.timed ? this.periodMs - (this.pastStartup ? this.startupWeight.ms : 0) : this.totalSamples - (this.pastStartup ? this.startupWeight.count : 0);
    const lines = [...this.byLine.values()].flatMap((line) => {
      const hot = this.toHotLine(line, total);
      return hot ? [hot] : [];
    });
    lines.sort((a, b) => this.weightOf(b) - this.weightOf(a) || a.file.localeCompare(b.file) || a.line - b.line);
    return lines.slice(0, limit);
  }

  /** Start-up as its own phase: `firstStepMs` (the first step's start on the runner's clock) and
   * the lines that took most of it; null before any step. */
  startup(firstStepMs: number | null): StartupSummary | null {
    if (firstStepMs === null) return null;
    const lines: StartupLine[] = [];
    for (const line of this.byLine.values()) {
      const weight = line.stages.get('startup');
      if (weight) lines.push({ file: line.file, line: line.line, fn: line.fn, ms: weight.ms, code: null });
    }
    lines.sort((a, b) => b.ms - a.ms || a.file.localeCompare(b.file) || a.line - b.line);
    return { ms: firstStepMs, lines: lines.slice(0, STARTUP_LINES) };
  }

  private counts(stage: SampleStage): boolean {
    return stage !== 'startup' || !this.pastStartup;
  }

  private weightOf(line: HotLine): number {
    return this.timed ? (line.ms ?? 0) : line.samples;
  }

  private toHotLine(line: LineWeights, total: number): HotLine | undefined {
    const counted = [...line.stages].filter(([stage]) => this.counts(stage));
    const samples = counted.reduce((n, [, w]) => n + w.count, 0);
    const ms = counted.reduce((n, [, w]) => n + w.ms, 0);
    const weight = this.timed ? ms : samples;
    if (samples === 0 || weight <= 0) return undefined;
    let stage: SampleStage = 'none';
    let heaviest = -1;
    const stageShares: Partial<Record<SampleStage, number>> = {};
    for (const [name, w] of counted) {
      const stageWeight = this.timed ? w.ms : w.count;
      stageShares[name] = stageWeight / weight;
      if (stageWeight > heaviest) [stage, heaviest] = [name, stageWeight];
    }
    let path = '';
    let pathWeight = -1;
    for (const [p, byStage] of line.paths) {
      const w = [...byStage].reduce((n, [name, v]) => n + (this.counts(name) ? v : 0), 0);
      if (w > pathWeight) [path, pathWeight] = [p, w];
    }
    return {
      file: line.file,
      line: line.line,
      share: total > 0 ? weight / total : 0,
      samples,
      ms: this.timed ? ms : null,
      stage,
      stageShares,
      fn: line.fn,
      path: path ? path.split('\n') : [],
    };
  }
}

function addTo(stages: Map<SampleStage, Weight>, stage: SampleStage, count: number, ms: number): void {
  const weight = stages.get(stage);
  if (weight) {
    weight.count += count;
    weight.ms += ms;
  } else {
    stages.set(stage, { count, ms });
  }
}
