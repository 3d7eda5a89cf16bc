/**
 * A real torch.profiler trace, made in the test, imported; and a TrainLens recording of the same
 * script exported. The script (test/trace/scripts/profiled_loop.py) trains with a DataLoader whose
 * loading waits, once under torch.profiler (a schedule, prof.step() each step) and once under
 * `trainlens record`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../../src/core/summary';
import { speedscopeProblems } from '../trace/speedscope-schema';
import { withinPoints } from '../within';
import { REPO, TORCH_PYTHON, record, runCli, tempDir } from './cli-harness';

const SCRIPT = path.join(REPO, 'test', 'trace', 'scripts', 'profiled_loop.py');

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  cat?: string;
  args?: Record<string, number>;
}

describe('trainlens import: a torch.profiler trace made here; export of the same script recorded', function () {
  this.timeout(180_000);
  let out: string;
  let imported: RunSummary;
  let recorded: RunSummary;
  let profilerSteps: number;
  /** The data share read straight off the trace (the DataLoader's __next__ ranges over the
   * ProfilerStep ranges), and the script's own in the recorded run. */
  let ownShares: { trace: number; recorded: number };

  before(() => {
    out = tempDir('trainlens-trace-');
    const trace = path.join(out, 'profiled_loop.pt.trace.json');
    const profiled = spawnSync(TORCH_PYTHON, [SCRIPT, '--trace', trace], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(profiled.status, 0, profiled.stderr);
    // Counted here straight from the file: what torch.profiler wrote, whatever its layout.
    const document = JSON.parse(fs.readFileSync(trace, 'utf8')) as TraceEvent[] | { traceEvents: TraceEvent[] };
    const events = Array.isArray(document) ? document : document.traceEvents;
    const steps = events.filter((e) => e.ph === 'X' && /^ProfilerStep#\d+$/.test(e.name));
    profilerSteps = steps.length;
    const loading = events.filter((e) => e.ph === 'X' && /DataLoader.*__next__/.test(e.name));
    const totalUs = (list: TraceEvent[]) => list.reduce((sum, e) => sum + (e.dur ?? 0), 0);
    const traceShare = totalUs(loading) / totalUs(steps);
    const result = runCli(['import', trace, '--out', path.join(out, 'runs'), '--json']);
    assert.equal(result.code, 0, result.stderr);
    imported = JSON.parse(result.stdout) as RunSummary;
    const run = record(SCRIPT, [], { out: path.join(out, 'runs') });
    assert.equal(run.code, 0, run.stderr);
    recorded = run.summary!;
    const recordedOwn = run.scriptResult?.dataShare;
    assert.ok(recordedOwn !== undefined, 'the recorded script printed its own data share');
    ownShares = { trace: traceShare, recorded: recordedOwn };
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('one step per ProfilerStep#N range of the trace', () => {
    assert.ok(profilerSteps >= 50, `the trace holds ${profilerSteps} ProfilerStep ranges`);
    assert.equal(imported.steps, profilerSteps);
    assert.equal(imported.imported?.format, 'chrome-trace-array', 'Debian torch 1.13 (no Kineto) writes a bare event array');
  });

  // Each against its own run: two runs of the script differ on a busy machine (0.81 and 0.71 once,
  // the other core busy), so neither is the other's reference. The import's is the trace itself, not
  // the profiled script's clock: torch 1.13's profiler leaves its own time per step (~12 ms here)
  // out of the trace's ranges, which the script's clock counts as compute.
  it("the data share of the imported trace and of the recording, each within 0.1 of its own run's", () => {
    assert.ok(recorded.stages.data, 'the recording has a data stage');
    withinPoints(imported.stages.data!.share, ownShares.trace, 0.1);
    withinPoints(recorded.stages.data.share, ownShares.recorded, 0.1);
    for (const stage of ['forward', 'backward', 'optimizer'] as const) assert.ok(imported.stages[stage]!.ms > 0, stage);
    // The loader waits: both see an input-bound run.
    assert.ok(imported.findings.some((f) => f.code === 'input-bound'));
    process.stdout.write(`      steps: trace ${profilerSteps}, imported ${imported.steps}; data share imported ${imported.stages.data!.share.toFixed(3)} (the trace's ranges ${ownShares.trace.toFixed(3)}), recorded ${recorded.stages.data.share.toFixed(3)} (script's own ${ownShares.recorded.toFixed(3)})\n`);
  });

  it('export --format chrome-trace: steps and their stages as nested complete events, telemetry as counters', () => {
    const file = path.join(out, 'trace.json');
    const result = runCli(['export', recorded.recording, '--format', 'chrome-trace', '-o', file]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), file);
    const trace = JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[]; displayTimeUnit: string };
    const steps = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'step');
    assert.equal(steps.length, recorded.steps);
    // Siblings on one track never overlap (a viewer would show them misnested).
    steps.slice(1).forEach((step, i) => assert.ok(step.ts >= steps[i]!.ts + steps[i]!.dur!, `${step.name} starts after ${steps[i]!.name} ends`));
    for (const step of steps) {
      const stages = trace.traceEvents.filter((e) => e.cat === 'stage' && e.ts >= step.ts && e.ts < step.ts + step.dur!);
      assert.ok(stages.length >= 3, `${step.name} has its stages`);
      for (const stage of stages) assert.ok(stage.ts + stage.dur! <= step.ts + step.dur! + 1e-6, `${stage.name} nests in ${step.name}`);
      assert.equal(new Set(stages.map((s) => `${s.pid}/${s.tid}`)).size, 1);
    }
    assert.ok(trace.traceEvents.some((e) => e.ph === 'M' && e.name === 'thread_name'));
    if ((recorded.telemetry?.samples ?? 0) > 0) {
      const counters = trace.traceEvents.filter((e) => e.ph === 'C');
      assert.ok(counters.some((c) => c.name === 'CPU %' && typeof c.args?.process === 'number'));
      assert.ok(counters.some((c) => c.name === 'Memory MiB' && c.args!.rss! > 0));
    }
  });

  it('export --format speedscope: valid against the published schema, the script\'s lines as frames', () => {
    const file = path.join(out, 'profile.speedscope.json');
    const result = runCli(['export', recorded.recording, '--format', 'speedscope', '-o', file]);
    assert.equal(result.code, 0, result.stderr);
    const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { shared: { frames: Array<{ name: string; file?: string }> }; profiles: Array<{ weights: number[] }> };
    assert.deepEqual(speedscopeProblems(profile), []);
    assert.ok(profile.shared.frames.some((f) => f.file === SCRIPT), 'a frame is a line of the script');
    const sampledMs = profile.profiles[0]!.weights.reduce((a, b) => a + b, 0);
    assert.ok(sampledMs > 0);
  });
});
