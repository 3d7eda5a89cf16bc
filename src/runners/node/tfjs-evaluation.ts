/**
 * Evaluation passes of tfjs (see tfjs.ts): validation at an epoch's end (fit runs it inside the
 * epoch's last batch, fitDataset after it) and evaluate() / evaluateDataset() called by the script.
 * Each is an `eval` event, its batches counted where the model's test function runs, and its time
 * left out of the step it falls in.
 */
import type { RunnerEvent } from '../../protocol/events';
import { firstTensor, rowsOf } from './batch-shape';
import { clock } from './clock';
import type { StepTimeline } from './timeline';
import { isWrapped, wrap, WRAPPED, type Fn, type Proto } from './wrap';

export class EvaluationHooks {
  private evaluation: { depth: number; start: number; batches: number; samples: number } | null = null;

  constructor(
    private readonly timeline: StepTimeline,
    private readonly send: (event: RunnerEvent) => void,
    private readonly safely: (work: () => void) => void,
  ) {}

  /** testLoop runs fit's validation and evaluate(); evaluateDataset has a loop of its own. Both call
   * the model's test function once a batch, which makeTestFunction sets on the model. */
  hook(proto: Proto): void {
    const probe = this;
    wrap(proto, 'makeTestFunction', (original) =>
      function (this: unknown, ...args: unknown[]) {
        const result = original.apply(this, args);
        probe.safely(() => probe.countTestBatches(this));
        return result;
      },
    );
    wrap(proto, 'testLoop', (original) =>
      function (this: unknown, ...args: unknown[]) {
        probe.safely(() => probe.evalStarted());
        try {
          return original.apply(this, args);
        } finally {
          probe.safely(() => probe.evalEnded());
        }
      },
    );
    wrap(proto, 'evaluateDataset', (original) =>
      async function (this: unknown, ...args: unknown[]) {
        probe.safely(() => probe.evalStarted());
        try {
          return await original.apply(this, args);
        } finally {
          probe.safely(() => probe.evalEnded());
        }
      },
    );
  }

  private countTestBatches(model: unknown): void {
    const holder = model as { testFunction?: unknown };
    const test = holder.testFunction;
    if (typeof test !== 'function' || isWrapped(test)) return;
    const probe = this;
    const counting = function (this: unknown, ...args: unknown[]) {
      probe.safely(() => {
        if (!probe.evaluation) return;
        probe.evaluation.batches++;
        probe.evaluation.samples += rowsOf(firstTensor(args[0])) ?? 0;
      });
      return (test as Fn).apply(this, args);
    };
    Object.defineProperty(counting, WRAPPED, { value: test });
    holder.testFunction = counting;
  }

  private evalStarted(): void {
    if (this.evaluation) {
      this.evaluation.depth++;
      return;
    }
    this.evaluation = { depth: 1, start: clock.now(), batches: 0, samples: 0 };
  }

  private evalEnded(): void {
    const evaluation = this.evaluation;
    if (!evaluation || --evaluation.depth > 0) return;
    this.evaluation = null;
    const now = clock.now();
    this.send({ type: 'eval', t: evaluation.start, ms: now - evaluation.start, batches: evaluation.batches, samples: evaluation.samples || null });
    this.timeline.exclude(evaluation.start, now);
  }
}
