// TypeScript, run with `node --import tsx examples/tfjs/hot_line.ts`: a data pipeline whose
// per-example feature function, slowFeature, is deliberately slow.
//
// Truth: slowFeature is the hottest user code, in the `data` stage (it runs inside the dataset
// iterator's next()). TrainLens reports it at this .ts file's lines through tsx's source map. tsx
// emits each module on one generated line, so V8's per-line ticks cannot tell lines inside a
// function apart: the reported line is slowFeature's declaration line (run the compiled JavaScript,
// or ts-node, to get the loop line itself).
// The last line, SCRIPT_RESULT, is this script's own throughput over the batches after the first 2.
import * as tf from '@tensorflow/tfjs';

const BATCH = 16;
const BATCHES = 25;

interface Example {
  xs: tf.Tensor1D;
  ys: tf.Tensor1D;
}

function slowFeature(seed: number): number {
  let acc = 0;
  for (let i = 0; i < 150_000; i++) {
    acc += Math.sqrt(i + seed) * Math.sin(i);
  }
  return acc;
}

function* examples(): Generator<Example> {
  for (let i = 0; i < BATCH * BATCHES; i++) {
    yield { xs: tf.tensor1d([slowFeature(i), i]), ys: tf.tensor1d([i % 2]) };
  }
}

async function main(): Promise<void> {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const batchEnds: number[] = [];
  const dataset = tf.data.generator(examples as () => Generator<tf.TensorContainer>).batch(BATCH);
  await model.fitDataset(dataset, { epochs: 1, verbose: 0, callbacks: { onBatchEnd: async () => void batchEnds.push(performance.now()) } });
  const steps = batchEnds.length;
  const batchesPerSec = ((steps - 2) / ((batchEnds[steps - 1] as number) - (batchEnds[1] as number))) * 1000;
  console.log(`SCRIPT_RESULT ${JSON.stringify({ batchesPerSec, steps })}`);
}

void main();
