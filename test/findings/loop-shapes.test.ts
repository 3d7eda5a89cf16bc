/**
 * Every common loop shape, as a recorded event stream next to the script that produced it: the
 * summary says what ends a step and reports only figures the steps support, the findings are the
 * ones that apply to what was seen (and not the ones that do not), and the status bar and the CLI
 * report say it in words. Expected figures are recomputed here from the raw events.
 */
import assert from 'node:assert/strict';
import { formatReport } from '../../src/cli/report-format';
import { figuresFromSummary, statusText, statusView, type StatusInput } from '../../src/core/editor-view/status-model';
import { escapeMarkdown } from '../../src/core/editor-view/markdown';
import { formatCompactRate, formatMs, formatRate, formatShare } from '../../src/core/format';
import type { RunSummary } from '../../src/core/summary';
import type { StageName, StepEvent } from '../../src/protocol/events';
import type { RecordedEvent } from '../../src/protocol/recording';
import { loadShape, shapeEvents } from './shape-fixture';

/** Figures of the steps the summary counts as steady state, summed straight from the events. */
function steadyTotals(events: readonly RecordedEvent[], summary: RunSummary) {
  const steps = events.filter((e): e is StepEvent => e.type === 'step').slice(summary.warmupSteps);
  const total = (f: (s: StepEvent) => number) => steps.reduce((sum, s) => sum + f(s), 0);
  const ms = total((s) => s.ms);
  return {
    count: steps.length,
    batchesPerSec: (steps.length / ms) * 1000,
    samplesPerSec: (total((s) => s.samples ?? 0) / ms) * 1000,
    tokensPerSec: (total((s) => s.tokens ?? 0) / ms) * 1000,
    share: (stage: StageName) => total((s) => s.stages[stage] ?? 0) / ms,
  };
}

function done(summary: RunSummary): StatusInput {
  return { phase: 'done', outcome: summary.status, label: 'train.py', figures: figuresFromSummary(summary), findings: summary.findings };
}

const near = (actual: number | null | undefined, expected: number, relative = 1e-9): void =>
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= relative * Math.abs(expected), `${actual} not within ${relative} of ${expected}`);

const codes = (summary: RunSummary): string[] => summary.findings.map((f) => f.code);
const allFixes = (summary: RunSummary): string[] => summary.findings.flatMap((f) => f.fixes);

