import assert from 'node:assert/strict';
import { lineAfterChanges, type LineChange } from '../../src/core/editor-view/diagnostic-tracking';

const replace = (startLine0: number, endLine0: number, text: string, startCharacter = 4): LineChange => ({ startLine0, startCharacter, endLine0, text });

describe('diagnostics follow the edits of their document', () => {
  it('drops a diagnostic whose line a fix rewrote', () => {
    assert.equal(lineAfterChanges(10, [replace(10, 10, 'num_workers=2')]), undefined);
    assert.equal(lineAfterChanges(10, [replace(8, 12, '')]), undefined);
  });

  it('moves a diagnostic below lines that were added or removed', () => {
    assert.equal(lineAfterChanges(10, [replace(3, 3, 'import torch\nimport os\n', 0)]), 12);
    assert.equal(lineAfterChanges(10, [replace(2, 5, 'x = 1')]), 7);
    assert.equal(lineAfterChanges(10, [replace(10, 10, 'scaler = GradScaler()\n', 0)]), 11);
  });

  it('keeps a diagnostic above the edit where it is', () => {
    assert.equal(lineAfterChanges(10, [replace(11, 11, '\n\n')]), 10);
  });

  it('applies several changes in order', () => {
    const changes = [replace(20, 20, 'a\nb\n', 0), replace(1, 1, 'c\n', 0), replace(11, 11, 'edited')];
    assert.equal(lineAfterChanges(10, changes), undefined, 'the third change lands on the moved line');
    assert.equal(lineAfterChanges(5, changes), 6);
  });
});
