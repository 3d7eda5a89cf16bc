// `npm test` prints each failed suite's failure report again under its summary (scripts/test-all.js):
// checked on what real mocha and unittest runs of a failing test print.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const { failureReport } = require('../../scripts/test-all.js') as { failureReport: (output: string) => string };

const REPO = path.join(__dirname, '..', '..');

describe('npm test: the failure report under the summary', () => {
  let folder: string;
  before(() => (folder = mkdtempSync(path.join(tmpdir(), 'trainlens-failure-report-'))));
  after(() => rmSync(folder, { recursive: true, force: true }));

  function output(command: string, args: string[]): string {
    const run = spawnSync(command, args, { cwd: folder, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '1' } });
    assert.notEqual(run.status, 0, 'the fixture suite was meant to fail');
    return run.stdout + run.stderr;
  }

  it("from a mocha run: the failing test's title and its assertion, not the passing ones", () => {
    writeFileSync(path.join(folder, 'suite.spec.js'), [
      "const assert = require('node:assert/strict');",
      "for (let i = 0; i < 50; i++) it(`passes ${i}`, () => {});",
      "it('reads 0.81 where 0.71 was measured', () => assert.equal(0.81, 0.71));",
    ].join('\n'));
    const report = failureReport(output(process.execPath, [path.join(REPO, 'node_modules', 'mocha', 'bin', 'mocha.js'), 'suite.spec.js']));
    assert.match(report, /^\s*1 failing/);
    assert.match(report, /reads 0\.81 where 0\.71 was measured/);
    assert.match(report, /0\.81/);
    assert.doesNotMatch(report, /passes 3|\x1b\[/);
  });

  it('from a unittest run: the FAIL block with its traceback', () => {
    writeFileSync(path.join(folder, 'test_fixture.py'), [
      'import unittest',
      'class Fixture(unittest.TestCase):',
      '    def test_passes(self):',
      '        pass',
      '    def test_share(self):',
      '        self.assertAlmostEqual(0.81, 0.71, delta=0.05)',
    ].join('\n'));
    const report = failureReport(output('/usr/bin/python3', ['-m', 'unittest', '-v', 'test_fixture']));
    assert.match(report, /^=+\nFAIL: test_share/);
    assert.match(report, /AssertionError: 0\.81 != 0\.71/);
    assert.doesNotMatch(report, /test_passes/);
  });

  it('at most 150 lines, and says how many more the suite printed', () => {
    const lines = ['  1 passing', '  1 failing', ...Array.from({ length: 199 }, (_, i) => `trace ${i}`)];
    const report = failureReport(lines.join('\n')).split('\n');
    assert.equal(report.length, 151);
    assert.equal(report[0], '  1 failing');
    assert.equal(report.at(-1), "… and 50 more lines: the suite's own output above has them");
  });

  it('from anything else: its last lines', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const report = failureReport(lines.join('\n')).split('\n');
    assert.equal(report.length, 40);
    assert.equal(report.at(-1), 'line 99');
  });
});
