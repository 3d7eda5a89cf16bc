// Compute-bound training: model.fit on tensors already in memory, with a model wide enough that
// the matrix multiplications dominate.
//
// Truth: there is nothing to wait for between batches, so the `data` stage is a sliver of each step
// and forwardBackward + optimizer take most of it. The last line, SCRIPT_RESULT, is this script's own
// throughput and `dataShare` (the wait for each batch over the step), over the batches after the
// first 2.
//
//     node compute_bound.js [--steps N]
const { parseArgs } = require('node:util');
const tf = require('@tensorflow/tfjs');
const { FitClock } = require('./_measure');

const FEATURES = 64;
const BATCH = 64;

/** The model and the tensors of `batches` batches it trains on (bench/shapes/node_runner_cost.ts
 * trains on them too). */
function setup(batches) {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 128, inputShape: [FEATURES], activation: 'relu' }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  const xs = tf.randomNormal([BATCH * batches, FEATURES]);
  const ys = tf.randomNormal([BATCH * batches, 1]);
  return { model, xs, ys, batchSize: BATCH };
}

async function main() {
  const batches = Number(parseArgs({ options: { steps: { type: 'string', default: '100' } } }).values.steps);
  const { model, xs, ys } = setup(batches);
  const clock = new FitClock();
  await model.fit(xs, ys, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0, callbacks: clock.callbacks });
  clock.report();
}

module.exports = { setup };
if (require.main === module) main();
