/**
 * The suite for a PyTorch corpus script timed by the tests' own clock and line sampler
 * (truth/truth_run.py) inside the one run TrainLens records. Each property is its own test, so a
 * report names every figure TrainLens gets wrong, not just the first.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { RunSummary } from '../../src/core/summary';
import { assertCount, assertRate, assertShare, assertSteps, assertTopLine, printRow, topLineRow } from './checks';
import { recordWithTruth, workspace } from './harness';
import { batchesPerSec, evalPasses, evalSpans, lineShares, shareOfTraining, type LineShare, type Span, type TorchClock } from './truth';

/** What ends a training iteration in these PyTorch loops, in the test names' words. */
const ANCHORS = { dataloader: 'each DataLoader batch', optimizer: 'each optimizer step', backward: 'each backward()' } as const;

export interface ClockedScript {
  /** As the table names it: collection and example. */
  name: string;
  /** The loop shape it stands for. */
  shape: string;
  script: string;
  args: string[];
  /** Writes the script's data into the workspace; returns the directory to run it in. */
  prepare(workspace: string): string;
  /** When each training iteration ended, by the clock (the iteration's last optimizer step, or its backward). */
  iterationEnds(clock: TorchClock): number[];
  /** The script's own count of its training iterations, from what it printed. */
  stepsPrinted(output: string): number;
  anchor: keyof typeof ANCHORS;
  /** TrainLens's --sample-hz, for a run whose training is too short for the default 50 Hz to rank its lines. */
  sampleHz?: number;
}

export interface ClockedRun {
  summary: RunSummary;
  clock: TorchClock;
  output: string;
  ends: number[];
  evals: Span[];
  truthBatchesPerSec: number;
  /** The tests' line sampler's shares, from the same run. */
  lines: LineShare[];
}

export function describeClocked(spec: ClockedScript, more?: (run: () => ClockedRun) => void): void {
  describe(`${spec.name}: ${spec.shape}`, function () {
    this.timeout(240_000);
    let run: ClockedRun | undefined;
    let dir: string | undefined;
    const ran = (): ClockedRun => {
      assert.ok(run, 'the recording did not complete');
      return run;
    };

    before(function () {
      dir = workspace(spec.name.replace(/\W+/g, '-'));
      const cwd = spec.prepare(dir);
      const recorded = recordWithTruth(spec.script, spec.args, cwd, spec.sampleHz ? ['--sample-hz', String(spec.sampleHz)] : []);
      const ends = spec.iterationEnds(recorded.clock);
      const evals = evalSpans(recorded.clock);
      run = { ...recorded, ends, evals, truthBatchesPerSec: batchesPerSec(ends, evals), lines: lineShares(recorded.lines) };
    });

    after(function () {
      if (run) {
        printRow({
          script: spec.name,
          shape: spec.shape,
          steps: [spec.stepsPrinted(run.output), run.summary.steps],
          batchesPerSec: [run.truthBatchesPerSec, run.summary.throughput.batchesPerSec],
          topLine: topLineRow(run.summary, run.lines),
        });
      }
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("counts the script's own training iterations as steps (±1%)", () => {
      const { summary, output, ends } = ran();
      assert.equal(ends.length, spec.stepsPrinted(output), 'the clock and the script agree on the iterations');
      assertSteps(summary.steps, spec.stepsPrinted(output));
    });

    it("measures batches/s within 10% of the script's own clock", () => {
      assertRate(ran().summary.throughput.batchesPerSec, ran().truthBatchesPerSec);
    });

    it(`ends steps at ${ANCHORS[spec.anchor]} and says so`, () => {
      assert.equal(ran().summary.stepAnchor.anchor, spec.anchor);
    });

    if (spec.anchor === 'dataloader') {
      it("puts the data stage within 0.1 of the time the clock saw in the DataLoader's own fetch", () => {
        const { summary, clock, ends, evals } = ran();
        assertShare(summary.stages.data?.share ?? 0, shareOfTraining(clock.batches, ends, evals), 'data share');
      });
    }

    it('reports the eval passes the script ran (after training began) apart from its steps', () => {
      const { summary, ends, evals } = ran();
      assertCount(summary.eval?.passes ?? 0, evalPasses(evals, ends), 'eval passes');
    });

    it("ranks first the line the tests' own sampler ranks first, with its share within 0.1", () => {
      assertTopLine(ran().summary.hotLines, ran().lines);
    });

    more?.(ran);
  });
}
