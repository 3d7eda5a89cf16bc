// The real-world tests' own clock for TensorFlow.js scripts, preloaded with `node --require`: it
// registers, on the tfjs the script loads, a callback constructor at verbosity 0 (so every fit and
// fitDataset builds one, as tfjs-node builds its ProgbarLogger) that timestamps the training's
// begin and end, each epoch and each batch, and writes them as JSON to $REALWORLD_CLOCK_OUT at exit.
// It loads tfjs only once the script's own code has run to its first await (process.nextTick runs
// before any promise continuation), so the script's require is the first and names the package,
// and the callback is registered before fit can start.
// The tests copy it into a node_modules folder, so a profiler in the process counts it as library
// code, never as one of the script's lines.
//
// Times are µs of process.hrtime (CLOCK_MONOTONIC, the clock V8's CPU profiles are stamped with).
'use strict';
const fs = require('fs');

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const record = { trainBeginUs: [], trainEndUs: [], epochs: [], batches: [] };

function register(tf) {
  class TruthClock extends tf.CustomCallback {
    constructor() {
      super({
        onTrainBegin: async () => void record.trainBeginUs.push(nowUs()),
        onTrainEnd: async () => void record.trainEndUs.push(nowUs()),
        onEpochBegin: async (epoch) => void record.epochs.push({ epoch, beginUs: nowUs(), endUs: null, validated: false }),
        onEpochEnd: async (epoch, logs) => {
          const current = record.epochs[record.epochs.length - 1];
          current.endUs = nowUs();
          current.validated = logs !== undefined && 'val_loss' in logs;
        },
        onBatchBegin: async () => void record.batches.push([nowUs(), null]),
        onBatchEnd: async () => void (record.batches[record.batches.length - 1][1] = nowUs()),
      });
    }
  }
  tf.registerCallbackConstructor(0, TruthClock);
}

process.nextTick(() => register(require('@tensorflow/tfjs')));
process.on('exit', () => {
  record.exitUs = nowUs();
  fs.writeFileSync(process.env.REALWORLD_CLOCK_OUT, JSON.stringify(record));
});