describe('loop shapes: closure optimizer (LBFGS)', () => {
  const { events, summary } = loadShape('lbfgs-closure');
  const truth = steadyTotals(events, summary);

  it("counts optimizer steps and says so, with the closure's forward and backward in their own stages", () => {
    assert.equal(summary.steps, events.filter((e) => e.type === 'step').length);
    assert.deepEqual(summary.stepAnchor, { anchor: 'optimizer', detail: 'LBFGS with a closure', inferred: false });
    assert.deepEqual(summary.optimizers.map((o) => [o.kind, o.closure]), [['torch.optim.lbfgs.LBFGS', true]]);
    near(summary.throughput.batchesPerSec, truth.batchesPerSec);
    near(summary.stages.backward?.share, truth.share('backward'));
    assert.ok(truth.share('optimizer') < 0.3, 'the update alone is a small part of the step');
  });

  it('raises no optimizer finding and offers no optimizer fix', () => {
    assert.deepEqual(codes(summary), ['compute-bound']);
    assert.ok(!allFixes(summary).some((id) => id.startsWith('optimizer') || id.startsWith('zero-grad')));
  });

  it("stays silent on an older recording that counted the closure's forward and backward as optimizer", () => {
    const merged = shapeEvents('lbfgs-closure')
      .filter((e) => e.type !== 'optimizer' && e.type !== 'anchor')
      .map((e) => {
        if (e.type !== 'step') return e;
        const { forward = 0, backward = 0, optimizer = 0, other = 0 } = e.stages;
        return { ...e, stages: { optimizer: forward + backward + optimizer, other } };
      });
    const older = loadShape('lbfgs-closure', merged).summary;
    assert.ok((older.stages.optimizer?.share ?? 0) > 0.9);
    assert.equal(older.stepAnchor.inferred, true);
    assert.ok(!codes(older).includes('optimizer-heavy'), codes(older).join());
  });

  it("offers no per-parameter fix for LBFGS even when its update is heavy, and says what its time is", () => {
    const heavy = shapeEvents('lbfgs-closure').map((e) =>
      e.type === 'step' ? { ...e, ms: e.ms + 9 * (e.stages.optimizer ?? 0), stages: { ...e.stages, optimizer: 10 * (e.stages.optimizer ?? 0) } } : e,
    );
    const finding = loadShape('lbfgs-closure', heavy).summary.findings.find((f) => f.code === 'optimizer-heavy');
    assert.ok(finding);
    assert.match(finding.message, /without its closure's forward and backward/);
    assert.match(finding.message, /that is mostly LBFGS's own line search and history update, which no option speeds up: fewer iterations per step \(max_iter\)/);
    assert.equal(finding.evidence.closureOptimizers, 1);
    assert.deepEqual(finding.fixes, [], 'LBFGS has no foreach, and zero_grad memsets are not its cost');
  });

  it('shows batches/s and the largest stage in the status bar', () => {
    assert.equal(statusText(done(summary)), `$(check) done ${formatRate(truth.batchesPerSec)} batch/s · CPU 99% · backward ${formatShare(truth.share('backward'))}`);
    assert.match(statusView(done(summary)).tooltip, /Steps end at the optimizer step \(LBFGS with a closure\)\./);
  });
});

describe('loop shapes: GAN, two optimizers per DataLoader batch', () => {
  const { events, summary } = loadShape('gan-two-optimizers');
  const truth = steadyTotals(events, summary);

  it('counts one step per batch and lists both optimizers', () => {
    assert.equal(summary.steps, 60);
    assert.deepEqual(summary.stepAnchor, { anchor: 'dataloader', detail: '2 optimizers per step', inferred: false });
    assert.deepEqual(summary.optimizers.map((o) => `${o.kind}@${o.line}`), ['torch.optim.adam.Adam@12', 'torch.optim.adam.Adam@13']);
    near(summary.throughput.samplesPerSec, truth.samplesPerSec);
    assert.equal(summary.throughput.tokensPerSec, null, 'image batches carry no tokens');
  });

  it('finds the math sets the pace, and nothing about data or optimizers', () => {
    assert.deepEqual(codes(summary), ['compute-bound']);
  });

  it('reports the anchor and the optimizers in the CLI report', () => {
    const report = formatReport(summary);
    assert.ok(report.includes('            Steps end at the next DataLoader batch (2 optimizers per step); optimizers: Adam at train.py:12, Adam at train.py:13'), report.join('\n'));
    assert.equal(statusText(done(summary)), `$(check) done ${formatRate(truth.batchesPerSec)} batch/s · CPU 101% · data ${formatShare(truth.share('data'))}`);
  });
});

describe('loop shapes: gradient accumulation with tokens (nanoGPT-style)', () => {
  const { events, summary } = loadShape('grad-accumulation-tokens');
  const truth = steadyTotals(events, summary);

  it('counts optimizer steps and derives tokens/s from the same steady-state steps as batches/s', () => {
    assert.equal(summary.steps, 60);
    assert.deepEqual(summary.stepAnchor, { anchor: 'optimizer', detail: '4 micro-batches per step', inferred: false });
    near(summary.throughput.batchesPerSec, truth.batchesPerSec);
    near(summary.throughput.tokensPerSec, truth.tokensPerSec);
    near(summary.throughput.samplesPerSec, truth.samplesPerSec);
    near(summary.throughput.tokensPerSec, (summary.throughput.batchesPerSec ?? 0) * 4 * 12 * 64, 1e-9);
  });

  it('shows tokens/s in the status bar, its tooltip and the CLI report', () => {
    assert.equal(statusText(done(summary)), `$(check) done ${formatRate(truth.batchesPerSec)} batch/s · ${formatCompactRate(truth.tokensPerSec)} tok/s · CPU 100% · backward ${formatShare(truth.share('backward'))}`);
    assert.match(statusText(done(summary)), / · 1\d\.\dk tok\/s · /);
    assert.ok(statusView(done(summary)).tooltip.includes(`${formatRate(truth.tokensPerSec)} tokens/s`));
    assert.ok(formatReport(summary).some((l) => l.startsWith('Throughput') && l.endsWith(`· ${formatRate(truth.tokensPerSec)} tokens/s`)));
  });

  it("calls get_batch the model's input, and offers no metric-every-n on it", () => {
    const finding = summary.findings.find((f) => f.code === 'other-heavy');
    assert.ok(finding);
    assert.equal(finding.title, "Building the model's input takes much of each step");
    assert.match(finding.message, /the hottest, train\.py:18, computes what the model is fed \(it reaches the model at train\.py:28 through X, Y\)/);
    assert.deepEqual(finding.fixes, []);
    assert.ok(!allFixes(summary).includes('metric-every-n'));
  });
});

describe('loop shapes: manual updates anchored on backward (polynomial regression)', () => {
  const { events, summary } = loadShape('manual-update');
  const truth = steadyTotals(events, summary);

  it('counts every backward as a step (not one step for the whole run)', () => {
    assert.equal(summary.steps, 375);
    assert.deepEqual(summary.stepAnchor, { anchor: 'backward', detail: 'manual parameter updates, no optimizer', inferred: false });
    near(summary.throughput.batchesPerSec, truth.batchesPerSec);
    assert.deepEqual(summary.optimizers, []);
  });

  it('reports the time building features, but never metric-every-n on a line that feeds the model or updates it', () => {
    const finding = summary.findings.find((f) => f.code === 'other-heavy');
    assert.ok(finding);
    assert.equal(finding.severity, 'high');
    assert.deepEqual(
      finding.locations.map((l) => [l.line, l.why?.split('; ')[1]]),
      [
        [15, 'reaches the model at train.py:34 through batch_x, batch_y'],
        [38, 'updates the model by hand'],
        [19, 'reaches the model at train.py:34 through batch_x, batch_y'],
      ],
    );
    assert.deepEqual(finding.fixes, []);
    assert.ok(!codes(summary).includes('optimizer-heavy'));
  });

  it('says what ends a step in the status tooltip', () => {
    assert.equal(statusText(done(summary)), `$(check) done ${formatRate(truth.batchesPerSec)} batch/s · CPU 102% · other ${formatShare(truth.share('other'))}`);
    assert.match(statusView(done(summary)).tooltip, /Steps end at backward\(\) \(manual parameter updates, no optimizer\)\./);
  });
});

describe('loop shapes: no anchor', () => {
  const { summary } = loadShape('no-anchor');
  const words = 'steps not recognised: forward passes only, no backward() or optimizer step — showing time by line only';

  it('reports no throughput and no step figures, only time by line', () => {
    assert.deepEqual(summary.stepAnchor, { anchor: 'none', detail: 'forward passes only, no backward() or optimizer step', inferred: false });
    assert.equal(summary.steps, 0);
    assert.deepEqual(
      [summary.throughput.batchesPerSec, summary.throughput.samplesPerSec, summary.throughput.tokensPerSec, summary.throughput.stepMsMedian],
      [null, null, null, null],
    );
    assert.deepEqual(summary.stages, {});
    assert.deepEqual(summary.findings, []);
    assert.ok(summary.hotLines.length > 0);
  });

  it('says so plainly in the status bar, its tooltip and the CLI report', () => {
    assert.equal(statusText(done(summary)), `$(check) done ${words}`);
    assert.equal(statusText({ ...done(summary), phase: 'running', live: true }), `$(pulse) ${words}`);
    assert.ok(statusView(done(summary)).tooltip.includes(escapeMarkdown(words)));
    assert.ok(formatReport(summary).includes(`Steps       ${words}`));
    assert.ok(!formatReport(summary).some((l) => l.startsWith('Throughput')));
  });

  it('infers "none" for an older recording without anchor events, with the reason it can give', () => {
    const older = loadShape('no-anchor', shapeEvents('no-anchor').filter((e) => e.type !== 'anchor')).summary;
    assert.deepEqual(older.stepAnchor, { anchor: 'none', detail: 'no DataLoader batch, optimizer step or backward() was seen', inferred: true });
    assert.equal(older.throughput.batchesPerSec, null);
  });

  it('drops steps a runner sent before it settled on "none": no made-up throughput', () => {
    const events = shapeEvents('no-anchor');
    const at = events.findIndex((e) => e.type === 'anchor');
    const stray: RecordedEvent = { type: 'step', index: 0, t: 2500, ms: 40, samples: 64, stages: { forward: 30, other: 10 } };
    const summary = loadShape('no-anchor', [...events.slice(0, at), stray, ...events.slice(at)]).summary;
    assert.equal(summary.throughput.batchesPerSec, null);
    assert.deepEqual(summary.findings, []);
  });
});

describe('loop shapes: validation passes between epochs', () => {
  const { events, summary } = loadShape('eval-passes');
  const truth = steadyTotals(events, summary);
  const passes = events.filter((e) => e.type === 'eval');

  it('reports the passes as an eval phase, kept out of the training steps', () => {
    assert.equal(summary.steps, 120);
    assert.deepEqual(summary.eval, {
      passes: 3,
      batches: 30,
      ms: passes.reduce((sum, e) => sum + (e.type === 'eval' ? e.ms : 0), 0),
    });
    near(summary.throughput.batchesPerSec, truth.batchesPerSec);
    assert.deepEqual(summary.stepAnchor, { anchor: 'dataloader', detail: null, inferred: false });
  });

  it('sees no stall where validation ran', () => {
    assert.deepEqual(codes(summary), ['compute-bound']);
  });

  it('prints the eval phase in the CLI report', () => {
    assert.ok(formatReport(summary).includes(`Eval        3 passes, 30 batches, ${formatMs(summary.eval?.ms)} (kept out of the step figures)`));
  });
});
