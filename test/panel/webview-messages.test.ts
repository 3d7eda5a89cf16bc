import assert from 'node:assert/strict';
import { parseWebviewMessage } from '../../src/protocol/webview-messages';

describe('webview messages from the panel (untrusted)', () => {
  it('accepts ready and open, dropping extra fields', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'open', file: '/w/train.py', line: 31, command: 'rm -rf' }), { type: 'open', file: '/w/train.py', line: 31 });
  });

  it('rejects anything else', () => {
    const bad: unknown[] = [
      null,
      undefined,
      'ready',
      42,
      [],
      { type: 'READY' },
      { type: 'snapshot' },
      { type: 'open' },
      { type: 'open', file: '', line: 1 },
      { type: 'open', file: '/w/train.py', line: '31' },
      { type: 'open', file: '/w/train.py', line: 0 },
      { type: 'open', file: '/w/train.py', line: 1.5 },
      { type: 'open', file: '/w/train.py', line: Number.NaN },
      { type: 'open', file: '/w/train.py', line: 2 ** 60 },
      { type: 'open', file: '/w/a\0b.py', line: 1 },
      { type: 'open', file: 'x'.repeat(5000), line: 1 },
      { type: 'open', file: { toString: () => '/w/train.py' }, line: 1 },
    ];
    for (const message of bad) assert.equal(parseWebviewMessage(message), undefined, JSON.stringify(message) ?? String(message));
  });
});
