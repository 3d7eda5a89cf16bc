import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeRunnerLine } from '../../src/protocol/decode';
import { STAGE_NAMES, type RunnerEventType } from '../../src/protocol/events';
import wire from '../../src/protocol/wire.json';

const fixtures = path.join(__dirname, '..', 'fixtures', 'protocol');
const readLines = (name: string) => fs.readFileSync(path.join(fixtures, name), 'utf8').split('\n').filter((l) => l.trim());

describe('wire protocol (golden fixtures shared with the Python runner)', () => {
  it('accepts every line of valid.jsonl, covering every event type', () => {
    const seen = new Set<string>();
    for (const line of readLines('valid.jsonl')) {
      const decoded = decodeRunnerLine(line);
      assert.ok(decoded.ok, `${line}: ${decoded.ok ? '' : decoded.detail}`);
      seen.add(decoded.event.type);
    }
    assert.deepEqual([...seen].sort(), Object.keys(wire.events).sort());
  });

  it('rejects every line of invalid.jsonl with the expected reason', () => {
    for (const row of readLines('invalid.jsonl')) {
      const { line, reason } = JSON.parse(row) as { line: string; reason: string };
      const decoded = decodeRunnerLine(line);
      assert.equal(decoded.ok, false, line);
      if (!decoded.ok) assert.equal(decoded.reason, reason, line);
    }
  });

  it('keeps the generated Python wire module in step with wire.json', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { pythonWireSource } = require('../../esbuild.js') as { pythonWireSource(json: string): string };
    const expected = pythonWireSource(fs.readFileSync('src/protocol/wire.json', 'utf8'));
    const actual = fs.readFileSync('src/runners/python/trainlens_runner/wire.py', 'utf8');
    assert.equal(actual, expected, 'run `node esbuild.js` to regenerate wire.py');
  });

  it('names in TypeScript match the wire table', () => {
    const types: RunnerEventType[] = ['hello', 'framework', 'loader', 'optimizer', 'step', 'anchor', 'eval', 'lines', 'log', 'error', 'ceiling', 'bye'];
    assert.deepEqual(types.sort(), Object.keys(wire.events).sort());
    assert.ok(STAGE_NAMES.includes('forwardBackward'));
  });
});
