/**
 * What every fuzzed parser is held to, and how many cases it gets: a few hundred, seeded, in
 * `npm test` (the whole fuzz subset stays within seconds), TRAINLENS_FUZZ_RUNS (≥ 10,000 in
 * `npm run bench -- reliability`) elsewhere. A failure prints fast-check's seed and path, so the
 * case replays exactly.
 */
import fc from 'fast-check';

export const FUZZ_SEED = Number(process.env.TRAINLENS_FUZZ_SEED ?? 17);

/**
 * One input may take this long at most. Far above what any case takes (well under a millisecond
 * for a line, a few for a whole recording), so it only catches a loop that runs away with its
 * input: an unbounded one takes seconds or never ends.
 */
export const MAX_MS_PER_INPUT = 2000;

/** A parser's properties, each a fast-check property over generated inputs. */
export interface FuzzTarget {
  parser: string;
  // `any`: each property generates its own tuple of values
  properties: Array<{ name: string; property: () => fc.IProperty<any> | fc.IAsyncProperty<any> }>;
}

export function fuzzRuns(quick: number): number {
  const configured = Number(process.env.TRAINLENS_FUZZ_RUNS);
  return Number.isInteger(configured) && configured > 0 ? configured : quick;
}

/** Checks one property for `runs` cases; throws fast-check's report (seed, path, counterexample) on a failure. */
export async function checkProperty(property: fc.IProperty<unknown[]> | fc.IAsyncProperty<unknown[]>, runs: number): Promise<void> {
  await fc.assert(property, { numRuns: runs, seed: FUZZ_SEED, endOnFailure: true });
}

/** Runs `parse` and fails when it takes longer than MAX_MS_PER_INPUT. */
export function timed<T>(what: string, parse: () => T): T {
  const started = performance.now();
  const result = parse();
  const ms = performance.now() - started;
  if (ms > MAX_MS_PER_INPUT) throw new Error(`${what} took ${ms.toFixed(0)} ms on one input (limit ${MAX_MS_PER_INPUT} ms)`);
  return result;
}

/**
 * Keys that break naive code: Object.prototype's own names (a `toString` that is not a function
 * makes String(value) throw), `__proto__`, and the names the wire uses.
 */
export const HOSTILE_KEYS = ['toString', 'valueOf', '__proto__', 'constructor', 'hasOwnProperty', 'type', 'length', 'then'];

/** JSON values whose object keys are often hostile or wire names. */
export function hostileJson(wireKeys: readonly string[] = []): fc.Arbitrary<unknown> {
  const key = fc.oneof(fc.constantFrom(...HOSTILE_KEYS, ...wireKeys), fc.string({ maxLength: 8 }));
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.double(),
      fc.integer(),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(key, tie('value'), { maxKeys: 6 }),
    ),
  })).value;
}

/** The target's properties as mocha tests, `quickRuns` cases each unless TRAINLENS_FUZZ_RUNS says otherwise. */
export function describeTarget(target: FuzzTarget, quickRuns: number): void {
  describe(`fuzz: ${target.parser}`, () => {
    for (const { name, property } of target.properties) it(name, () => checkProperty(property(), fuzzRuns(quickRuns)));
  });
}
