/**
 * Where the user built each tf.data pipeline (the last user call among its derivations: batch, map,
 * …) and its batch size, so the `loader` event of a fitDataset can point at that line.
 */
import type { LoaderEvent, RunnerEvent } from '../../protocol/events';
import type { CeilingProbe } from './ceiling-probe';
import type { SourcePosition, UserCode } from './frames';
import { wrap, type Proto } from './wrap';

/** Dataset methods that derive a new dataset; the last user call among them built the pipeline. */
const DATASET_DERIVATIONS = ['batch', 'map', 'mapAsync', 'filter', 'prefetch', 'shuffle', 'repeat', 'take', 'skip', 'concatenate'];

interface DatasetSite extends SourcePosition {
  batchSize: number | null;
}

export class DatasetSites {
  private readonly sites = new WeakMap<object, DatasetSite>();
  private readonly reported = new WeakSet<object>();

  constructor(
    private readonly code: UserCode,
    private readonly send: (event: RunnerEvent) => void,
    private readonly safely: (work: () => void) => void,
    private readonly ceiling: CeilingProbe | null,
  ) {}

  hook(proto: Proto): void {
    for (const name of DATASET_DERIVATIONS) {
      const sites = this;
      wrap(proto, name, (original) => {
        return function (this: unknown, ...args: unknown[]) {
          const result = original.apply(this, args);
          sites.safely(() => sites.derived(this, result, name === 'batch' ? args[0] : undefined));
          sites.safely(() => sites.ceiling?.derivedDataset(result));
          return result;
        };
      });
    }
  }

  /** The loader event for a dataset fitDataset trains on, once per dataset. */
  report(dataset: unknown): void {
    if (typeof dataset !== 'object' || dataset === null || this.reported.has(dataset)) return;
    const site = this.sites.get(dataset);
    if (!site) return;
    this.reported.add(dataset);
    const event: LoaderEvent = { type: 'loader', kind: 'tf.data.Dataset', file: site.file, line: site.line, batchSize: site.batchSize };
    this.send(event);
  }

  /** Remembers where the user built a dataset and its batch size, for the loader event. */
  private derived(parent: unknown, result: unknown, batchSize: unknown): void {
    if (typeof result !== 'object' || result === null) return;
    const inherited = typeof parent === 'object' && parent !== null ? this.sites.get(parent) : undefined;
    const at = this.code.userFrameOf(new Error().stack) ?? inherited;
    if (!at) return;
    const size = Number.isInteger(batchSize) ? (batchSize as number) : (inherited?.batchSize ?? null);
    this.sites.set(result, { file: at.file, line: at.line, batchSize: size });
  }
}
