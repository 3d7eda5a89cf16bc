import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { unifiedDiff } from '../../src/core/fixes/unified-diff';

/** Applies the diff with GNU patch: the formatter's output must be a patch real tools accept. */
function patched(before: string, diff: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-diff-'));
  try {
    fs.writeFileSync(path.join(dir, 'f.py'), before);
    execFileSync('patch', ['-s', '-p1', '-d', dir], { input: diff });
    return fs.readFileSync(path.join(dir, 'f.py'), 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function roundTrip(before: string, after: string): void {
  const diff = unifiedDiff(before, after, 'a/f.py', 'b/f.py');
  assert.strictEqual(patched(before, diff), after, diff);
}

describe('unified diff', () => {
  const lines = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join('');

  it('is empty for equal texts', () => {
    assert.strictEqual(unifiedDiff('a\n', 'a\n', 'a/f', 'b/f'), '');
  });

  it('shows a change with three lines of context', () => {
    const after = lines(10).replace('line 5\n', 'line five\n');
    assert.strictEqual(
      unifiedDiff(lines(10), after, 'a/f.py', 'b/f.py'),
      ['--- a/f.py', '+++ b/f.py', '@@ -2,7 +2,7 @@', ' line 2', ' line 3', ' line 4', '-line 5', '+line five', ' line 6', ' line 7', ' line 8', ''].join('\n'),
    );
  });

  it('numbers an insertion at the top as diff -u does', () => {
    assert.match(unifiedDiff('a\n', 'new\na\n', 'a/f', 'b/f'), /@@ -1,1 \+1,2 @@/);
    assert.match(unifiedDiff('', 'new\n', 'a/f', 'b/f'), /@@ -0,0 \+1,1 @@/);
  });

  it('splits far-apart changes into hunks and merges close ones', () => {
    const far = lines(30).replace('line 2\n', 'two\n').replace('line 28\n', 'twenty-eight\n');
    assert.strictEqual((unifiedDiff(lines(30), far, 'a/f', 'b/f').match(/^@@/gm) ?? []).length, 2);
    const close = lines(30).replace('line 2\n', 'two\n').replace('line 7\n', 'seven\n');
    assert.strictEqual((unifiedDiff(lines(30), close, 'a/f', 'b/f').match(/^@@/gm) ?? []).length, 1);
  });

  it('produces patches that GNU patch applies: insertions, wraps, no final newline, CRLF', () => {
    roundTrip(lines(20), lines(20).replace('line 10\n', 'line 10\n    inserted\n'));
    roundTrip('for x in y:\n    a()\n    b()\n', 'for i, x in enumerate(y):\n    a()\n    if i % 10 == 0:\n        b()\n');
    roundTrip('a\nb', 'a\nb\nc');
    roundTrip('a\r\nb\r\n', 'a\r\nnew\r\nb\r\n');
  });
});
