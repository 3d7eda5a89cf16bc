/**
 * Findings fixtures: a recorded event stream (as in events.jsonl) plus the source files it points
 * into and the cores the run had. Facts are built as a real run's are, every event through the
 * aggregator, so summary, steps and telemetry always agree.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RunAggregator } from '../../src/core/aggregator';
import type { RunFacts } from '../../src/core/findings';
import type { RecordedEvent } from '../../src/protocol/recording';

interface FactsFixture {
  /** What the run does and which findings are its ground truth. */
  description: string;
  cores: number;
  /** Source files by absolute path, one string per line. */
  sources: Record<string, string[]>;
  events: RecordedEvent[];
}

const DIR = path.join(__dirname, '..', 'fixtures', 'findings');

export function loadFacts(name: string): RunFacts {
  const fixture = JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as FactsFixture;
  const aggregator = new RunAggregator();
  for (const event of fixture.events) aggregator.add(event);
  return {
    summary: aggregator.summary(`/w/.trainlens/runs/${name}`),
    steps: aggregator.steps,
    telemetry: aggregator.telemetrySamples,
    cores: fixture.cores,
    sourceLines: (file, line) => fixture.sources[file]?.[line - 1],
  };
}

/** Fresh facts with one thing changed, e.g. a share moved across a threshold. */
export function factsWith(name: string, edit: (facts: RunFacts) => void): RunFacts {
  const facts = loadFacts(name);
  edit(facts);
  return facts;
}

/** Sets every GPU sample's utilisation. */
export function setGpuUtil(facts: RunFacts, utilPct: number): void {
  for (const sample of facts.telemetry) for (const gpu of sample.gpus ?? []) gpu.utilPct = utilPct;
}

/** Sets every GPU sample's memory used (nvidia-smi reports whole MiB). */
export function setGpuMemMiB(facts: RunFacts, usedMiB: number): void {
  for (const sample of facts.telemetry) for (const gpu of sample.gpus ?? []) gpu.memUsedMiB = usedMiB;
}

/** Source text with some lines replaced (1-based). */
export function patchSource(facts: RunFacts, file: string, lines: Record<number, string>): void {
  const original = facts.sourceLines;
  facts.sourceLines = (f, n) => (f === file && lines[n] !== undefined ? lines[n] : original?.(f, n));
}

export const FIXTURES = [
  'input-bound-cpu',
  'input-bound-sleeping',
  'input-bound-tfjs',
  'other-heavy-cpu',
  'optimizer-heavy-cpu',
  'gpu-underutilized-h100',
  'host-sync-a100',
  'mixed-precision-off-h100',
  'memory-pressure-4090',
  'worker-oversubscription-cpu',
  'warmup-compile',
  'periodic-stall-checkpoint',
  'well-tuned-cuda',
  'well-tuned-cpu',
] as const;
