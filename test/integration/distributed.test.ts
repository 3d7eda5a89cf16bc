/**
 * Real 2-rank gloo jobs on 127.0.0.1 (examples/pytorch/ddp_spawn.py): ranks from
 * torch.multiprocessing.spawn under one `trainlens record`, and two "nodes" (one `trainlens record`
 * per rank, RANK/WORLD_SIZE set) merged. Every figure is checked against what each rank clocked
 * itself (its own SCRIPT_RESULT line), never against a constant.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { StepEvent } from '../../src/protocol/events';
import type { RankSummary } from '../../src/core/ranks';
import type { RunSummary } from '../../src/core/summary';
import { RunView } from '../../src/core/view/run-view';
import { statusText, summaryStatusInput } from '../../src/core/editor-view/status-model';
import { CLI, REPO, TORCH_PYTHON, example, parseSummary, processesMentioning, record, runCli, startCli, tempDir, waitFor } from './cli-harness';
import { allProcesses } from '../processes';
import type { ScriptResult } from '../script-result';
import { within } from '../within';

const SCRIPT = example('pytorch', 'ddp_spawn.py');
/** Steps per rank: a few seconds on this machine, still dozens of steps' worth on a 3x faster one. */
const STEPS = '150';
/** Rank 1's extra work per forward: many times the base step's own forward. 40 products once gave
 * both ranks waiting alike (~6.5 ms a 13 ms step) and no straggler in a clean-clone run; 80 once
 * gave a middle third of the run where both waited 12-15 ms a 24 ms step in the all-reduce and rank
 * 0's own work (10-12 ms) read longer than rank 1's (9 ms), so rank 1 was slower in 61% of the steps
 * (93-100% in the rest), under the rule's three in four. 160 keeps the gap above that noise. */
const SLOW = ['--slow-rank', '1', '--extra-products', '160'];

