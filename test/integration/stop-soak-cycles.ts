/**
 * One start/stop cycle of a PyTorch script with 4 DataLoader workers, stopped at a chosen moment,
 * through the CLI (SIGINT to `trainlens record`, as Ctrl+C does) or through the host API the
 * editor uses (RunSession.stop), and what it left behind: processes of its tree still alive, and
 * whether its recording reads back with status `stopped`. Shared by the stop-soak test (a few
 * cycles) and `npm run bench -- reliability` (100).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { RunSummary } from '../../src/core/summary';
import { readRecording } from '../../src/host/recording/recording-reader';
import { RunSession } from '../../src/host/run-session';
import { describe as describeProcesses, processTreeOf, survivors, type ProcessInfo } from '../processes';
import { CLI, REPO, tempDir, TORCH_PYTHON } from './cli-harness';

export type StopMoment = 'before-first-step' | 'worker-start-up' | 'mid-step' | 'during-exit';
export const STOP_MOMENTS: readonly StopMoment[] = ['before-first-step', 'worker-start-up', 'mid-step', 'during-exit'];
export type StopPath = 'cli' | 'host-api';

/**
 * Says where it is on stderr (the markers the cycle waits for); each sample "decodes" for 2 ms, so
 * 4 workers are busy from the first batch. `--tag` only marks the run's processes for /proc.
 */
export const SOAK_SCRIPT = `
import argparse, os, sys, time
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

def say(what):
    sys.stderr.write("SOAK %s\\n" % what)
    sys.stderr.flush()

class Slow(Dataset):
    def __len__(self):
        return 1 << 20
    def __getitem__(self, i):
        time.sleep(0.002)
        return torch.randn(16), torch.randn(1)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=100000)
    parser.add_argument("--tag", default="")
    args = parser.parse_args()
    model = nn.Linear(16, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loader = DataLoader(Slow(), batch_size=8, num_workers=4)
    say("workers starting")
    for step, (x, y) in enumerate(loader):
        if step >= args.steps:
            break
        loss = nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        say("step %d" % step)
    # From here the interpreter exits: the loader's iterator shuts its 4 workers down.
    say("done")

main()
`;

export interface CycleOutcome {
  path: StopPath;
  moment: StopMoment;
  /** Processes of the run still alive after it ended (should be none). */
  leftovers: ProcessInfo[];
  /** Why the recording did not read back as a stopped run; null when it did. */
  unreadable: string | null;
  status: string | null;
  /** Steps the recording holds: 0 when stopped before the first. */
  steps: number | null;
  /** From the stop request to the run's end. */
  stopMs: number;
}

/** A seeded generator, so a failing cycle can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

export function writeSoakScript(dir: string): string {
  const script = path.join(dir, 'soak_workers.py');
  fs.writeFileSync(script, SOAK_SCRIPT);
  return script;
}

/** Resolves when `marker` appears on the stream (or the stream ends: the moment has passed). */
function waitForMarker(stream: Readable, marker: RegExp): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      if (marker.test(seen)) finish();
    };
    const finish = (): void => {
      stream.off('data', onData);
      resolve();
    };
    stream.on('data', onData);
    stream.once('end', finish);
  });
}

