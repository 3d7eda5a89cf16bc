// The examples' own throughput figure: the ground truth a recorded run is checked against.
// A step ends where the training loop's batch ends; the figure covers the steps after the first two
// (warm-up), so it compares with the recorded steps from index 2 on.

/** Prints the last line the tests read: SCRIPT_RESULT {"batchesPerSec": ..., "steps": ...}. */
function reportThroughput(stepEnds) {
  const steps = stepEnds.length;
  const batchesPerSec = ((steps - 2) / (stepEnds[steps - 1] - stepEnds[1])) * 1000;
  console.log(`SCRIPT_RESULT ${JSON.stringify({ batchesPerSec, steps })}`);
}

module.exports = { reportThroughput };
