/**
 * Finished steps waiting for the next batch to the host, as numbers in flat typed columns rather
 * than one event object per step: a tiny model's trainOnBatch loop ends ~8,000 steps a second, and
 * a step object (with its stages object) lived until the flush, long enough for the scavenger to
 * copy it and for the JSON encoder to find it cold. A row becomes the `step` event's line only when
 * its batch is written, with the same fields, in the same order, as JSON.stringify gave the object.
 *
 * The timeline fills one StepRecord per step and hands it over; the record is reused, so whoever
 * receives it copies what it needs before returning.
 */

/** One finished step; NaN marks an absent value (samples: null, a stage the loop cannot measure, no
 * tokens). Times in ms on the runner's clock. */
export class StepRecord {
  index = 0;
  t = 0;
  ms = 0;
  samples = NaN;
  data = NaN;
  forwardBackward = NaN;
  optimizer = NaN;
  other = 0;
  tokens = NaN;
}

const INDEX = 0;
const T = 1;
const MS = 2;
const SAMPLES = 3;
const DATA = 4;
const FORWARD_BACKWARD = 5;
const OPTIMIZER = 6;
const OTHER = 7;
const TOKENS = 8;
const COLUMNS = 9;
const INITIAL_ROWS = 1024;

export class StepRows {
  private values = new Float64Array(INITIAL_ROWS * COLUMNS);
  length = 0;

  push(step: StepRecord): void {
    if ((this.length + 1) * COLUMNS > this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    const v = this.values;
    const at = this.length++ * COLUMNS;
    v[at + INDEX] = step.index;
    v[at + T] = step.t;
    v[at + MS] = step.ms;
    v[at + SAMPLES] = step.samples;
    v[at + DATA] = step.data;
    v[at + FORWARD_BACKWARD] = step.forwardBackward;
    v[at + OPTIMIZER] = step.optimizer;
    v[at + OTHER] = step.other;
    v[at + TOKENS] = step.tokens;
  }

  /** Rows [from, to) as `step` event lines. */
  encode(from: number, to: number): string {
    const v = this.values;
    let text = '';
    for (let row = from; row < to; row++) {
      const at = row * COLUMNS;
      let stages = '';
      if (!Number.isNaN(v[at + DATA] as number)) stages += `"data":${us(v[at + DATA] as number)},`;
      if (!Number.isNaN(v[at + FORWARD_BACKWARD] as number)) stages += `"forwardBackward":${us(v[at + FORWARD_BACKWARD] as number)},`;
      if (!Number.isNaN(v[at + OPTIMIZER] as number)) stages += `"optimizer":${us(v[at + OPTIMIZER] as number)},`;
      const samples = v[at + SAMPLES] as number;
      const tokens = v[at + TOKENS] as number;
      text +=
        `{"type":"step","index":${v[at + INDEX] as number},"t":${us(v[at + T] as number)},"ms":${us(v[at + MS] as number)},` +
        `"samples":${Number.isNaN(samples) ? 'null' : samples},"stages":{${stages}"other":${us(v[at + OTHER] as number)}}` +
        `${Number.isNaN(tokens) ? '' : `,"tokens":${tokens}`}}\n`;
    }
    return text;
  }

  clear(): void {
    this.length = 0;
  }
}

/** The fraction part of a time in µs: FRACTIONS[k] for k thousandths, as JSON.stringify ends it. */
const FRACTIONS = Array.from({ length: 1000 }, (_, k) => (k === 0 ? '' : `.${String(k).padStart(3, '0')}`.replace(/0+$/, '')));
/** Above this many µs a time goes the general way (a whole part past 2^53 / 1000 would round). */
const FAST_US_LIMIT = 9e15;

/**
 * A time to the microsecond, as the Python runner sends them: the clock is not finer in any sense
 * that matters, and 17-digit doubles made a step row a third longer on disk. Written as
 * JSON.stringify writes a number (a non-finite one as null), from the whole microseconds: an
 * integer part and a table lookup: 3.5× faster a time than String() of the rounded double (its
 * shortest-digits search), a row's encoding 354-370 ns against 456-514 (the rest is concatenation).
 */
function us(ms: number): string {
  const micros = Math.round(ms * 1000);
  if (!Number.isFinite(micros)) return 'null';
  if (micros < 0 || micros >= FAST_US_LIMIT) return String(micros / 1000);
  const whole = Math.floor(micros / 1000);
  return String(whole) + (FRACTIONS[micros - whole * 1000] as string);
}