async function waitForRecording(out: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  const exists = (): boolean => fs.readdirSync(out).some((name) => fs.existsSync(path.join(out, name, 'events.jsonl')));
  while (!exists() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

/** When to stop, in terms of what the script says. `steps`: how many the script runs if not stopped. */
function plan(moment: StopMoment, random: () => number): { steps: number; marker: RegExp | null; delayMs: number } {
  switch (moment) {
    case 'before-first-step':
      // From the spawn, Python and torch start-up take ~1-2 s: any time in the first 1.5 s is before step 0.
      return { steps: 100_000, marker: null, delayMs: random() * 1500 };
    case 'worker-start-up':
      return { steps: 100_000, marker: /SOAK workers starting/, delayMs: random() * 30 };
    case 'mid-step': {
      const step = 1 + Math.floor(random() * 20);
      return { steps: 100_000, marker: new RegExp(`SOAK step ${step}\\n`), delayMs: random() * 3 };
    }
    case 'during-exit':
      return { steps: 5, marker: /SOAK done/, delayMs: random() * 20 };
  }
}

export async function runCycle(pathKind: StopPath, moment: StopMoment, random: () => number, script: string): Promise<CycleOutcome> {
  const out = tempDir('trainlens-soak-');
  const tag = `soak-${process.pid}-${Math.floor(random() * 1e9)}`;
  const { steps, marker, delayMs } = plan(moment, random);
  const command = [TORCH_PYTHON, script, '--steps', String(steps), '--tag', tag];
  let stopRequestedAt = 0;
  let tree: ProcessInfo[] = [];
  const stopAtMoment = async (stream: Readable, stop: () => void): Promise<void> => {
    // The run exists once its recording does (the CLI writes its header just before the spawn).
    await waitForRecording(out);
    if (marker) await waitForMarker(stream, marker);
    await new Promise((r) => setTimeout(r, delayMs));
    tree = processTreeOf(tag);
    stopRequestedAt = Date.now();
    stop();
  };

  let ended: Promise<void>;
  if (pathKind === 'cli') {
    const cli = spawn(process.execPath, [CLI, 'record', '--json', '--out', out, '--', ...command], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    cli.stdout.resume();
    const exited = new Promise<void>((resolve) => cli.once('exit', () => resolve()));
    void stopAtMoment(cli.stderr, () => cli.kill('SIGINT'));
    cli.stderr.resume();
    ended = exited;
  } else {
    const session = await RunSession.start({ command, cwd: REPO, env: process.env, runsDir: out, runnersDir: path.join(REPO, 'dist'), stdio: 'pipe', telemetry: false });
    session.process.stdout?.resume();
    const stderr = session.process.stderr as Readable;
    void stopAtMoment(stderr, () => void session.stop('soak: stopped by the test'));
    stderr.resume();
    ended = session.done.then(() => undefined);
  }
  await ended;
  const stopMs = Date.now() - (stopRequestedAt || Date.now());
  // The tree as it was at the stop, and anything tagged since (a worker started during the stop).
  const leftovers = [...survivors(tree), ...processTreeOf(tag).filter((p) => p.state !== 'Z' && !tree.some((t) => t.pid === p.pid))];
  const { unreadable, status, steps: recorded } = checkRecording(out);
  fs.rmSync(out, { recursive: true, force: true });
  return { path: pathKind, moment, leftovers, unreadable, status, steps: recorded, stopMs };
}

/** The run's recording reads back, every line, and its summary says `stopped`. */
function checkRecording(out: string): { unreadable: string | null; status: string | null; steps: number | null } {
  const dirs = fs.readdirSync(out).map((name) => path.join(out, name)).filter((dir) => fs.statSync(dir).isDirectory());
  if (dirs.length !== 1) return { unreadable: `${dirs.length} recordings in ${out}`, status: null, steps: null };
  const dir = dirs[0] as string;
  try {
    const recording = readRecording(dir);
    if (recording.skippedLines > 0) return { unreadable: `${recording.skippedLines} unreadable lines`, status: null, steps: null };
    const exit = recording.events.find((e) => e.type === 'exit');
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as RunSummary;
    return { unreadable: exit ? null : 'no exit event', status: summary.status, steps: summary.steps };
  } catch (error) {
    return { unreadable: (error as Error).message, status: null, steps: null };
  }
}

export function describeOutcome(outcome: CycleOutcome): string {
  const left = outcome.leftovers.length > 0 ? `\n${describeProcesses(outcome.leftovers)}` : '';
  return `${outcome.path} ${outcome.moment}: status ${outcome.status}, ${outcome.steps} steps, stop ${outcome.stopMs} ms, ${outcome.leftovers.length} left${outcome.unreadable ? `, unreadable: ${outcome.unreadable}` : ''}${left}`;
}
