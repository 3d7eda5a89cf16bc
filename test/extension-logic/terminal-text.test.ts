import assert from 'node:assert/strict';
import { LineInput, toTerminalNewlines } from '../../src/core/editor-view/terminal-text';

describe('terminal text', () => {
  it('turns LF and CRLF into CRLF, leaving progress-bar CRs alone', () => {
    assert.equal(toTerminalNewlines('a\nb\r\nc\rd'), 'a\r\nb\r\nc\rd');
  });

  it('echoes typing and sends whole lines on Enter', () => {
    const input = new LineInput();
    assert.deepEqual(input.handle('ye'), { echo: 'ye', lines: [], interrupt: false, endOfInput: false });
    const enter = input.handle('s\r');
    assert.equal(enter.echo, 's\r\n');
    assert.deepEqual(enter.lines, ['yes\n']);
  });

  it('handles backspace, pasted CRLF (also split across calls) and arrow keys', () => {
    const input = new LineInput();
    const result = input.handle('ab\x7fc\x1b[D\r\nnext\r');
    assert.deepEqual(result.lines, ['ac\n', 'next\n']);
    assert.equal(result.echo, 'ab\b \bc\r\nnext\r\n');
    assert.deepEqual(input.handle('x\r').lines, ['x\n']);
    assert.deepEqual(input.handle('\n').lines, []);
    assert.equal(input.handle('\x7f').echo, '');
  });

  it('reports Ctrl+C as an interrupt and Ctrl+D on an empty line as end of input', () => {
    const input = new LineInput();
    const ctrlC = input.handle('half\x03');
    assert.equal(ctrlC.interrupt, true);
    assert.deepEqual(ctrlC.lines, []);
    assert.equal(input.handle('\x04').endOfInput, true);
    assert.equal(input.handle('a\x04').endOfInput, false);
  });
});
