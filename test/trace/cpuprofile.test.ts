/** A V8 CPU profile made here by `node --cpu-prof`, imported: its hot line is the script's busy loop. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSummary } from '../../src/host/recording/recording-reader';
import { importTrace } from '../../src/host/trace/import-trace';

const BUSY_SCRIPT = `
function busy(ms) {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1); // the hot line
  return x;
}
let total = 0;
for (let i = 0; i < 40; i++) total += busy(10);
console.log(total > 0);
`;

describe('import: a V8 .cpuprofile', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-cpuprofile-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('time by line, the busy loop hottest, no steps and says why', async () => {
    const script = path.join(dir, 'busy.js');
    fs.writeFileSync(script, BUSY_SCRIPT);
    const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', 'busy.cpuprofile', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const { dir: recording } = await importTrace(path.join(dir, 'busy.cpuprofile'), path.join(dir, 'runs'));
    const summary = loadSummary(recording);
    assert.equal(summary.runner, 'node');
    assert.equal(summary.steps, 0);
    assert.equal(summary.stepAnchor.anchor, 'none');
    assert.match(summary.stepAnchor.detail ?? '', /CPU profile marks no training steps/);
    const top = summary.hotLines[0]!;
    assert.equal(top.file, script);
    assert.ok([4, 5].includes(top.line), `the busy loop (line ${top.line})`);
    // The loop ran 400 ms of the profile's time: most of what was sampled.
    assert.ok(top.share > 0.5, String(top.share));
    assert.equal(summary.imported?.format, 'v8-cpuprofile');
  });
});
