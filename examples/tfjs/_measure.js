// The examples' own clock: the ground truth a recorded run is checked against.
// A step ends where the training loop's batch ends. A loop that also notes when each batch was in
// hand splits each step into the wait for that batch (the data stage) and the rest. Every figure
// covers the steps after the first two (warm-up), so it compares with the recorded steps from
// index 2 on.
const tf = require('@tensorflow/tfjs');

/**
 * The clock of a fit/fitDataset call: pass `callbacks` in its options, call `report()` after it.
 * A batch's wait for data starts where training resumes after the previous batch: after tfjs's
 * own yield to the event loop (every 125 ms, inside the batch's end callbacks), which this clock
 * times through tfjs's `nextFrameFunc` hook, keeping tfjs's own tf.nextFrame.
 */
class FitClock {
  constructor() {
    this.begins = [];
    this.ends = [];
    this.resumed = new Map(); // batch index -> end of the yield after it
    this.callbacks = {
      onBatchBegin: () => this.begins.push(performance.now()),
      onBatchEnd: () => this.ends.push(performance.now()),
      nextFrameFunc: () => {
        const batch = this.ends.length - 1;
        return tf.nextFrame().then(() => this.resumed.set(batch, performance.now()));
      },
    };
  }

  report() {
    const waits = this.begins.map((begin, i) => (i === 0 ? 0 : begin - (this.resumed.get(i - 1) ?? this.ends[i - 1])));
    print(this.ends, waits);
  }
}

/**
 * Prints the last line for a hand-written loop: its throughput, and "dataShare" (the data stage's
 * share of the steps' wall time) when `batchBegins` says when each batch was in hand.
 */
function reportThroughput(stepEnds, batchBegins) {
  print(stepEnds, batchBegins?.map((begin, i) => (i === 0 ? 0 : begin - stepEnds[i - 1])));
}

/** The last line the tests read: SCRIPT_RESULT {"batchesPerSec": ..., "steps": ..., "dataShare"?: ...}. */
function print(stepEnds, dataWaits) {
  const steps = stepEnds.length;
  const wallMs = stepEnds[steps - 1] - stepEnds[1];
  const figures = { batchesPerSec: ((steps - 2) / wallMs) * 1000, steps };
  if (dataWaits?.length === steps) figures.dataShare = dataWaits.slice(2).reduce((a, b) => a + b, 0) / wallMs;
  console.log(`SCRIPT_RESULT ${JSON.stringify(figures)}`);
}

module.exports = { FitClock, reportThroughput };
