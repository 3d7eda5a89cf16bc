import assert from 'node:assert/strict';
import path from 'node:path';
import { relativePathHint, runFolder } from '../../src/core/editor-view/run-folder';

describe('the folder a run starts in (trainlens.cwd)', () => {
  const workspace = path.join(path.sep, 'w');
  const script = path.join(workspace, 'gpt', 'train.py');

  it('starts in the workspace folder by default, and in the script folder without a workspace', () => {
    assert.deepEqual(runFolder('workspaceFolder', workspace, script), { cwd: workspace });
    assert.deepEqual(runFolder('', workspace, script), { cwd: workspace });
    assert.deepEqual(runFolder('workspaceFolder', undefined, script), { cwd: path.dirname(script) });
  });

  it('starts in the script folder for fileDirectory', () => {
    assert.deepEqual(runFolder('fileDirectory', workspace, script), { cwd: path.join(workspace, 'gpt') });
  });

  it('takes a path, relative to the workspace folder, with the two variables expanded', () => {
    assert.deepEqual(runFolder('/data/runs', workspace, script), { cwd: '/data/runs' });
    assert.deepEqual(runFolder('gpt/../data', workspace, script), { cwd: path.join(workspace, 'data') });
    assert.deepEqual(runFolder('${workspaceFolder}/data', workspace, script), { cwd: path.join(workspace, 'data') });
    assert.deepEqual(runFolder('${fileDirname}/out', workspace, script), { cwd: path.join(workspace, 'gpt', 'out') });
  });

  it('falls back to the workspace folder for a variable it cannot expand, saying why', () => {
    const folder = runFolder('${env:HOME}/x', workspace, script);
    assert.equal(folder.cwd, workspace);
    assert.match(folder.problem ?? '', /only \$\{workspaceFolder\} and \$\{fileDirname\}/);
  });
});

describe('the hint after a failure on a relative path', () => {
  it("names the folder and the setting for Python's FileNotFoundError on a relative path", () => {
    const hint = relativePathHint("[Errno 2] No such file or directory: 'configurator.py'", '/w');
    assert.match(hint ?? '', /'configurator\.py' is a relative path and the run started in \/w/);
    assert.match(hint ?? '', /"trainlens\.cwd" to "fileDirectory"/);
  });

  it("does the same for Node's ENOENT", () => {
    assert.match(relativePathHint("ENOENT: no such file or directory, open 'data/train.csv'", '/w') ?? '', /'data\/train\.csv'/);
  });

  it('says nothing for absolute paths or other errors', () => {
    assert.equal(relativePathHint("[Errno 2] No such file or directory: '/data/x.bin'", '/w'), undefined);
    assert.equal(relativePathHint('CUDA out of memory', '/w'), undefined);
  });
});
