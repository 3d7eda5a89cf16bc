/**
 * Bounded recordings: a fast run's steps go to disk as a few rows per second, and reading them
 * back gives the summary and findings the live run had. Event streams from test/panel's synthetic
 * run (a CUDA run with device timing, samples, line batches, telemetry), sped up, with stalls.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunAggregator } from '../../src/core/aggregator';
import type { RunSummary } from '../../src/core/summary';
import { findingsFor } from '../../src/host/analysis';
import { decodeRecordedLine } from '../../src/host/recording/recorded-line';
import { readRecording } from '../../src/host/recording/recording-reader';
import { EVENTS_FILE, RecordingWriter } from '../../src/host/recording/recording-writer';
import { FIRST_STEPS } from '../../src/host/recording/step-compactor';
import { SUMMED_STEP_FIELDS } from '../../src/host/recording/steps-row';
import type { StepEvent } from '../../src/protocol/events';
import type { RecordedEvent } from '../../src/protocol/recording';
import { syntheticRun } from '../panel/synthetic-run';
import { assertSummariesMatch } from './summary-match';

const MB = 1024 * 1024;

function summaryOf(events: readonly RecordedEvent[]): RunSummary {
  const aggregator = new RunAggregator();
  for (const event of events) aggregator.add(event);
  const summary = aggregator.summary('run');
  summary.findings = findingsFor(aggregator, summary);
  return summary;
}

/** Written by the real writer, read by the real reader; `open` leaves the writer as a kill -9 would. */
function throughDisk(events: readonly RecordedEvent[], open = false): { events: RecordedEvent[]; bytes: number; writer: RecordingWriter } {
  const writer = RecordingWriter.create(fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-compaction-')), 'train.py');
  writer.append(events);
  if (!open) writer.close();
  return { events: readRecording(writer.dir).events, bytes: fs.statSync(path.join(writer.dir, EVENTS_FILE)).size, writer };
}

const stepsOf = (events: readonly RecordedEvent[]): StepEvent[] => events.filter((e): e is StepEvent => e.type === 'step');

/** Slow first steps (warm-up) and a stall every `every` steps, spent in the data stage. */
function withWarmupAndStalls(events: RecordedEvent[], every: number): RecordedEvent[] {
  return events.map((event) => {
    if (event.type !== 'step') return event;
    const extra = event.index < 40 ? 3 * event.ms : event.index % every === 0 ? 12 * event.ms : 0;
    return { ...event, ms: event.ms + extra, stages: { ...event.stages, data: (event.stages.data ?? 0) + extra } };
  });
}

describe('bounded recordings', () => {
  it('a minute at 2,000 steps/s stays under 1 MB, and its summary and findings come back as the live run had them', () => {
    const live = withWarmupAndStalls(syntheticRun({ seconds: 60, stepsPerSec: 2000 }), 150);
    const disk = throughDisk(live);
    assert.ok(disk.bytes < MB, `${disk.bytes} bytes`);
    const steps = stepsOf(live);
    assert.equal(stepsOf(disk.events).length, steps.length);
    assert.deepEqual(stepsOf(disk.events).map((s) => s.index), steps.map((s) => s.index));
    const liveSummary = summaryOf(live);
    assert.ok(liveSummary.findings.some((f) => f.code === 'periodic-stall'), 'the stalls make a finding to compare');
    assert.ok(liveSummary.warmupSteps > 0);
    assertSummariesMatch(summaryOf(disk.events), liveSummary);
  });

  it('every stall keeps its own row, so the rebuilt steps have it at its index with its times', () => {
    const live = withWarmupAndStalls(syntheticRun({ seconds: 10, stepsPerSec: 2000 }), 100);
    const rebuilt = new Map(stepsOf(throughDisk(live).events).map((s) => [s.index, s]));
    for (const stall of stepsOf(live).filter((s) => s.index >= FIRST_STEPS && s.index % 100 === 0)) {
      assert.deepEqual(rebuilt.get(stall.index), stall);
    }
  });

  it('a run of up to 10 steps a second is recorded step by step, as before', () => {
    const live = syntheticRun({ seconds: 150, stepsPerSec: 10 });
    const disk = throughDisk(live);
    assert.deepEqual(stepsOf(disk.events), stepsOf(live));
    assert.equal(fs.readFileSync(path.join(disk.writer.dir, EVENTS_FILE), 'utf8').includes('"type":"steps"'), false);
  });

  it("keeps every optional numeric field of the wire's step (samples, tokens, …): its sum and which steps had it", () => {
    const live = syntheticRun({ seconds: 5, stepsPerSec: 2000 }).map((event, i) => {
      if (event.type !== 'step') return event;
      const fields = Object.fromEntries(SUMMED_STEP_FIELDS.map((field, f) => [field, (i + f) % 3 === 0 ? null : (i % 7) + f + 1]));
      return { ...event, ...fields };
    });
    const rebuilt = stepsOf(throughDisk(live).events);
    for (const field of SUMMED_STEP_FIELDS) {
      const values = (steps: StepEvent[]) => steps.map((s) => (s as unknown as Record<string, number | null | undefined>)[field]).filter((v): v is number => typeof v === 'number');
      assert.equal(values(rebuilt).length, values(stepsOf(live)).length, field);
      const sum = (steps: StepEvent[]) => values(steps).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum(rebuilt) - sum(stepsOf(live))) <= 1e-9 * sum(stepsOf(live)), `${field}: ${sum(rebuilt)} vs ${sum(stepsOf(live))}`);
    }
  });

  it('after a kill -9 of the host, every second already closed is on disk; the open one follows within 1.5 s', async () => {
    const live = syntheticRun({ seconds: 6, stepsPerSec: 2000, exit: false });
    const cut = live.findIndex((e) => e.type === 'step' && e.t + e.ms >= 4000);
    const disk = throughDisk(live.slice(0, cut), true);
    const written = stepsOf(disk.events);
    const closed = stepsOf(live.slice(0, cut)).filter((s) => s.t + s.ms < 3000);
    assert.ok(written.length >= closed.length, `${written.length} of ${closed.length} steps of closed seconds`);
    assert.deepEqual(written.slice(0, closed.length).map((s) => s.index), closed.map((s) => s.index));
    await new Promise((resolve) => setTimeout(resolve, 2100));
    assert.equal(stepsOf(readRecording(disk.writer.dir).events).length, stepsOf(live.slice(0, cut)).length);
    disk.writer.close();
  });

  it('a recording of format 1 (a row per step, however fast) opens as it did', () => {
    const events = syntheticRun({ seconds: 2, stepsPerSec: 2000 });
    assert.equal(events[0]?.type === 'run' && events[0].format, 1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-format-1-'));
    fs.writeFileSync(path.join(dir, EVENTS_FILE), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    assert.deepEqual(readRecording(dir).events, events);
  });

  it('a steps row that would stand for more steps than it counts is refused as unreadable', () => {
    const row = { type: 'steps', first: 0, last: 9, count: 2, t: 0, endT: 2, ms: 2, stages: {}, device: {}, fields: {}, hist: { ms: { zero: 0, from: 0, counts: [3] }, stages: {} } };
    assert.equal(decodeRecordedLine(JSON.stringify(row)), undefined);
    assert.ok(decodeRecordedLine(JSON.stringify({ ...row, hist: { ms: { zero: 0, from: 0, counts: [2] }, stages: {} } })));
  });
});
