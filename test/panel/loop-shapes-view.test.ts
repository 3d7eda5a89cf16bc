/** The panel's headline for the loop shapes: tokens/s, what ends a step, eval passes, and plainly no throughput without steps. */
import assert from 'node:assert/strict';
import { RunView } from '../../src/core/view/run-view';
import { loadShape, shapeEvents } from '../findings/shape-fixture';

function finalView(shape: Parameters<typeof loadShape>[0]): RunView {
  const { events, summary } = loadShape(shape);
  const view = new RunView('train.py');
  view.add(events);
  view.setSummary(summary);
  return view;
}

describe('panel headline: loop shapes', () => {
  it("shows a language model's tokens/s and what ends its steps", () => {
    const { summary } = loadShape('grad-accumulation-tokens');
    const headline = finalView('grad-accumulation-tokens').snapshot().view.tables.headline;
    assert.equal(headline.tokensPerSec, summary.throughput.tokensPerSec);
    assert.ok((headline.tokensPerSec ?? 0) > 0);
    assert.equal(headline.stepsNote, 'Steps end at the optimizer step (4 micro-batches per step)');
    assert.equal(headline.stepsRecognised, true);
  });

  it('says steps were not recognised, live and final, with no rates and no stage table', () => {
    const live = new RunView('train.py');
    live.add(shapeEvents('no-anchor'));
    for (const view of [live, finalView('no-anchor')]) {
      const { headline, stages } = view.snapshot().view.tables;
      assert.equal(headline.stepsRecognised, false);
      assert.equal(headline.stepsNote, 'steps not recognised: forward passes only, no backward() or optimizer step — showing time by line only');
      assert.deepEqual([headline.batchesPerSec, headline.samplesPerSec, headline.tokensPerSec], [null, null, null]);
      assert.deepEqual(stages.rows, []);
    }
  });

  it('shows eval passes apart from the steps, live as they come and from the summary', () => {
    const events = shapeEvents('eval-passes');
    const live = new RunView('train.py');
    live.add(events.slice(0, events.findIndex((e) => e.type === 'eval') + 1));
    assert.equal(live.snapshot().view.tables.headline.eval?.passes, 1);
    const { summary } = loadShape('eval-passes');
    assert.deepEqual(finalView('eval-passes').snapshot().view.tables.headline.eval, summary.eval);
  });
});
