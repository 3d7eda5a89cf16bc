/** Line samples aggregated per file:line, with per-stage counts and the most frequent call path. */
import type { LinesEvent, SampleStage } from '../protocol/events';
import type { HotLine } from './summary';

/** Distinct call paths kept per line; the rest are counted but not remembered. */
const MAX_PATHS_PER_LINE = 16;

interface LineCounts {
  file: string;
  line: number;
  count: number;
  fn: string | null;
  stages: Map<SampleStage, number>;
  paths: Map<string, number>;
}

export class LineProfile {
  private readonly byLine = new Map<string, LineCounts>();
  totalSamples = 0;

  add(batch: LinesEvent): void {
    this.totalSamples += batch.samples;
    for (const entry of batch.entries) {
      const key = `${entry.file}\0${entry.line}`;
      let counts = this.byLine.get(key);
      if (!counts) {
        counts = { file: entry.file, line: entry.line, count: 0, fn: entry.fn ?? null, stages: new Map(), paths: new Map() };
        this.byLine.set(key, counts);
      }
      counts.count += entry.count;
      counts.stages.set(entry.stage, (counts.stages.get(entry.stage) ?? 0) + entry.count);
      const path = (entry.path ?? []).join('\n');
      if (counts.paths.has(path) || counts.paths.size < MAX_PATHS_PER_LINE) {
        counts.paths.set(path, (counts.paths.get(path) ?? 0) + entry.count);
      }
    }
  }

  /** Lines by sample count, highest first. */
  hotLines(limit: number): HotLine[] {
    const sorted = [...this.byLine.values()].sort((a, b) => b.count - a.count || a.file.localeCompare(b.file) || a.line - b.line);
    return sorted.slice(0, limit).map((c) => this.toHotLine(c));
  }

  private toHotLine(c: LineCounts): HotLine {
    let stage: SampleStage = 'none';
    let best = -1;
    const stageShares: Partial<Record<SampleStage, number>> = {};
    for (const [name, n] of c.stages) {
      stageShares[name] = n / c.count;
      if (n > best) [stage, best] = [name, n];
    }
    let path = '';
    let pathCount = -1;
    for (const [p, n] of c.paths) if (n > pathCount) [path, pathCount] = [p, n];
    return {
      file: c.file,
      line: c.line,
      share: this.totalSamples > 0 ? c.count / this.totalSamples : 0,
      samples: c.count,
      stage,
      stageShares,
      fn: c.fn,
      path: path ? path.split('\n') : [],
    };
  }
}
