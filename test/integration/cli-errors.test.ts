/** Bad input gets a clear message and loses nothing. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { example, runCli, tempDir } from './cli-harness';

describe('trainlens record: bad input', function () {
  this.timeout(60_000);

  it('a missing script is named', () => {
    const r = runCli(['record', '--out', tempDir(), '--', '/usr/bin/python3', 'no/such/train.py']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /script not found: .*no\/such\/train\.py/);
  });

  it('a missing interpreter is named', () => {
    const r = runCli(['record', '--out', tempDir(), '--', 'python3.99', example('pytorch', 'input_bound.py')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot start python3\.99: not found/);
  });

  it('a command that is neither Python nor Node says what is supported', () => {
    const r = runCli(['record', '--out', tempDir(), '--', 'ruby', 'train.rb']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /"ruby" is not a command TrainLens can profile.*Python scripts/);
  });

  it('an unwritable recording directory is reported before anything runs', () => {
    // A file where the directory should be: fails even for root, unlike a permission bit.
    const blocker = path.join(tempDir(), 'runs');
    fs.writeFileSync(blocker, '');
    const r = runCli(['record', '--out', path.join(blocker, 'inner'), '--', '/usr/bin/python3', example('pytorch', 'input_bound.py')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot write the recording in/);
  });

  it('a corrupt recording gets a clear message', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'events.jsonl'), 'garbage\n{"half":');
    const r = runCli(['report', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not a TrainLens recording/);
  });
});
