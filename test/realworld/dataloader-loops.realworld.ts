/**
 * pytorch/examples scripts driven by a DataLoader: classifiers with a test pass per epoch, a VAE, an
 * LSTM over image rows, a siamese network whose Dataset does per-sample Python work, and a GAN that
 * steps two optimizers per batch. MNIST comes as small local idx files in torchvision's raw layout
 * (../data/MNIST/raw, where the scripts look), so their download=True finds it and downloads nothing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describeClocked } from './clocked';
import { corpusFile, linesMatching, makeData } from './harness';
import { sum } from './truth';

/** Small MNIST in <workspace>/data; the script runs in <workspace>/run, as '../data' expects. */
function mnistIn(workspace: string, train: number, test: number): string {
  makeData('mnist', path.join(workspace, 'data'), train, test);
  const run = path.join(workspace, 'run');
  fs.mkdirSync(run);
  return run;
}

const trainEpochLines = (output: string) => linesMatching(output, /^Train Epoch: \d+ \[/).length;
const lastOptimizerSteps = (clock: { optimizers: { steps: [number, number][] }[] }) => clock.optimizers[clock.optimizers.length - 1]!.steps.map(([, end]) => end);

/** A pytorch/examples MNIST script; the test set is 200 images in each. */
interface MnistExample {
  /** Its folder in pytorch/examples. */
  example: string;
  shape: string;
  epochs: number;
  batchSize: number;
  /** Absent where the script has no --test-batch-size flag (vae). */
  testBatchSize?: number;
  trainImages: number;
  /** Folders the script saves into, next to where it runs. */
  outputDirs?: string[];
}

const MNIST_EXAMPLES: MnistExample[] = [
  { example: 'mnist', shape: 'DataLoader loop, test pass per epoch', epochs: 2, batchSize: 16, testBatchSize: 100, trainImages: 320 },
  { example: 'mnist_rnn', shape: 'RNN (LSTM) over a DataLoader, test pass per epoch', epochs: 2, batchSize: 16, testBatchSize: 100, trainImages: 320 },
  // The repository's vae/results folder is where it saves images.
  { example: 'vae', shape: 'VAE, per-sample ToTensor in the main process, test pass per epoch', epochs: 2, batchSize: 32, trainImages: 640, outputDirs: ['results'] },
  { example: 'siamese_network', shape: 'two-input model, Dataset with per-sample Python in __getitem__', epochs: 1, batchSize: 16, testBatchSize: 100, trainImages: 192 },
];

// --log-interval 1: the script logs every batch, so its own log counts its iterations.
for (const mnist of MNIST_EXAMPLES) {
  describeClocked({
    name: `pytorch/examples ${mnist.example}`,
    shape: mnist.shape,
    script: corpusFile('pytorch-examples', mnist.example, 'main.py'),
    args: [
      ...['--epochs', String(mnist.epochs), '--batch-size', String(mnist.batchSize)],
      ...(mnist.testBatchSize === undefined ? [] : ['--test-batch-size', String(mnist.testBatchSize)]),
      ...['--log-interval', '1'],
    ],
    prepare: (workspace) => {
      const run = mnistIn(workspace, mnist.trainImages, 200);
      for (const dir of mnist.outputDirs ?? []) fs.mkdirSync(path.join(run, dir));
      return run;
    },
    iterationEnds: lastOptimizerSteps,
    stepsPrinted: trainEpochLines,
    anchor: 'dataloader',
  });
}

// ImageFolder over local PNGs (--dataset folder): the built-in 'fake' set has a fixed 1000 images,
// too many for a short run. Small generator and discriminator through the script's own flags.
describeClocked(
  {
    name: 'pytorch/examples dcgan',
    shape: 'GAN: two optimizers per batch, DataLoader with 2 workers',
    script: corpusFile('pytorch-examples', 'dcgan', 'main.py'),
    args: ['--dataset', 'folder', '--dataroot', '../images', '--niter', '1', '--batchSize', '10', '--ngf', '8', '--ndf', '8', '--nz', '16', '--outf', 'out', '--manualSeed', '1'],
    prepare: (workspace) => {
      makeData('images', path.join(workspace, 'images'), 200, 64);
      const run = path.join(workspace, 'run');
      fs.mkdirSync(run);
      return run;
    },
    // One iteration steps the discriminator's optimizer, then the generator's: it ends at the second.
    iterationEnds: lastOptimizerSteps,
    stepsPrinted: (output) => linesMatching(output, /^\[\d+\/\d+\]\[\d+\/\d+\] Loss_D/).length,
    anchor: 'dataloader',
  },
  (ran) => {
    it('sees both optimizers and counts one step per batch, not one per optimizer step', () => {
      const { summary, clock } = ran();
      assert.equal(clock.optimizers.length, 2);
      assert.equal(summary.optimizers.length, 2, summary.optimizers.map((o) => o.kind).join(', '));
      assert.equal(summary.steps, clock.batches.length);
    });

    it("puts both optimizers' updates in the optimizer stage, within 0.1 of the clock's share", () => {
      const { summary, clock, ends, evals } = ran();
      const updates = clock.optimizers.flatMap((o) => o.steps);
      const truth = sum(updates.filter(([s]) => s > ends[0]!).map(([s, e]) => e - s)) / (ends[ends.length - 1]! - ends[0]!);
      assert.ok(evals.length === 0, 'dcgan has no eval pass');
      assert.ok(Math.abs((summary.stages.optimizer?.share ?? 0) - truth) <= 0.1, `optimizer share ${summary.stages.optimizer?.share}, clock ${truth}`);
    });
  },
);
