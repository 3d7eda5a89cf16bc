/**
 * Language-model trainers, run with the flags their READMEs use: their own printed timings are the
 * truth for steps and rates; the tests' line sampler (truth/truth_run.py) rides in the same run for
 * the top line. pytorch/examples word_language_model: an LSTM on integer [T, B] batches cut
 * by hand from one tensor, updated by hand (p.data.add_), a validation pass per epoch and a test
 * pass at the end. nanoGPT's train.py: hand-rolled get_batch over a uint16 memmap, gradient
 * accumulation, periodic estimate_loss() in eval mode.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../../src/core/summary';
import { TORCH_PYTHON } from '../integration/cli-harness';
import { assertBetween, assertRate, assertSteps, assertTopLine, printRow, topLineRow } from './checks';
import { corpusFile, linesMatching, makeData, recordWithTruth, workspace } from './harness';
import { lineShares, steadyRate, sum, type LineShare } from './truth';

interface LmRun {
  summary: RunSummary;
  output: string;
  /** The tests' line sampler's shares, from the same run. */
  lines: LineShare[];
}

describe('pytorch/examples word_language_model: manual updates, no optimizer, no DataLoader, LSTM on [T, B] token batches', function () {
  this.timeout(240_000);
  const BATCH = 20; // the script's default --batch_size
  const BPTT = 35; // and --bptt
  let dir: string;
  let run: LmRun | undefined;
  let trainTokens = 0;

  before(function () {
    dir = workspace('word-language-model');
    const data = path.join(dir, 'wikitext');
    makeData('wikitext', data, 14_000, 1_000, 1_000);
    // data.Corpus reads every line of train.txt as its words plus an <eos>.
    trainTokens = sum(fs.readFileSync(path.join(data, 'train.txt'), 'utf8').split('\n').slice(0, -1).map((l) => l.split(/\s+/).filter(Boolean).length + 1));
    const script = corpusFile('pytorch-examples', 'word_language_model', 'main.py');
    const args = ['--data', data, '--epochs', '2', '--emsize', '64', '--nhid', '64', '--log-interval', '1', '--save', path.join(dir, 'model.pt')];
    const recorded = recordWithTruth(script, args, dir);
    run = { ...recorded, lines: lineShares(recorded.lines) };
  });

  /** Its per-batch log (--log-interval 1): batch b >= 1, with the ms since the previous log line. */
  const batchLines = () => linesMatching(ran().output, /^\| epoch +(\d+) \| +(\d+)\/ *\d+ batches .*\| ms\/batch +([\d.]+) \|/).map((m) => ({ epoch: Number(m[1]), batch: Number(m[2]), ms: Number(m[3]) }));
  const ran = () => {
    assert.ok(run, 'the recording did not complete');
    return run;
  };
  /** Rows of the batchified training tensor, and so the batches of one epoch (range(0, rows - 1, bptt)). */
  const rows = () => Math.floor(trainTokens / BATCH);
  const batchesPerEpoch = () => Math.ceil((rows() - 1) / BPTT);
  /** Each line from the second of an epoch covers exactly one batch; the first covers batches 0 and 1. */
  const steady = () => batchLines().filter((l) => l.batch >= 2);
  const truthBatchesPerSec = () => steadyRate(steady().map((l) => l.ms));
  /** Batch b holds the rows from b × bptt, bptt of them but for the last: B×T tokens. */
  const tokensOf = (batch: number) => BATCH * Math.min(BPTT, rows() - 1 - batch * BPTT);
  const truthTokensPerSec = () => truthBatchesPerSec() * (sum(steady().map((l) => tokensOf(l.batch))) / steady().length);
  const printedSteps = () => batchLines().length + new Set(batchLines().map((l) => l.epoch)).size;

  after(function () {
    if (run) printRow({ script: 'pytorch/examples word_language_model', shape: 'manual updates, hand-cut [T, B] batches, eval per epoch', steps: [printedSteps(), run.summary.steps], batchesPerSec: [truthBatchesPerSec(), run.summary.throughput.batchesPerSec], topLine: topLineRow(run.summary, run.lines) });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("counts the script's own batches as steps", () => {
    assert.equal(printedSteps(), 2 * batchesPerEpoch(), 'its log and its data agree on the batches');
    assertSteps(ran().summary.steps, printedSteps());
  });

  it('measures batches/s within 10% of its printed ms/batch (steady state, as TrainLens defines it)', () => {
    assertRate(ran().summary.throughput.batchesPerSec, truthBatchesPerSec());
  });

  it('ends steps at each backward() and says so', () => {
    assert.equal(ran().summary.stepAnchor.anchor, 'backward');
  });

  it('shows tokens/s (B×T of each integer batch) within 10% of the printed rate times the tokens per batch', () => {
    assertRate(ran().summary.throughput.tokensPerSec, truthTokensPerSec(), 'tokens/s');
  });

  it('reports the validation and test passes apart from the steps', () => {
    const validations = linesMatching(ran().output, /^\| end of epoch/).length;
    // The last validation and the test pass have no training step between them: one pass or two.
    assertBetween(ran().summary.eval?.passes ?? 0, validations, validations + 1, 'eval passes');
  });

  it("ranks first the line the tests' own sampler ranks first, with its share within 0.1", () => {
    assertTopLine(ran().summary.hotLines, ran().lines);
  });
});

describe('karpathy/nanoGPT train.py: gradient accumulation, hand-rolled get_batch, integer [B, T] inputs, estimate_loss every 10 iterations', function () {
  this.timeout(240_000);
  const BLOCK = 32;
  // The README's CPU recipe (--device=cpu --compile=False) made smaller; float32, since the default
  // float16 GradScaler is CUDA-only.
  const flags = ['--device=cpu', '--compile=False', '--dtype=float32', '--n_layer=2', '--n_head=2', '--n_embd=64', `--block_size=${BLOCK}`, '--batch_size=8', '--gradient_accumulation_steps=4', '--max_iters=30', '--lr_decay_iters=30', '--eval_interval=10', '--eval_iters=4', '--log_interval=1', '--dropout=0.0'];
  let dir: string;
  let run: LmRun | undefined;

  before(function () {
    dir = workspace('nanogpt');
    const repo = path.join(dir, 'nanoGPT');
    fs.cpSync(corpusFile('nanogpt'), repo, { recursive: true });
    // prepare.py downloads input.txt only when it is missing; it encodes this local text as it would Shakespeare.
    makeData('text', path.join(repo, 'data', 'shakespeare_char', 'input.txt'), 100_000);
    const prepared = spawnSync(TORCH_PYTHON, ['data/shakespeare_char/prepare.py'], { cwd: repo, encoding: 'utf8' });
    assert.equal(prepared.status, 0, prepared.stderr);
    const args = ['config/train_shakespeare_char.py', ...flags];
    const recorded = recordWithTruth(path.join(repo, 'train.py'), args, repo);
    run = { ...recorded, lines: lineShares(recorded.lines) };
  });

  const ran = () => {
    assert.ok(run, 'the recording did not complete');
    return run;
  };
  const iterations = () => linesMatching(ran().output, /^iter (\d+): loss [\d.]+, time ([\d.]+)ms/).map((m) => ({ iter: Number(m[1]), ms: Number(m[2]) }));
  const evalsAt = () => linesMatching(ran().output, /^step (\d+): train loss/).map((m) => Number(m[1]));
  const tokensPerIteration = () => Number(linesMatching(ran().output, /^tokens per iteration will be: ([\d,]+)/)[0]![1]!.replace(/,/g, ''));
  /** Its printed time per iteration, less the iterations whose time includes an estimate_loss (and iteration 0's set-up). */
  const trainingOnly = () => iterations().filter((i) => i.iter > 0 && !evalsAt().includes(i.iter));
  const truthBatchesPerSec = () => steadyRate(trainingOnly().map((i) => i.ms));

  after(function () {
    if (run) printRow({ script: 'karpathy/nanoGPT train.py', shape: 'grad accumulation ×4, get_batch, [B, T] tokens, eval every 10', steps: [iterations().length, run.summary.steps], batchesPerSec: [truthBatchesPerSec(), run.summary.throughput.batchesPerSec], topLine: topLineRow(run.summary, run.lines) });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts one step per optimizer step, not one per micro-batch', () => {
    assertSteps(ran().summary.steps, iterations().length);
  });

  it('measures batches/s within 10% of its printed time per iteration', () => {
    assertRate(ran().summary.throughput.batchesPerSec, truthBatchesPerSec());
  });

  it('ends steps at each optimizer step and says so', () => {
    assert.equal(ran().summary.stepAnchor.anchor, 'optimizer');
  });

  it('shows tokens/s within 10% of its printed tokens per iteration times its rate', () => {
    assertRate(ran().summary.throughput.tokensPerSec, tokensPerIteration() * truthBatchesPerSec(), 'tokens/s');
  });

  it('counts the samples of all micro-batches of a step in samples/s (within 10%)', () => {
    assertRate(ran().summary.throughput.samplesPerSec, (tokensPerIteration() / BLOCK) * truthBatchesPerSec(), 'samples/s');
  });

  it('reports the estimate_loss passes after training began apart from the steps', () => {
    const after0 = evalsAt().filter((at) => at > 0).length;
    // The pass before the first step may count as start-up or as an eval pass.
    assertBetween(ran().summary.eval?.passes ?? 0, after0, evalsAt().length, 'eval passes');
  });

  it("ranks first the line the tests' own sampler ranks first, with its share within 0.1", () => {
    assertTopLine(ran().summary.hotLines, ran().lines);
  });
});
