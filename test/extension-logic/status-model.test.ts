import assert from 'node:assert/strict';
import { COMMANDS } from '../../src/core/editor-view/commands';
import { headlineStage, statusText, statusView, type StatusFigures, type StatusInput } from '../../src/core/editor-view/status-model';
import { formatCompactRate } from '../../src/core/format';
import { finding } from './fixtures';

const figures: StatusFigures = {
  steps: 523,
  batchesPerSec: 42.13,
  samplesPerSec: 1348.2,
  tokensPerSec: null,
  stepAnchor: { anchor: 'dataloader', detail: null, inferred: false },
  stageShares: { data: 0.12, forward: 0.3, backward: 0.5, optimizer: 0.08 },
  gpuUtilPct: 87.2,
  cpuPct: 140,
};
const running: StatusInput = { phase: 'running', label: 'train.py', figures, findings: [], live: true };

describe('status bar view', () => {
  it('shows throughput, GPU use and the data share', () => {
    assert.equal(statusText(running), '$(pulse) 42.1 batch/s · GPU 87% · data 12%');
  });

  it('falls back to process CPU without a GPU, and to the largest stage without a data stage', () => {
    const tfjs = { ...figures, gpuUtilPct: null, stageShares: { forwardBackward: 0.9, other: 0.1 } };
    assert.equal(statusText({ ...running, figures: tfjs }), '$(pulse) 42.1 batch/s · CPU 140% · forward+backward 90%');
    assert.equal(headlineStage({}), undefined);
  });

  it("shows a language model's tokens/s after batch/s, short enough for the bar", () => {
    assert.equal(statusText({ ...running, figures: { ...figures, tokensPerSec: 50_123 } }), '$(pulse) 42.1 batch/s · 50.1k tok/s · GPU 87% · data 12%');
    assert.deepEqual([987, 9_999, 12_345, 4_560_000].map(formatCompactRate), ['987', '9,999', '12.3k', '4.56M']);
    assert.match(statusView({ ...running, figures: { ...figures, tokensPerSec: 50_123 } }).tooltip, /1,348 samples\/s · 50,123 tokens\/s/);
  });

  it('says plainly when steps were not recognised, and shows no throughput', () => {
    const none = { ...figures, steps: 0, batchesPerSec: null, samplesPerSec: null, stepAnchor: { anchor: 'none' as const, detail: 'no backward() seen', inferred: false } };
    const words = 'steps not recognised: no backward() seen — showing time by line only';
    assert.equal(statusText({ ...running, figures: none }), `$(pulse) ${words}`);
    assert.equal(statusText({ ...running, phase: 'done', outcome: 'stopped', figures: none }), `$(debug-stop) stopped ${words}`);
    assert.doesNotMatch(statusView({ ...running, figures: none }).tooltip, /batch\/s/);
  });

  it('says what is happening before the first step and after the end', () => {
    assert.match(statusText({ ...running, figures: { ...figures, steps: 0 } }), /waiting for the first step/);
    assert.match(statusText({ ...running, phase: 'starting', figures: null }), /^\$\(loading~spin\) TrainLens: starting train\.py/);
    assert.match(statusText({ ...running, phase: 'done', outcome: 'stopped' }), /^\$\(debug-stop\) stopped 42\.1 batch\/s/);
    assert.equal(statusText({ ...running, phase: 'failed', figures: null }), '$(error) TrainLens: run failed');
  });

  it('looks finished once the run ends: its own icon and word per outcome, and the time since, refreshed once a minute', () => {
    const endedAtMs = Date.parse('2026-12-06T05:00:00Z');
    const done = (outcome: StatusInput['outcome'], minutes: number): string =>
      statusText({ ...running, live: false, phase: 'done', outcome, endedAtMs, nowMs: endedAtMs + minutes * 60_000 });
    assert.equal(done('completed', 2.5), '$(check) done 42.1 batch/s · GPU 87% · data 12% · 2 min ago');
    assert.equal(done('stopped', 0.5), '$(debug-stop) stopped 42.1 batch/s · GPU 87% · data 12% · just now');
    assert.equal(done('failed', 90), '$(error) failed 42.1 batch/s · GPU 87% · data 12% · 1 h ago');
    assert.equal(done('running', 3 * 24 * 60), '$(warning) cut off 42.1 batch/s · GPU 87% · data 12% · 3 days ago');
    assert.notEqual(done('completed', 0).split(' ')[0], statusText(running).split(' ')[0], 'the live pulse is not the finished icon');
    assert.equal(statusView({ ...running, phase: 'done', outcome: 'completed', endedAtMs }).refreshMs, 60_000);
    assert.equal(statusView(running).refreshMs, null);
  });

  it('turns to a warning only while a high-severity finding is active', () => {
    assert.equal(statusView(running).warning, false);
    assert.equal(statusView({ ...running, findings: [finding({ severity: 'moderate' })] }).warning, false);
    assert.equal(statusView({ ...running, findings: [finding()] }).warning, true);
  });

  it('has a Markdown tooltip with the stage table, findings and command links it trusts', () => {
    const view = statusView({ ...running, findings: [finding()] });
    assert.match(view.tooltip, /\| Stage \| Share of step time \(last 5 s\) \|/);
    assert.match(view.tooltip, /\| data \| 12% \|/);
    assert.match(view.tooltip, /\$\(warning\) \*\*Input-bound\*\*: The data stage/);
    assert.match(view.tooltip, /\[\$\(debug-stop\) Stop\]\(command:trainlens\.stop\)/);
    assert.deepEqual(view.linkedCommands, [COMMANDS.stop, COMMANDS.showPanel]);
    for (const command of view.linkedCommands) assert.ok(view.tooltip.includes(`command:${command}`));
    const done = statusView({ ...running, phase: 'done', outcome: 'completed', live: false });
    assert.deepEqual(done.linkedCommands, [COMMANDS.showPanel, COMMANDS.clearAnnotations]);
    assert.doesNotMatch(done.tooltip, /command:trainlens\.stop/);
  });

  it('escapes what comes from the user\'s program', () => {
    const view = statusView({ ...running, label: 'my`odd`_script.py', findings: [finding({ title: '[link](command:evil)', message: '*x*' })] });
    assert.doesNotMatch(view.tooltip, /[^\\]\]\(command:evil\)/);
    assert.match(view.tooltip, /\\\*x\\\*/);
    assert.match(view.tooltip, /``my`odd`_script\.py``/);
  });
});