describe('trainlens record: distributed PyTorch (2 gloo ranks)', function () {
  this.timeout(180_000);
  const made: Record<string, RunSummary> = {};

  it("spawned ranks: each rank's steps exact and batches/s within 10% of its own; straggler names the slow rank; the waiting rank's wait is measured", () => {
    const run = record(SCRIPT, ['--steps', STEPS, ...SLOW]);
    assert.equal(run.code, 0, run.stderr);
    const s = run.summary!;
    made.spawned = s;
    assert.equal(s.status, 'completed');
    checkJob(s, ownResults(run.stderr + run.stdout));
  });

  it('explicit torch.distributed.all_reduce instead of DDP: the same figures, the wait timed in the collective itself', () => {
    const run = record(SCRIPT, ['--steps', STEPS, ...SLOW, '--explicit-all-reduce']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.summary!.status, 'completed');
    checkJob(run.summary!, ownResults(run.stderr + run.stdout));
  });

  it("uneven batches: the finding gives each rank's samples per step as the ranks printed them", () => {
    const run = record(SCRIPT, ['--steps', '80', '--uneven']);
    assert.equal(run.code, 0, run.stderr);
    const own = ownResults(run.stderr + run.stdout);
    const finding = run.summary!.findings.find((f) => f.code === 'uneven-batches');
    assert.ok(finding, run.summary!.findings.map((f) => f.code).join());
    assert.match(finding.message, new RegExp(`rank 0: ${own.get(0)!.batchSize}, rank 1: ${own.get(1)!.batchSize}`));
  });

  it('two nodes (one `trainlens record` per rank, RANK/WORLD_SIZE set), merged: the same figures', async () => {
    const port = await freePort();
    const outs = [tempDir(), tempDir()];
    const nodes = await Promise.all(
      [0, 1].map((rank) =>
        runNode(['record', '--json', '--out', outs[rank]!, '--', TORCH_PYTHON, SCRIPT, '--steps', STEPS, ...SLOW], {
          ...process.env,
          RANK: String(rank),
          WORLD_SIZE: '2',
          MASTER_ADDR: '127.0.0.1',
          MASTER_PORT: String(port),
        }),
      ),
    );
    for (const node of nodes) assert.equal(node.code, 0, node.stderr);
    const own = ownResults(nodes.map((n) => n.stderr + n.stdout).join('\n'));
    // Each node's own recording holds its one rank.
    nodes.forEach((node, rank) => assert.deepEqual(parseSummary(node.stdout)?.ranks?.map((r) => r.rank), [rank]));
    const out = tempDir();
    const merged = runCli(['merge', '--json', '--out', out, ...outs.map(onlyRun)]);
    assert.equal(merged.code, 0, merged.stderr);
    const s = JSON.parse(merged.stdout) as RunSummary;
    made.nodes = s;
    assert.equal(s.status, 'completed');
    checkJob(s, own);
    // What merge wrote is an ordinary recording: report reads it back the same, and the panel shows its ranks.
    const report = runCli(['report', '--json', s.recording]);
    assert.deepEqual((JSON.parse(report.stdout) as RunSummary).ranks, s.ranks);
    const view = new RunView('ddp_spawn.py');
    view.setSummary(s);
    const rows = view.snapshot().view.tables.headline.ranks!;
    assert.deepEqual(rows.map((r) => [r.rank, r.steps]), s.ranks!.map((r) => [`${r.rank}/2`, String(r.steps)]));
    assert.match(statusText(summaryStatusInput('done', 'ddp_spawn.py', s)), / batch\/s · 2 ranks/);
  });

  it('merge refuses recordings of different jobs, saying why', function () {
    if (!made.spawned || !made.nodes) this.skip();
    const refused = runCli(['merge', made.spawned!.recording, made.nodes!.ranks![0]!.recording.replace(/\/ranks\/.*$/, '')]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /cannot merge: (not one job|rank \d is in both)/);
  });

  it("a crashing rank fails the run with its own error location; every rank's steps before it are kept", () => {
    const run = record(SCRIPT, ['--steps', '200', '--crash-rank', '1', '--crash-at', '20']);
    assert.notEqual(run.code, 0);
    const s = run.summary!;
    assert.equal(s.status, 'failed');
    assert.equal(path.basename(s.error!.file!), 'ddp_spawn.py');
    assert.match(lineOf(s.error!.file!, s.error!.line!), /raise RuntimeError\("rank %d crashed/);
    const [rank0, rank1] = s.ranks!;
    assert.equal(rank1!.status, 'failed');
    assert.equal(rank1!.steps, 20);
    // Rank 0 waits in step 20's all-reduce for rank 1, which never comes.
    assert.equal(rank0!.steps, 20);
  });

  it('spawn-context DataLoader workers carry the spawn bootstrap but never initialise a process group: no ranks, the loop recorded as before', () => {
    const run = record(path.join(REPO, 'test', 'python', 'scripts', 'parallel_loader.py'), ['--steps', '60', '--workers', '2', '--mp-context', 'spawn']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.summary!.status, 'completed');
    assert.equal(run.summary!.ranks, undefined);
    assert.equal(run.summary!.steps, run.scriptResult!.steps);
    assert.doesNotMatch(run.stderr, /instrumentation disabled/);
  });

  it('Ctrl+C stops every rank and its DataLoader workers (forked: workers, not ranks), none alive after 5 s; the ranks keep their steps', async () => {
    const out = tempDir();
    const cli = startCli(['record', '--json', '--out', out, '--', TORCH_PYTHON, SCRIPT, '--steps', '100000', '--workers', '2']);
    let stdout = '';
    cli.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve((exitCode = code))));
    try {
      assert.ok(await waitFor(() => rankSteps(out).length === 2 && rankSteps(out).every((n) => n >= 5), 90_000), 'both ranks recorded steps');
      const ranks = rankPids(out);
      const workers = allProcesses().filter((p) => ranks.includes(p.ppid) && p.state !== 'Z' && !p.cmdline.includes('resource_tracker'));
      assert.ok(workers.length >= 4, `2 workers per rank: ${workers.map((w) => w.cmdline)}`);
      const pids = [...processesMentioning(SCRIPT), ...ranks, ...workers.map((w) => w.pid)];
      cli.kill('SIGINT');
      assert.equal(await exited, 130);
      assert.ok(await waitFor(() => alive(pids).length === 0, 5000), `alive: ${alive(pids)}`);
    } finally {
      // A failure above must not leave a job of 100,000 steps running under the rest of the suite
      // (a clean-clone run once slowed every later test into timeouts that way).
      if (exitCode === undefined) cli.kill('SIGKILL');
      const job = new Set([...processesMentioning(SCRIPT), ...rankPids(out)]);
      for (const p of allProcesses()) if (job.has(p.ppid)) job.add(p.pid);
      for (const pid of job) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    }
    const s = parseSummary(stdout)!;
    assert.equal(s.status, 'stopped');
    assert.equal(s.ranks!.length, 2);
    for (const rank of s.ranks!) assert.ok(rank.steps >= 5, `rank ${rank.rank}: ${rank.steps} steps`);
  });
});

