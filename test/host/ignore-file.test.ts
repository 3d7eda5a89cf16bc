import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RecordingWriter } from '../../src/host/recording/recording-writer';

describe('recordings stay out of the user repository', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-ignore-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('writes .trainlens/.gitignore ignoring everything, next to the runs folder', () => {
    RecordingWriter.create(path.join(root, '.trainlens', 'runs'), 'train.py').close();
    assert.match(fs.readFileSync(path.join(root, '.trainlens', '.gitignore'), 'utf8'), /^\*$/m);
  });

  it("keeps a .gitignore the user edited, and writes none into an explicit --out folder's parent", () => {
    fs.mkdirSync(path.join(root, '.trainlens'));
    fs.writeFileSync(path.join(root, '.trainlens', '.gitignore'), 'runs/\n');
    RecordingWriter.create(path.join(root, '.trainlens', 'runs'), 'train.py').close();
    assert.equal(fs.readFileSync(path.join(root, '.trainlens', '.gitignore'), 'utf8'), 'runs/\n');
    RecordingWriter.create(path.join(root, 'out'), 'train.py').close();
    assert.equal(fs.existsSync(path.join(root, '.gitignore')), false);
  });
});
