/**
 * tensorflow/tfjs-examples abalone-node: fitDataset over tf.data.csv with a per-row map in data.js
 * and a validation pass per epoch, run as `node train.js --epochs N`.
 *
 * It requires @tensorflow/tfjs-node, which cannot install offline (it downloads libtensorflow). As
 * in test/node-runner/packages.test.ts, a project folder stands in for it: its
 * node_modules/@tensorflow/tfjs-node is test/realworld/tfjs-node-standin (the @tensorflow/tfjs
 * union package on the CPU backend, plus tfjs-node's own file:// model IO, which the script saves
 * and loads its model with); argparse is the 1.x that tfjs itself depends on, the version whose API
 * the script uses.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../../src/core/summary';
import { REPO } from '../integration/cli-harness';
import { assertCount, assertRate, assertShare, assertSteps, place, printRow, sameFile, samePlace } from './checks';
import { fileShares, type CpuProfile } from './cpu-profile';
import { corpusFile, lineNumberOf, makeData, readJson, record, workspace } from './harness';
import { batchesPerSec, sum, type Span, type TfjsClock } from './truth';

const EPOCHS = 5;
const STEP_STAGES = new Set(['data', 'forward', 'backward', 'forwardBackward', 'optimizer', 'other']);

/** The example's folder as `yarn` would leave it, with the stand-in and the tests' clock installed. */
function project(dir: string): { root: string; clock: string } {
  const root = path.join(dir, 'abalone-node');
  fs.cpSync(corpusFile('tfjs-examples', 'abalone-node'), root, { recursive: true });
  const modules = path.join(root, 'node_modules');
  fs.cpSync(corpusFile('tfjs-node-standin'), path.join(modules, '@tensorflow', 'tfjs-node'), { recursive: true });
  const tfjs = path.join(REPO, 'node_modules', '@tensorflow', 'tfjs');
  reexport(path.join(modules, '@tensorflow', 'tfjs'), tfjs);
  reexport(path.join(modules, 'argparse'), path.dirname(require.resolve('argparse/package.json', { paths: [tfjs] })));
  const clock = path.join(modules, 'realworld-truth-clock', 'index.js');
  fs.mkdirSync(path.dirname(clock));
  fs.copyFileSync(corpusFile('truth', 'tfjs_clock.js'), clock);
  // train.js reads ./abalone.csv (it used to download it there first).
  makeData('abalone', path.join(root, 'abalone.csv'), 4177);
  return { root, clock };
}

/** A package at `dir` whose entry is the installed package at `real`, with its name and version. */
function reexport(dir: string, real: string): void {
  const { name, version } = JSON.parse(fs.readFileSync(path.join(real, 'package.json'), 'utf8')) as { name: string; version: string };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
  fs.writeFileSync(path.join(dir, 'index.js'), `module.exports = require(${JSON.stringify(real)});\n`);
}

/** Batch ends, and the time between an epoch's last batch and the next epoch (validation, epoch end). */
function steps(clock: TfjsClock): { ends: number[]; between: Span[] } {
  const ends = clock.batches.map(([, end]) => end);
  const between: Span[] = clock.epochs.slice(1).map((epoch) => [Math.max(...ends.filter((t) => t < epoch.beginUs)), epoch.beginUs]);
  return { ends, between };
}

