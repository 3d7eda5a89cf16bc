/**
 * Ceiling probes for tfjs (`trainlens record --ceilings`, see src/host/ceilings.ts): the host runs
 * the user's command twice more with `probe` in the options. A probe process measures once, sends
 * one `ceiling` event (or a `log` saying why it cannot) and exits, so the user's code never runs past
 * the measurement; its output is discarded and the user's own run is a separate process.
 *
 * - fitDataset, data-only: the dataset's iterator is drained with no training, WARMUP_STEPS batches
 *   and then `steps` timed ones (a new iterator when an epoch ends); each batch is disposed.
 * - fitDataset, compute-only: the first batch is replayed through model.trainOnBatch, the same
 *   training step fitDataset runs per batch, minus its callbacks; timed after warm-up.
 * - fit(x, y) on in-memory tensors: no data pipeline, so no data ceiling; compute as above on the
 *   first batchSize rows.
 * - loops of trainOnBatch or optimizer.minimize: the runner's own steps, less their data wait, time
 *   compute; a derived tf.data dataset the loop iterates replays (clones of) its first element, so
 *   loading is taken out.
 *   Data-only has nothing to measure there and ends at the first step.
 * The tfjs hooks (tfjs.ts) hand fit/fitDataset calls and derived datasets to this class.
 */
import type { CeilingEvent, RunnerEvent } from '../../protocol/events';
import { clock } from './clock';

export type ProbeMode = 'data-only' | 'compute-only';

const WARMUP_STEPS = 5;
/** tf.LayersModel.fit's own default. */
const FIT_DEFAULT_BATCH_SIZE = 32;
const REPLAYING = Symbol('trainlens.replaying');

interface Tensorish {
  shape: number[];
  slice(begin: number, size: number): Tensorish;
  clone(): Tensorish;
  dispose(): void;
}
interface Trainable {
  trainOnBatch(x: unknown, y: unknown): Promise<unknown>;
}
interface LazyIterator {
  next(): Promise<IteratorResult<unknown>>;
}
interface Dataset {
  iterator(): Promise<LazyIterator>;
}

export class CeilingProbe {
  private measuring = false;
  private readonly stepMs: number[] = [];

  constructor(
    private readonly mode: ProbeMode,
    private readonly steps: number,
    private readonly send: (event: RunnerEvent) => void,
  ) {}

  /** Takes the place of fit / fitDataset: measures, then ends the process (the promise never settles). */
  fit(model: unknown, args: unknown[], withDataset: boolean): Promise<never> {
    this.measuring = true;
    const work = withDataset ? this.fitDataset(model as Trainable, args[0] as Dataset) : this.fitTensors(model as Trainable, args);
    work.then(
      (outcome) => this.end(outcome),
      (error: unknown) => this.end(`the ${this.mode} probe failed: ${String(error)}`),
    );
    return new Promise<never>(() => undefined);
  }

  /** Each step the timeline closes outside fit (a trainOnBatch or minimize loop), by its time less its data wait. */
  stepped(stepMs: number): void {
    if (this.measuring) return;
    if (this.mode === 'data-only') {
      this.end('a training step ran without fit or fitDataset: no data pipeline to measure');
      return;
    }
    this.stepMs.push(stepMs);
    if (this.stepMs.length === WARMUP_STEPS + this.steps) {
      this.end(ceiling('compute', this.steps, this.stepMs.slice(WARMUP_STEPS).reduce((a, b) => a + b, 0)));
    }
  }

  /**
   * Compute-only: a dataset the user derived (batch, map, ...) replays its first element. tf.data
   * makes every dataset an instance of its own anonymous subclass that defines `iterator`, so the
   * patch goes on that subclass, never on Dataset itself; a bare tf.data.generator is not seen.
   */
  derivedDataset(dataset: unknown): void {
    const proto = typeof dataset === 'object' && dataset !== null ? (Object.getPrototypeOf(dataset) as Record<string, unknown>) : null;
    const original = proto?.iterator;
    if (this.mode !== 'compute-only' || !proto || !Object.hasOwn(proto, 'iterator') || typeof original !== 'function' || REPLAYING in original) return;
    const replaying = async function (this: unknown, ...args: unknown[]): Promise<LazyIterator> {
      return replayFirst((await original.apply(this, args)) as LazyIterator);
    };
    Object.defineProperty(replaying, REPLAYING, { value: true });
    proto.iterator = replaying;
  }

