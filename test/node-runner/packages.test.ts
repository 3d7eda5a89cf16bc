/**
 * The framework is reported under the package the script asked for. tfjs-node and tfjs-node-gpu
 * download libtensorflow on install, so a project folder stands in for them here: its
 * node_modules/@tensorflow/tfjs-node is a package of that name whose entry re-exports the real
 * @tensorflow/tfjs, as the real one does after registering its backend.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { record, tempDir } from '../integration/cli-harness';
import { FIXTURES, REPO } from './harness';

function projectWith(name: string, version: string): string {
  const project = tempDir('trainlens-tfjs-package-');
  const dir = path.join(project, 'node_modules', ...name.split('/'));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
  const real = path.join(REPO, 'node_modules', '@tensorflow', 'tfjs');
  fs.writeFileSync(path.join(dir, 'index.js'), `module.exports = require(${JSON.stringify(real)});\n`);
  fs.copyFileSync(path.join(FIXTURES, 'uses_package.js'), path.join(project, 'uses_package.js'));
  return project;
}

describe('node runner: tfjs package names', function () {
  this.timeout(120_000);

  for (const name of ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
    it(`${name} is reported by its own name and version`, () => {
      const project = projectWith(name, '4.22.7');
      try {
        const run = record(path.join(project, 'uses_package.js'), [name], { out: path.join(project, 'runs') });
        assert.equal(run.code, 0, run.stderr);
        const s = run.summary!;
        assert.deepEqual({ framework: s.framework, package: s.frameworkPackage, version: s.frameworkVersion }, { framework: 'tfjs', package: name, version: '4.22.7' });
        assert.equal(s.steps, 5);
      } finally {
        fs.rmSync(project, { recursive: true, force: true });
      }
    });
  }

  it('plain @tensorflow/tfjs, loaded the same way, is reported as itself', () => {
    const run = record(path.join(FIXTURES, 'uses_package.js'), ['@tensorflow/tfjs']);
    assert.equal(run.code, 0, run.stderr);
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', '@tensorflow', 'tfjs', 'package.json'), 'utf8')) as { version: string };
    assert.deepEqual({ package: run.summary!.frameworkPackage, version: run.summary!.frameworkVersion }, { package: '@tensorflow/tfjs', version });
    fs.rmSync(run.out, { recursive: true, force: true });
  });
});
