// The examples' own clock: the ground truth a recorded run is checked against.
// A step ends where the training loop's batch ends. A loop that also records when each batch began
// (fit's onBatchBegin: the batch is in hand) splits each step into the wait for that batch (from
// the previous batch's end: the data stage) and the rest. Every figure covers the steps after the
// first two (warm-up), so it compares with the recorded steps from index 2 on.

/**
 * Prints the last line the tests read: SCRIPT_RESULT {"batchesPerSec": ..., "steps": ...}, with
 * "dataShare" (the data stage's share of the steps' wall time) when `batchBegins` is given.
 */
function reportThroughput(stepEnds, batchBegins) {
  const steps = stepEnds.length;
  const wallMs = stepEnds[steps - 1] - stepEnds[1];
  const figures = { batchesPerSec: ((steps - 2) / wallMs) * 1000, steps };
  if (batchBegins?.length === steps) {
    let dataMs = 0;
    for (let i = 2; i < steps; i++) dataMs += batchBegins[i] - stepEnds[i - 1];
    figures.dataShare = dataMs / wallMs;
  }
  console.log(`SCRIPT_RESULT ${JSON.stringify(figures)}`);
}

module.exports = { reportThroughput };
