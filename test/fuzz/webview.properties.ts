/** What the performance panel posts back: untrusted, since a webview runs whatever it was given. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseWebviewMessage } from '../../src/protocol/webview-messages';
import { hostileJson, timed, type FuzzTarget } from './fuzz-budget';

const nearlyValid = fc.record(
  {
    type: fc.oneof(fc.constantFrom('ready', 'open', 'Open', 'open '), hostileJson()),
    file: fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.constant(''), fc.constant('a\0b'), fc.nat({ max: 5000 }).map((n) => 'x'.repeat(n)), hostileJson()),
    line: fc.oneof(fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2), fc.string({ maxLength: 3 }), hostileJson()),
    extra: hostileJson(),
  },
  { requiredKeys: [] },
);

export const WEBVIEW_MESSAGES: FuzzTarget = {
  parser: 'webview message validation (webview-messages.ts)',
  properties: [
    {
      name: 'anything posted: undefined or a well-formed message with only its own fields, never a throw',
      property: () =>
        fc.property(fc.oneof(nearlyValid, hostileJson(['type', 'file', 'line']), fc.anything({ withMap: true, withSet: true, withBigInt: true, withDate: true, withTypedArray: true })), (raw) => {
          const message = timed('parseWebviewMessage', () => parseWebviewMessage(raw));
          if (message === undefined) return;
          if (message.type === 'ready') return assert.deepEqual(message, { type: 'ready' });
          assert.deepEqual(Object.keys(message).sort(), ['file', 'line', 'type']);
          assert.ok(typeof message.file === 'string' && message.file.length > 0 && message.file.length <= 4096 && !message.file.includes('\0'));
          assert.ok(Number.isSafeInteger(message.line) && message.line >= 1);
        }),
    },
  ],
};
