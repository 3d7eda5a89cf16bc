// A custom training loop without fit(): optimizer.minimize on batches sliced from in-memory tensors.
//
// Truth: one step per minimize() call. tfjs computes the forward pass and the gradients in one call,
// so the step splits into forwardBackward (computeGradients) and optimizer (applyGradients); the
// slicing and the loss read-back in this loop are `other`. No dataset iterator: no data stage.
// The last line, SCRIPT_RESULT, is this script's own throughput over the steps after the first 2.
const tf = require('@tensorflow/tfjs');
const { reportThroughput } = require('./_measure');

const FEATURES = 64;
const BATCH = 64;
const STEPS = 100;

async function main() {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 128, inputShape: [FEATURES], activation: 'relu' }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  const optimizer = tf.train.adam(0.001);
  const xs = tf.randomNormal([BATCH * STEPS, FEATURES]);
  const ys = tf.randomNormal([BATCH * STEPS, 1]);
  const stepEnds = [];
  for (let step = 0; step < STEPS; step++) {
    const loss = tf.tidy(() => {
      const x = xs.slice([step * BATCH, 0], [BATCH, FEATURES]);
      const y = ys.slice([step * BATCH, 0], [BATCH, 1]);
      return optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x)), true);
    });
    await loss.data(); // read the loss like a real loop would, for logging
    loss.dispose();
    stepEnds.push(performance.now());
  }
  reportThroughput(stepEnds);
}

main();