/** The job's checks, on a summary from `record` (spawned) or `merge` (nodes). */
function checkJob(s: RunSummary, own: Map<number, ScriptResult>): void {
  assert.deepEqual(
    s.ranks!.map((r) => r.rank),
    [0, 1],
  );
  for (const rank of s.ranks!) {
    const mine = own.get(rank.rank)!;
    assert.ok(mine, `rank ${rank.rank} printed its own figures`);
    assert.equal(rank.steps, mine.steps, `rank ${rank.rank}'s steps`);
    within(rank.throughput.batchesPerSec!, ownSteadyRate(mine, rank.warmupSteps), 0.1);
  }
  // The job's pace is its slowest rank's; its samples/s are both ranks' together.
  assert.equal(s.throughput.batchesPerSec, Math.min(...s.ranks!.map((r) => r.throughput.batchesPerSec!)));
  within(s.throughput.samplesPerSec!, s.ranks!.reduce((a, r) => a + r.throughput.samplesPerSec!, 0), 1e-9);
  const straggler = s.findings.find((f) => f.code === 'straggler');
  // What the rule compared, should it stay silent: it did once in a clean-clone run of the whole suite,
  // never in 8 runs of this test alone (3 of them beside `yes`), with the slow rank 1.3-3x the other.
  const compared = s.ranks!.map((r) => ({
    rank: r.rank,
    steps: r.steps,
    warmup: r.warmupSteps,
    communication: r.communication,
    ownForwardMs: own.get(r.rank)?.forwardMsMedian,
    ownBackwardMs: own.get(r.rank)?.backwardMsMedian,
  }));
  assert.ok(straggler, `straggler fires: ${s.findings.map((f) => f.code)}; ranks ${JSON.stringify(compared)}`);
  assert.equal(straggler.evidence.rank, 1, straggler.message);
  assert.match(straggler.message, /goes to forward/);
  assert.match(lineOf(straggler.locations[0]!.file, straggler.locations[0]!.line), /SLOW RANK/);
  // The waiting rank's wait: at least half the slow rank's extra forward time (by the ranks' own
  // clocks) and no more than its own backward call, which holds it.
  const [fast, slow] = [own.get(0)!, own.get(1)!];
  const waitMs = medianExposedMs(s.ranks![0]!);
  assert.ok(waitMs >= 0.5 * ((slow.forwardMsMedian as number) - (fast.forwardMsMedian as number)), `rank 0 waits ${waitMs} ms`);
  assert.ok(waitMs <= (fast.backwardMsMedian as number) * 1.1 + 0.5, `rank 0 waits ${waitMs} ms of a ${fast.backwardMsMedian} ms backward`);
  assert.ok(s.ranks![0]!.communication!.exposedShare > s.ranks![1]!.communication!.exposedShare);
}

/** Every SCRIPT_RESULT line, by the rank that printed it. */
function ownResults(output: string): Map<number, ScriptResult> {
  const results = new Map<number, ScriptResult>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('SCRIPT_RESULT ')) continue;
    const result = JSON.parse(line.slice('SCRIPT_RESULT '.length)) as ScriptResult;
    results.set(result.rank as number, result);
  }
  return results;
}

/** As pytorch-record.test.ts: the script's own rate over the steps the summary counts as steady. */
function ownSteadyRate(own: ScriptResult, warmupSteps: number): number {
  const stepMs = own.stepMs!.slice(Math.max(warmupSteps, 1) - 1);
  return (stepMs.length / stepMs.reduce((sum, ms) => sum + ms, 0)) * 1000;
}

function medianExposedMs(rank: RankSummary): number {
  const steps = (rankEvents(rank.recording).filter((e) => e.type === 'step') as unknown as StepEvent[]).slice(rank.warmupSteps);
  const exposed = steps.map((s) => s.commExposedMs ?? 0).sort((a, b) => a - b);
  return exposed[Math.floor(exposed.length / 2)] ?? 0;
}

function rankEvents(dir: string): Array<{ type: string } & Record<string, unknown>> {
  return fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string });
}

function rankDirs(out: string): string[] {
  const run = fs.readdirSync(out)[0];
  const ranks = run ? path.join(out, run, 'ranks') : '';
  return run && fs.existsSync(ranks) ? fs.readdirSync(ranks).map((r) => path.join(ranks, r)) : [];
}

function rankSteps(out: string): number[] {
  return rankDirs(out).map((dir) => rankEvents(dir).filter((e) => e.type === 'step').length);
}

function rankPids(out: string): number[] {
  return rankDirs(out).flatMap((dir) => rankEvents(dir).filter((e) => e.type === 'hello').map((e) => e.pid as number));
}

function alive(pids: readonly number[]): number[] {
  const running = new Set(allProcesses().filter((p) => p.state !== 'Z').map((p) => p.pid));
  return pids.filter((pid) => running.has(pid));
}

function onlyRun(out: string): string {
  return path.join(out, fs.readdirSync(out)[0]!);
}

function lineOf(file: string, line: number): string {
  return fs.readFileSync(file, 'utf8').split('\n')[line - 1] ?? '';
}

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
