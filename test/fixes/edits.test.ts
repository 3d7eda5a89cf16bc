import * as assert from 'assert';
import { applyEdits, lineEnd, mapLine } from '../../src/core/fixes/edits';

describe('text edits', () => {
  it('applies edits given in any order', () => {
    const edits = [
      { start: 6, end: 11, newText: 'there' },
      { start: 0, end: 0, newText: '> ' },
    ];
    assert.strictEqual(applyEdits('hello world', edits), '> hello there');
  });

  it('refuses overlapping edits: a fix bug must not corrupt a file', () => {
    assert.throws(() => applyEdits('abcdef', [{ start: 0, end: 3, newText: 'x' }, { start: 2, end: 4, newText: 'y' }]), /overlapping/);
  });

  it('maps a line through edits above it, inside it and below it', () => {
    const source = 'a\nb\nc\nd\n';
    const insertAbove = [{ start: 2, end: 2, newText: 'new\n' }]; // before line 2
    assert.strictEqual(mapLine(source, insertAbove, 1), 1);
    assert.strictEqual(mapLine(source, insertAbove, 2), 3);
    assert.strictEqual(mapLine(source, insertAbove, 4), 5);
    const wrap = [{ start: 2, end: 5, newText: 'if x:\n    b\n    c' }]; // lines 2-3 under an if
    assert.strictEqual(mapLine(source, wrap, 3), 2);
    assert.strictEqual(mapLine(source, wrap, 4), 5);
    const joined = [{ start: 1, end: 4, newText: ' ' }]; // lines 1-3 become one
    assert.strictEqual(mapLine(source, joined, 4), 2);
  });

  it('finds line ends before CRLF', () => {
    assert.strictEqual(lineEnd('ab\r\ncd', 0), 2);
    assert.strictEqual(lineEnd('ab\r\ncd', 4), 6);
  });
});
