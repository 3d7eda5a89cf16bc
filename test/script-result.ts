/**
 * The example and test scripts print their own measurement as a last line `SCRIPT_RESULT {json}`
 * (examples/pytorch/_measure.py, examples/tfjs/hot_line.ts): the truth tests and benchmarks compare with.
 */
export interface ScriptResult {
  batchesPerSec: number;
  steps: number;
  [key: string]: number;
}

const PREFIX = 'SCRIPT_RESULT ';

/** The last SCRIPT_RESULT line in `output`, if any. */
export function scriptResultOf(output: string): ScriptResult | undefined {
  const line = output.split('\n').reverse().find((l) => l.startsWith(PREFIX));
  return line ? (JSON.parse(line.slice(PREFIX.length)) as ScriptResult) : undefined;
}