  private async fitDataset(model: Trainable, dataset: Dataset): Promise<CeilingEvent | string> {
    if (this.mode === 'data-only') return this.timeDataset(dataset);
    const iterator = await dataset.iterator();
    const first = await iterator.next();
    if (first.done) return 'the dataset yielded no batch';
    const [xs, ys] = xsAndYs(first.value);
    try {
      return await this.timeTraining(model, xs, ys);
    } finally {
      disposeAll(first.value);
    }
  }

  private async fitTensors(model: Trainable, args: unknown[]): Promise<CeilingEvent | string> {
    if (this.mode === 'data-only') return 'fit() on in-memory tensors has no data pipeline: no data ceiling';
    const batchSize = (args[2] as { batchSize?: unknown } | undefined)?.batchSize;
    const rows = Number.isInteger(batchSize) ? (batchSize as number) : FIT_DEFAULT_BATCH_SIZE;
    const xs = mapTensors(args[0], (t) => t.slice(0, Math.min(rows, t.shape[0] ?? rows)));
    const ys = mapTensors(args[1], (t) => t.slice(0, Math.min(rows, t.shape[0] ?? rows)));
    try {
      return await this.timeTraining(model, xs, ys);
    } finally {
      disposeAll(xs);
      disposeAll(ys);
    }
  }

  private async timeDataset(dataset: Dataset): Promise<CeilingEvent | string> {
    let iterator = await dataset.iterator();
    let fresh = true;
    let loaded = 0;
    let start = 0;
    while (loaded < WARMUP_STEPS + this.steps) {
      if (loaded === WARMUP_STEPS && start === 0) start = clock.now();
      const next = await iterator.next();
      if (next.done) {
        if (fresh) return 'the dataset yielded no batch';
        iterator = await dataset.iterator();
        fresh = true;
        continue;
      }
      disposeAll(next.value);
      fresh = false;
      loaded++;
    }
    return ceiling('data', this.steps, clock.now() - start);
  }

  private async timeTraining(model: Trainable, xs: unknown, ys: unknown): Promise<CeilingEvent> {
    for (let i = 0; i < WARMUP_STEPS; i++) await model.trainOnBatch(xs, ys);
    const start = clock.now();
    for (let i = 0; i < this.steps; i++) await model.trainOnBatch(xs, ys);
    return ceiling('compute', this.steps, clock.now() - start);
  }

  /** Sends the result; the runner's exit handler flushes it with the bye. */
  private end(outcome: CeilingEvent | string): void {
    this.send(typeof outcome === 'string' ? { type: 'log', level: 'info', message: `ceiling probe: ${outcome}` } : outcome);
    process.exit(0);
  }
}

function ceiling(kind: 'data' | 'compute', steps: number, ms: number): CeilingEvent {
  return { type: 'ceiling', kind, batchesPerSec: (steps / Math.max(ms, 1e-6)) * 1000, steps };
}

/** An iterator that yields its first element for real and then clones of it, never ending. */
function replayFirst(iterator: LazyIterator): LazyIterator {
  let first: Promise<IteratorResult<unknown>> | null = null;
  const next = iterator.next.bind(iterator);
  iterator.next = async () => {
    // Our own copy: the loop disposes each element it gets, the one it got first included.
    first ??= next().then((r) => (r.done ? r : { done: false, value: mapTensors(r.value, (t) => t.clone()) }));
    const got = await first;
    return got.done ? got : { done: false, value: mapTensors(got.value, (t) => t.clone()) };
  };
  return iterator;
}

/** fitDataset's elements: `{xs, ys}` or `[xs, ys]`. */
function xsAndYs(value: unknown): [unknown, unknown] {
  if (Array.isArray(value)) return [value[0], value[1]];
  const named = value as { xs?: unknown; ys?: unknown };
  return [named.xs, named.ys];
}

function isTensor(value: unknown): value is Tensorish {
  return typeof value === 'object' && value !== null && Array.isArray((value as Tensorish).shape) && typeof (value as Tensorish).dispose === 'function';
}

/** Applies `f` to every tensor of a tensor, array or name -> value map (nested), keeping the shape of the container. */
function mapTensors(value: unknown, f: (t: Tensorish) => Tensorish): unknown {
  if (isTensor(value)) return f(value);
  if (Array.isArray(value)) return value.map((v) => mapTensors(v, f));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapTensors(v, f)]));
  return value;
}

function disposeAll(value: unknown): void {
  mapTensors(value, (t) => {
    t.dispose();
    return t;
  });
}
