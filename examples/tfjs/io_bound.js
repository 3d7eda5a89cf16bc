// I/O-latency-bound training with tf.data: every element is loaded asynchronously with a ~1 ms
// latency (think: one small file or request per example) and nothing is prefetched.
//
// Truth: each batch of 32 waits for 32 such fetches one after the other while the 2-layer model
// computes for a fraction of that, so the `data` stage (waiting on the dataset iterator) is most of
// every step. The last line, SCRIPT_RESULT, is this script's own throughput and `dataShare` (the
// wait for each batch over the step), over the batches after the first 2.
const tf = require('@tensorflow/tfjs');
const { FitClock } = require('./_measure');

const FEATURES = 32;
const BATCH = 32;
const BATCHES = 60;
const LATENCY_MS = 1;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function* loadExamples() {
  for (let i = 0; i < BATCH * BATCHES; i++) {
    await sleep(LATENCY_MS); // the per-example fetch
    yield { xs: tf.randomNormal([FEATURES]), ys: tf.randomNormal([1]) };
  }
}

/** The model and the dataset it trains on (bench/shapes/node_runner_cost.ts trains on them too). */
function setup() {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 64, inputShape: [FEATURES], activation: 'relu' }), tf.layers.dense({ units: 1 })],
  });
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  const dataset = tf.data.generator(loadExamples).batch(BATCH);
  return { model, dataset };
}

async function main() {
  const { model, dataset } = setup();
  const clock = new FitClock();
  await model.fitDataset(dataset, { epochs: 1, verbose: 0, callbacks: clock.callbacks });
  clock.report();
}

module.exports = { setup };
if (require.main === module) main();
