/** Runs the findings engine on a run's aggregated events, with source text read from disk. */
import fs from 'node:fs';
import os from 'node:os';
import type { RunAggregator } from '../core/aggregator';
import { analyzeRun } from '../core/findings';
import type { SourceLines } from '../core/findings/facts';
import type { Finding } from '../core/findings/finding';
import type { RunSummary } from '../core/summary';

/** Source files larger than this are not read for findings (generated or data files). */
const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

/**
 * `sourceLines`: pass one reader for a run's repeated live analyses, so each source file is read
 * once per run rather than at every analysis; by default the files are read afresh.
 */
export function findingsFor(aggregator: RunAggregator, summary: RunSummary, sourceLines: SourceLines = cachedSourceLines()): Finding[] {
  return analyzeRun({
    summary,
    steps: aggregator.steps,
    keptGap: aggregator.stepsKeptGap,
    stepsMs: aggregator.stepsTotalMs,
    telemetry: aggregator.telemetrySamples,
    cores: availableCores(),
    sourceLines,
  });
}

export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** A line reader over files read once each; unreadable files read as absent. */
export function cachedSourceLines(): SourceLines {
  const files = new Map<string, string[] | undefined>();
  return (file, line) => {
    if (!files.has(file)) files.set(file, readLines(file));
    return files.get(file)?.[line - 1];
  };
}

function readLines(file: string): string[] | undefined {
  try {
    if (fs.statSync(file).size > MAX_SOURCE_BYTES) return undefined;
    return fs.readFileSync(file, 'utf8').split(/\r?\n/);
  } catch {
    return undefined;
  }
}
