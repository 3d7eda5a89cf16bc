/** Export of a real 2-rank DDP job (examples/pytorch/ddp_spawn.py, gloo on CPU): a track per rank on one clock. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { speedscopeProblems } from '../trace/speedscope-schema';
import { example, record, runCli, tempDir } from './cli-harness';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  cat?: string;
  args?: { name?: string };
}

describe('trainlens export: a distributed job', function () {
  this.timeout(180_000);
  let out: string;
  before(() => {
    out = tempDir('trainlens-export-ranks-');
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('a process per rank with its steps, the job\'s telemetry beside them; a speedscope profile per rank', () => {
    const run = record(example('pytorch', 'ddp_spawn.py'), ['--steps', '60'], { out });
    assert.equal(run.code, 0, run.stderr);
    const ranks = run.summary!.ranks!;
    assert.equal(ranks.length, 2);
    const file = path.join(out, 'job.trace.json');
    assert.equal(runCli(['export', run.summary!.recording, '--format', 'chrome-trace', '-o', file]).code, 0);
    const events = (JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
    const names = events.filter((e) => e.name === 'process_name').map((e) => e.args?.name);
    assert.deepEqual(names, ['rank 0: ddp_spawn.py', 'rank 1: ddp_spawn.py', 'ddp_spawn.py (job)']);
    for (const rank of ranks) {
      const steps = events.filter((e) => e.pid === rank.rank && e.cat === 'step');
      assert.equal(steps.length, rank.steps, `rank ${rank.rank}`);
    }
    // DDP keeps ranks in step: on one clock their steps start within a step or two of each other.
    const firstStart = (rank: number): number => Math.min(...events.filter((e) => e.pid === rank && e.cat === 'step').map((e) => e.ts));
    const stepUs = events.find((e) => e.pid === 0 && e.cat === 'step')!.dur!;
    assert.ok(Math.abs(firstStart(0) - firstStart(1)) < 3 * stepUs + 50_000, `${firstStart(0)} vs ${firstStart(1)}`);
    if ((run.summary!.telemetry?.samples ?? 0) > 0) assert.ok(events.some((e) => e.pid === 2 && e.ph === 'C'));

    const profile = path.join(out, 'job.speedscope.json');
    assert.equal(runCli(['export', run.summary!.recording, '--format', 'speedscope', '-o', profile]).code, 0);
    const speedscope = JSON.parse(fs.readFileSync(profile, 'utf8')) as { profiles: Array<{ name: string }> };
    assert.deepEqual(speedscopeProblems(speedscope), []);
    assert.deepEqual(speedscope.profiles.map((p) => p.name), ['rank 0: ddp_spawn.py', 'rank 1: ddp_spawn.py']);
  });
});
