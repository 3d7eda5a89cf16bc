import assert from 'node:assert/strict';
import { RunAggregator, throughputOf } from '../../src/core/aggregator';
import { anchorSentence, resolveStepAnchor, stepsNotRecognisedText } from '../../src/core/step-anchor';
import type { StepEvent } from '../../src/protocol/events';
import type { RecordedEvent } from '../../src/protocol/recording';

const step = (index: number, fields: Partial<StepEvent> = {}): StepEvent => ({ type: 'step', index, t: index * 100, ms: 100, stages: { forward: 60, other: 40 }, ...fields });

function aggregate(events: RecordedEvent[]): RunAggregator {
  const aggregator = new RunAggregator();
  for (const event of events) aggregator.add(event);
  return aggregator;
}

describe('step anchor', () => {
  it("takes the runner's last anchor event", () => {
    const summary = aggregate([
      { type: 'anchor', anchor: 'backward', detail: 'no optimizer seen yet' },
      { type: 'anchor', anchor: 'optimizer', detail: '2 optimizers per step' },
      step(0),
    ]).summary('/r');
    assert.deepEqual(summary.stepAnchor, { anchor: 'optimizer', detail: '2 optimizers per step', inferred: false });
  });

  it('infers what older runners anchored on: fit batches for tfjs, DataLoader batches when a loader was built, else optimizer steps', () => {
    const tfjs: RecordedEvent = { type: 'framework', name: 'tfjs', version: '4.22.0', device: 'cpu', stages: ['data', 'forwardBackward', 'optimizer', 'other'] };
    const loader: RecordedEvent = { type: 'loader', kind: 'torch.utils.data.dataloader.DataLoader', file: '/w/train.py', line: 3 };
    assert.equal(aggregate([tfjs, step(0)]).summary('/r').stepAnchor.anchor, 'framework');
    assert.equal(aggregate([loader, step(0)]).summary('/r').stepAnchor.anchor, 'dataloader');
    assert.deepEqual(aggregate([step(0)]).summary('/r').stepAnchor, { anchor: 'optimizer', detail: null, inferred: true });
  });

  it('says why when no step was seen, in words for the framework', () => {
    const why = (framework: 'pytorch' | 'tfjs' | null) => resolveStepAnchor({ event: undefined, framework, steps: 0, loaderSeen: false }).detail;
    assert.equal(why('pytorch'), 'no DataLoader batch, optimizer step or backward() was seen');
    assert.equal(why('tfjs'), 'no fit() or fitDataset() batch was seen');
    assert.equal(why(null), 'no PyTorch or TensorFlow.js training was seen');
    assert.equal(stepsNotRecognisedText({ detail: 'x' }), 'steps not recognised: x — showing time by line only');
    assert.equal(stepsNotRecognisedText({ detail: 'no backward() seen: showing time by line only' }), 'steps not recognised: no backward() seen — showing time by line only');
  });

  it("words what ends a step once, whether or not the runner's detail already says it", () => {
    const sentence = (detail: string | null, inferred = false) => anchorSentence({ anchor: 'backward', detail, inferred });
    assert.equal(sentence('manual updates'), 'Steps end at backward() (manual updates)');
    assert.equal(sentence('steps end at backward(); no optimizer.step()'), 'Steps end at backward(); no optimizer.step()');
    assert.equal(sentence(null, true), 'Steps end at backward() (inferred: the recording predates step anchors)');
  });

  it('shows no live figures once the runner says it recognises no steps', () => {
    const aggregator = aggregate([step(0), step(1)]);
    assert.equal(aggregator.live().batchesPerSec, 10);
    assert.equal(aggregator.live().stepAnchor, null, 'unknown until the runner says');
    aggregator.add({ type: 'anchor', anchor: 'none', detail: 'forward passes only' });
    const live = aggregator.live();
    assert.deepEqual([live.batchesPerSec, live.samplesPerSec, live.tokensPerSec, live.stageShares], [null, null, null, {}]);
    assert.equal(live.stepAnchor?.anchor, 'none');
  });
});

describe('throughput', () => {
  it('counts tokens and samples per second over the steps, only when every step counted them', () => {
    const counted = [step(0, { samples: 48, tokens: 3072, micro: 4 }), step(1, { samples: 48, tokens: 3072, micro: 4 })];
    assert.deepEqual(throughputOf(counted), { batchesPerSec: 10, samplesPerSec: 480, tokensPerSec: 30720 });
    const partial = [...counted, step(2, { samples: 48 })];
    assert.equal(throughputOf(partial).tokensPerSec, null, 'a partial figure would mislead');
    assert.equal(throughputOf(partial).samplesPerSec, 480);
  });

  it('sums eval passes apart from the steps', () => {
    const summary = aggregate([
      step(0),
      { type: 'eval', t: 100, ms: 40, batches: 10, samples: 640 },
      step(1, { t: 140 }),
      { type: 'eval', t: 240, ms: 44, batches: 12 },
    ]).summary('/r');
    assert.deepEqual(summary.eval, { passes: 2, batches: 22, ms: 84 });
    assert.equal(summary.throughput.batchesPerSec, 10);
    assert.equal(aggregate([step(0)]).summary('/r').eval, null);
  });
});
