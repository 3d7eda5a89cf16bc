import assert from 'node:assert/strict';
import { LineSplitter } from '../../src/protocol/framing';

describe('LineSplitter', () => {
  it('reassembles lines across every possible chunk boundary, including inside a UTF-8 character', () => {
    const text = '{"a":"héllo ☃"}\n{"b":2}\n\n{"c":"末"}\n';
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      for (let cut2 = cut; cut2 <= bytes.length; cut2 += 3) {
        const lines: string[] = [];
        const splitter = new LineSplitter((l) => lines.push(l));
        splitter.push(bytes.subarray(0, cut));
        splitter.push(bytes.subarray(cut, cut2));
        splitter.push(bytes.subarray(cut2));
        splitter.end();
        assert.deepEqual(lines, ['{"a":"héllo ☃"}', '{"b":2}', '{"c":"末"}']);
      }
    }
  });

  it('emits a last line without a newline at end of stream', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    splitter.push(Buffer.from('{"x":1}\n{"y":'));
    splitter.push(Buffer.from('2}'));
    splitter.end();
    assert.deepEqual(lines, ['{"x":1}', '{"y":2}']);
  });

  it('drops an over-long line, reports it once, and keeps going', () => {
    const lines: string[] = [];
    let overflows = 0;
    const splitter = new LineSplitter((l) => lines.push(l), () => overflows++, 16);
    splitter.push(Buffer.from('x'.repeat(10)));
    splitter.push(Buffer.from('y'.repeat(10) + '\nok\n'));
    assert.deepEqual(lines, ['ok']);
    assert.equal(overflows, 1);
  });
});
