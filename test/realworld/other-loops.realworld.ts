/**
 * pytorch/examples loops with no DataLoader: LBFGS, whose forward and backward run inside the
 * closure it is stepped with, and a regression that updates its parameters by hand (no optimizer
 * object) until the loss is small.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { assertShare } from './checks';
import { describeClocked } from './clocked';
import { corpusFile, lineNumberOf, linesMatching, makeData } from './harness';
import { outsideInner, shareOfTraining } from './truth';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

const lbfgsScript = corpusFile('pytorch-examples', 'time_sequence_prediction', 'train.py');

// traindata.pt as generate_sine_wave.py writes it, with 6 waves of 20 points instead of 100 of 1000
// (3 train, 3 test): an LBFGS step is up to 20 closure calls over every time step. Ten steps give
// nine timed intervals: with fewer, one step that a busy machine slows moves the rate by over 10%.
describeClocked(
  {
    name: 'pytorch/examples time_sequence_prediction',
    shape: 'LBFGS: optimizer.step(closure), forward and backward in the closure; no_grad prediction and a plot per step',
    script: lbfgsScript,
    args: ['--steps', '10'],
    prepare: (workspace) => {
      makeData('sine', path.join(workspace, 'traindata.pt'), 6, 20);
      return workspace;
    },
    iterationEnds: (clock) => clock.optimizers[0]!.steps.map(([, end]) => end),
    stepsPrinted: (output) => linesMatching(output, /^STEP: /).length,
    anchor: 'optimizer',
  },
  (ran) => {
    it('counts the closure as forward and backward, and only the update itself as optimizer (each within 0.1)', () => {
      const { summary, clock, ends, evals } = ran();
      const lbfgs = clock.optimizers[0]!;
      const update = shareOfTraining(outsideInner(lbfgs.steps, lbfgs.closures), ends, evals);
      const closures = shareOfTraining(lbfgs.closures, ends, evals);
      assertShare(summary.stages.optimizer?.share ?? 0, update, 'optimizer share (the update outside the closure)');
      assertShare((summary.stages.forward?.share ?? 0) + (summary.stages.backward?.share ?? 0), closures, 'forward + backward share (the closure)');
      assert.ok((summary.stages.forward?.ms ?? 0) > 0 && (summary.stages.backward?.ms ?? 0) > 0, 'forward and backward both measured');
    });

    it('knows the optimizer is LBFGS stepped with a closure, and offers no fix that cannot apply to it', () => {
      const { summary } = ran();
      const lbfgs = summary.optimizers.find((o) => /LBFGS/.test(o.kind));
      assert.ok(lbfgs, `optimizers seen: ${summary.optimizers.map((o) => o.kind).join(', ') || 'none'}`);
      assert.equal(lbfgs.closure, true);
      // LBFGS has no `foreach` option, so that fix can never apply.
      const fixes = summary.findings.flatMap((f) => f.fixes);
      assert.ok(!fixes.includes('optimizer-foreach'), `fixes offered: ${fixes.join(', ')}`);
    });

    it("blames the optimizer only with the update's own share (outside the closure, within 0.1)", () => {
      const { summary, clock, ends, evals } = ran();
      const update = shareOfTraining(outsideInner(clock.optimizers[0]!.steps, clock.optimizers[0]!.closures), ends, evals);
      const blamed = summary.findings.find((f) => f.code === 'optimizer-heavy');
      if (blamed) assertShare(blamed.evidence.optimizerShare ?? 1, update, `optimizer-heavy's share (${blamed.message})`);
    });
  },
);

const regressionScript = corpusFile('pytorch-examples', 'regression', 'main.py');

describeClocked(
  {
    name: 'pytorch/examples regression',
    shape: 'manual updates (p.data.add_), no optimizer, no DataLoader, runs until the loss is small',
    script: regressionScript,
    args: [],
    prepare: (workspace) => workspace,
    iterationEnds: (clock) => clock.backward.map(([, end]) => end),
    stepsPrinted: (output) => Number(linesMatching(output, /^Loss: \S+ after (\d+) batches/)[0]?.[1]),
    anchor: 'backward',
    // It trains for a fraction of a second (a few hundred ~0.5 ms iterations): ~15 samples at the default 50 Hz.
    sampleHz: 1000,
  },
  (ran) => {
    it("offers no applicable metric-every-n on a line that builds the model's input", () => {
      const spans = [
        ['def make_features', 'return torch.cat'],
        ['def f(x)', 'return x.mm(W_target)'],
        ['def get_batch', 'return x, y'],
        ['batch_x, batch_y = get_batch()', 'batch_x, batch_y = get_batch()'],
      ].map(([from, to]) => [lineNumberOf(regressionScript, from!), lineNumberOf(regressionScript, to!)] as const);
      const feedsModel = (line: number) => spans.some(([from, to]) => line >= from && line <= to);
      // A finding may list a feeding line among its hot lines and offer the fix for another one; what
      // the user gets on the feeding line is the fix's own verdict there, asked as the CLI asks it.
      const feedingLocations = ran().summary.findings
        .filter((f) => f.fixes.includes('metric-every-n'))
        .flatMap((f) => f.locations.filter((l) => feedsModel(l.line)));
      for (const location of feedingLocations) {
        const asked = spawnSync(process.execPath, [CLI, 'fix', '--file', location.file, '--fix', 'metric-every-n', '--line', String(location.line)], { encoding: 'utf8' });
        assert.match(`${asked.stdout}${asked.stderr}`, /refused/, `metric-every-n at line ${location.line}, a line that builds the model's input: ${asked.stdout}${asked.stderr}`);
      }
    });
  },
);
