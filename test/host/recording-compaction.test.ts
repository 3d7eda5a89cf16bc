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
import { isStagedStep, sampleStages } from '../core/sampled-stages';
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

/**
 * Times to the µs, as runners send them: a row sums them to the ns, so its totals are then exact.
 * (Unrounded, a run with few staged steps loses 1e-9 of its stage shares to that rounding.)
 */
function toMicroseconds(events: RecordedEvent[]): RecordedEvent[] {
  const us = (ms: number) => Math.round(ms * 1000) / 1000;
  return events.map((event) => {
    if (event.type !== 'step') return event;
    const stages = Object.fromEntries(Object.entries(event.stages).map(([stage, ms]) => [stage, us(ms as number)]));
    const device = event.device ? Object.fromEntries(Object.entries(event.device).map(([stage, ms]) => [stage, us(ms as number)])) : event.device;
    return { ...event, t: us(event.t), ms: us(event.ms), stages, ...(device ? { device } : {}) };
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

  it('a run whose runner timed a sample of its steps comes back with its staged steps, stage figures and samples/s', () => {
    // 50 timed steps in every 1,000; a stall every 150, so some stalls were timed and some not.
    for (const keepCounts of [false, true]) {
      const live = toMicroseconds(sampleStages(withWarmupAndStalls(syntheticRun({ seconds: 30, stepsPerSec: 2000 }), 150), 50, 1000, keepCounts));
      const disk = throughDisk(live);
      assert.ok(disk.bytes < MB / 2, `${disk.bytes} bytes`);
      assert.ok(fs.readFileSync(path.join(disk.writer.dir, EVENTS_FILE), 'utf8').includes('"staged":{'), 'rows say how many of their steps were staged');
      const [liveSteps, rebuilt] = [stepsOf(live), stepsOf(disk.events)];
      assert.deepEqual(rebuilt.map((s) => s.index), liveSteps.map((s) => s.index));
      assert.equal(rebuilt.filter(isStagedStep).length, liveSteps.filter(isStagedStep).length, 'as many staged steps');
      const stagedMs = (steps: StepEvent[]) => steps.filter(isStagedStep).reduce((a, s) => a + s.ms, 0);
      assert.ok(Math.abs(stagedMs(rebuilt) - stagedMs(liveSteps)) < 1e-6 * stagedMs(liveSteps), 'their time');
      const liveSummary = summaryOf(live);
      // The figures against the staged steps themselves, not only the rebuilt run against the live one.
      const steady = liveSteps.slice(liveSummary.warmupSteps).filter(isStagedStep);
      const dataShare = steady.reduce((a, s) => a + (s.stages.data ?? 0), 0) / steady.reduce((a, s) => a + s.ms, 0);
      assert.ok(Math.abs((liveSummary.stages.data?.share ?? 0) - dataShare) < 1e-9, `data share ${liveSummary.stages.data?.share} vs ${dataShare}`);
      assert.equal(liveSummary.stagedSteps, steady.length);
      assert.ok(liveSummary.throughput.samplesPerSec !== null);
      assert.ok(liveSummary.findings.some((f) => f.code === 'periodic-stall'), 'the stalls make a finding to compare');
      assertSummariesMatch(summaryOf(disk.events), liveSummary);
    }
  });

  it('a row of timed steps is written as before, without a staged part; a staged part that counts more steps than its row is refused', () => {
    const disk = throughDisk(syntheticRun({ seconds: 3, stepsPerSec: 2000 }));
    const text = fs.readFileSync(path.join(disk.writer.dir, EVENTS_FILE), 'utf8');
    assert.ok(text.includes('"type":"steps"') && !text.includes('"staged"'));
    const row = { type: 'steps', first: 0, last: 9, count: 4, t: 0, endT: 4, ms: 4, stages: {}, device: {}, fields: {}, hist: { ms: { zero: 0, from: 0, counts: [4] }, stages: {} } };
    assert.ok(decodeRecordedLine(JSON.stringify({ ...row, staged: { count: 1, ms: 1, hist: { zero: 0, from: 0, counts: [1] } } })));
    assert.equal(decodeRecordedLine(JSON.stringify({ ...row, staged: { count: 5, ms: 1, hist: { zero: 0, from: 0, counts: [1] } } })), undefined);
    assert.equal(decodeRecordedLine(JSON.stringify({ ...row, staged: { count: 1, ms: 1, hist: { zero: 0, from: 0, counts: [2] } } })), undefined);
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