describe('tensorflow/tfjs-examples abalone-node: fitDataset over tf.data.csv, per-row map, validation per epoch', function () {
  this.timeout(240_000);
  let dir: string;
  let root: string;
  let summary: RunSummary | undefined;
  let clock: TfjsClock;
  let profiled: { profile: CpuProfile; clock: TfjsClock };

  before(function () {
    dir = workspace('abalone-node');
    const made = project(dir);
    root = made.root;
    const args = ['train.js', '--epochs', String(EPOCHS)];
    const clockFile = path.join(dir, 'clock.json');
    summary = record(['node', '--require', made.clock, ...args], root, { ...process.env, REALWORLD_CLOCK_OUT: clockFile }).summary;
    clock = readJson<TfjsClock>(clockFile);
    // The same run apart, under V8's own sampling profiler, for the files' shares of the time.
    const profiles = path.join(dir, 'profiles');
    const profiledClock = path.join(dir, 'profiled-clock.json');
    const plain = spawnSync('node', ['--cpu-prof', '--cpu-prof-dir', profiles, '--cpu-prof-interval', '500', '--require', made.clock, ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, REALWORLD_CLOCK_OUT: profiledClock },
    });
    assert.equal(plain.status, 0, plain.stderr);
    profiled = { profile: readJson<CpuProfile>(path.join(profiles, fs.readdirSync(profiles)[0]!)), clock: readJson<TfjsClock>(profiledClock) };
  });

  const ran = () => {
    assert.ok(summary, 'the recording did not complete');
    return summary;
  };
  const truthBatchesPerSec = () => batchesPerSec(steps(clock).ends, steps(clock).between, 1e6);
  const fitCall = () => ({ file: path.join(root, 'train.js'), line: lineNumberOf(path.join(root, 'train.js'), 'await model.fitDataset(') });
  const truthShares = () =>
    fileShares(profiled.profile, root, [profiled.clock.batches[0]![1]!, profiled.clock.exitUs], {
      spans: profiled.clock.trainBeginUs.map((begin, i): Span => [begin, profiled.clock.trainEndUs[i] ?? profiled.clock.exitUs]),
      caller: fitCall().file,
    }).shares;
  const measuredShareOf = (file: string) => sum(ran().hotLines.filter((l) => sameFile(l.file, file)).map((l) => l.share));

  after(function () {
    if (summary) {
      const top = summary.hotLines[0];
      printRow({
        script: 'tensorflow/tfjs-examples abalone-node',
        shape: 'fitDataset over tf.data.csv, map per row, validation per epoch',
        steps: [clock.batches.length, summary.steps],
        batchesPerSec: [truthBatchesPerSec(), summary.throughput.batchesPerSec],
        topLine: top ? { line: `${place(top)} (${top.stage})`, share: top.share, truthShare: [...truthShares()].find(([file]) => sameFile(file, top.file))?.[1] ?? 0 } : undefined,
      });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is reported as @tensorflow/tfjs-node, the package the script requires', () => {
    assert.equal(ran().frameworkPackage, '@tensorflow/tfjs-node');
  });

  it("counts fitDataset's batches as steps", () => {
    assertSteps(ran().steps, clock.batches.length);
  });

  it('measures batches/s within 10% of the batches timed by its own fit callback', () => {
    assertRate(ran().throughput.batchesPerSec, truthBatchesPerSec());
  });

  it("ends steps at the framework's batches and says so", () => {
    assert.equal(ran().stepAnchor.anchor, 'framework');
  });

  it('reports each epoch\'s validation pass apart from the steps', () => {
    const validated = clock.epochs.filter((e) => e.validated).length;
    assertCount(ran().eval?.passes ?? 0, validated, 'eval passes');
  });

  it('gives the fitDataset call site the samples taken in steps', () => {
    const call = ran().hotLines.find((l) => samePlace(l, fitCall()));
    assert.ok(call, `${place(fitCall())} is not a hot line; hot lines: ${ran().hotLines.slice(0, 5).map((l) => `${place(l)} ${l.share.toFixed(3)}`).join(', ')}`);
    assert.ok(STEP_STAGES.has(call.stage), `its samples are mostly in ${call.stage}`);
  });

  it("gives data.js (the per-row map) and train.js each their share of V8's own profile, within 0.1", () => {
    const truth = truthShares();
    for (const name of ['data.js', 'train.js']) {
      const file = path.join(root, name);
      assertShare(measuredShareOf(file), [...truth].find(([f]) => sameFile(f, file))?.[1] ?? 0, `${name} share`);
    }
  });
});
