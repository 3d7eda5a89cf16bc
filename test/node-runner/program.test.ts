/**
 * The user's program behaves as under plain node: output, exit code, argv, cwd, its own errors; our
 * variables reach no child process; a failure of ours costs one warning, never the training.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { cleanEnv, eventsOf, FIXTURES, lineOf, makeRunnersDir, runInstrumented, runPlain, scriptResult } from './harness';

describe('node runner: the user program is unchanged', function () {
  this.timeout(120_000);
  let runnersDir: string;
  before(() => (runnersDir = makeRunnersDir()));
  after(() => fs.rmSync(runnersDir, { recursive: true, force: true }));

  it('stdout, stderr, exit code, argv and cwd are those of plain node', async () => {
    const argv = ['node', path.join(FIXTURES, 'echo_program.js'), 'two words', '--flag=x', ''];
    const plain = await runPlain(argv, runnersDir);
    const run = await runInstrumented(runnersDir, argv, { cwd: runnersDir });
    assert.equal(plain.exitCode, 3);
    assert.deepEqual({ exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr }, plain);
    assert.equal(eventsOf(run, 'bye')[0]?.exitCode, 3);
  });

  it("a throwing script: its file:line reported, node's own exit code and stderr", async () => {
    const script = path.join(FIXTURES, 'throws.js');
    const plain = await runPlain(['node', script]);
    const run = await runInstrumented(runnersDir, ['node', script]);
    assert.equal(plain.exitCode, 1);
    assert.equal(run.exitCode, plain.exitCode);
    assert.equal(run.stderr, plain.stderr);
    const [error] = eventsOf(run, 'error');
    assert.deepEqual(error && { file: error.file, line: error.line, excType: error.excType }, { file: script, line: lineOf(script, '// THROW LINE'), excType: 'RangeError' });
    assert.equal(eventsOf(run, 'step').length, 3);
    const [bye] = eventsOf(run, 'bye');
    assert.deepEqual(bye && { reason: bye.reason, exitCode: bye.exitCode }, { reason: 'exception', exitCode: 1 });
  });

  it("failing trainOnBatch calls: the script catches what it caught, an unawaited one still ends it as unhandled, and only good calls are steps", async () => {
    const script = path.join(FIXTURES, 'train_on_batch_fails.js');
    const plain = await runPlain(['node', script]);
    const run = await runInstrumented(runnersDir, ['node', script]);
    assert.equal(plain.exitCode, 1);
    assert.match(plain.stdout, /^CAUGHT input expected/m);
    assert.equal(run.exitCode, plain.exitCode);
    assert.equal(run.stdout, plain.stdout);
    const errorLine = (stderr: string) => stderr.split('\n').find((l) => l.startsWith('ValueError: '));
    assert.equal(errorLine(run.stderr), errorLine(plain.stderr));
    assert.deepEqual(eventsOf(run, 'step').map((s) => s.index), [0, 1, 2, 3]);
  });

  for (const launch of [['node'], ['npx', 'tsx']]) {
    it(`a child process started by the script inherits nothing of ours (\`${launch.join(' ')}\`)`, async () => {
      const userNodeOptions = '--max-old-space-size=3000';
      const run = await runInstrumented(runnersDir, [...launch, path.join(FIXTURES, 'spawns_child.js')], { env: cleanEnv({ NODE_OPTIONS: userNodeOptions }) });
      assert.equal(run.exitCode, 0, run.stderr);
      const line = run.stdout.split('\n').find((l) => l.startsWith('CHILD_ENV '));
      const inherited = JSON.parse(line!.slice('CHILD_ENV '.length)) as { nodeOptions: string | null; options: string | null };
      assert.deepEqual(inherited, { nodeOptions: userNodeOptions, options: null });
      assert.equal(eventsOf(run, 'hello').length, 1, 'one instrumented process');
    });
  }

  it('when the host hangs up, instrumentation stops with one warning and training goes on', async () => {
    const socket = path.join(runnersDir, 'hangs-up.sock');
    const server = net.createServer((connection) => connection.destroy());
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      const script = path.join(FIXTURES, 'train_on_batch.js');
      const run = await runInstrumented(runnersDir, ['node', script], { socket });
      assert.equal(run.exitCode, 0, run.stderr);
      assert.equal(scriptResult(run).steps, 60);
      const ours = run.stderr.split('\n').filter((l) => l.startsWith('trainlens:'));
      assert.equal(ours.length, 1, run.stderr);
      assert.match(ours[0]!, /instrumentation disabled/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
