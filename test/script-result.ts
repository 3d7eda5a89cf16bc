/**
 * The example and test scripts print their own measurement as a last line `SCRIPT_RESULT {json}`
 * (examples/pytorch/_measure.py, examples/tfjs/hot_line.ts): the truth tests and benchmarks compare with.
 */
export interface ScriptResult {
  batchesPerSec: number;
  steps: number;
  /** The wait for each batch over the steps' wall time (the examples' clocks). */
  dataShare?: number;
  /** The main thread's CPU time in that wait over its wall time (examples/pytorch/_measure.py). */
  dataCpuShare?: number;
  /** Wall ms of each step from index 1 on, to take a rate over any later steps (_measure.py). */
  stepMs?: number[];
  /** Peak resident memory of the script's process, from getrusage (_measure.py). */
  maxRssBytes?: number;
  /** All the process's threads' CPU time over its steps from index 1, % of one core (_measure.py). */
  processCpuPct?: number;
  [key: string]: number | number[] | undefined;
}

const PREFIX = 'SCRIPT_RESULT ';

/** The last SCRIPT_RESULT line in `output`, if any. */
export function scriptResultOf(output: string): ScriptResult | undefined {
  const line = output.split('\n').reverse().find((l) => l.startsWith(PREFIX));
  return line ? (JSON.parse(line.slice(PREFIX.length)) as ScriptResult) : undefined;
}
