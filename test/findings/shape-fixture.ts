/**
 * Loop-shape fixtures: a run's events.jsonl as the Python runner and the host record it, next to the
 * script it ran (train.py, whose events name it /w/train.py). Each runner event is checked against
 * the protocol as it is read, so a fixture cannot drift from the contract. Facts are built as a real
 * run's are: every event through the aggregator.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RunAggregator } from '../../src/core/aggregator';
import { analyzeRun, type RunFacts } from '../../src/core/findings';
import type { RunSummary } from '../../src/core/summary';
import { decodeRunnerEvent, isRunnerEventType } from '../../src/protocol/decode';
import type { HardwareEvent, RecordedEvent } from '../../src/protocol/recording';

const DIR = path.join(__dirname, '..', 'fixtures', 'findings', 'loop-shapes');
/** Where the fixtures' events say the run's files are. */
const RUN_DIR = '/w/';

export const SHAPES = ['lbfgs-closure', 'gan-two-optimizers', 'grad-accumulation-tokens', 'manual-update', 'no-anchor', 'eval-passes'] as const;
export type Shape = (typeof SHAPES)[number];

export interface ShapeRun {
  events: RecordedEvent[];
  facts: RunFacts;
  /** The summary with its findings, as `trainlens record` writes it. */
  summary: RunSummary;
}

export function shapeEvents(shape: Shape): RecordedEvent[] {
  const text = readFileSync(path.join(DIR, shape, 'events.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const value = JSON.parse(line) as RecordedEvent;
      if (isRunnerEventType(value.type)) {
        const decoded = decodeRunnerEvent(value);
        if (!decoded.ok) throw new Error(`${shape} line ${i + 1}: ${decoded.reason} ${decoded.detail}`);
      }
      return value;
    });
}

/** `events`: the shape's events, or a variant of them (an older runner's, a cut-off run). */
export function loadShape(shape: Shape, events: RecordedEvent[] = shapeEvents(shape)): ShapeRun {
  const aggregator = new RunAggregator();
  for (const event of events) aggregator.add(event);
  const hardware = events.find((e): e is HardwareEvent => e.type === 'hardware');
  const sources = new Map<string, string[]>();
  const facts: RunFacts = {
    summary: aggregator.summary(`/w/.trainlens/runs/${shape}`),
    steps: aggregator.steps,
    telemetry: aggregator.telemetrySamples,
    cores: hardware?.cpu.logicalCores ?? 1,
    sourceLines: (file, line) => {
      if (!file.startsWith(RUN_DIR)) return undefined;
      if (!sources.has(file)) sources.set(file, readSource(path.join(DIR, shape, file.slice(RUN_DIR.length))));
      return sources.get(file)?.[line - 1];
    },
  };
  return { events, facts, summary: { ...facts.summary, findings: analyzeRun(facts) } };
}

function readSource(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch {
    return [];
  }
}
