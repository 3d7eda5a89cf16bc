/**
 * Files that are not traces, are cut off, or are too large: each import ends soon with a message
 * that says what is wrong, and writes no recording.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { importTrace, isTraceFile } from '../../src/host/trace/import-trace';

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'traces', 'hta-nccl-rank0-of-2.pt.trace.json.gz');

describe('import: bad input', function () {
  this.timeout(30_000);
  let dir: string;
  let runsDir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-bad-trace-'));
    runsDir = path.join(dir, 'runs');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, content: string | Buffer): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  }

  async function refused(file: string, message: RegExp, limits?: Parameters<typeof importTrace>[2]): Promise<void> {
    await assert.rejects(importTrace(file, runsDir, limits), (error: Error & { category?: string }) => {
      assert.equal(error.category, 'trace', error.stack);
      assert.match(error.message, message);
      assert.match(error.message, new RegExp(`^cannot import ${path.basename(file).replace(/\./g, '\\.')}: |^cannot read|is not a file`));
      return true;
    });
    assert.deepEqual(fs.existsSync(runsDir) ? fs.readdirSync(runsDir).filter((n) => !n.startsWith('.')) : [], [], 'no recording is written');
  }

  const kinetoText = (): string => zlib.gunzipSync(fs.readFileSync(FIXTURE)).toString('utf8');

  it('a trace cut off in the middle (plain JSON)', async () => {
    const text = kinetoText();
    await refused(write('cut.json', text.slice(0, Math.floor(text.length / 2))), /truncated/);
  });

  it('a gzipped trace cut off in the middle', async () => {
    const bytes = fs.readFileSync(FIXTURE);
    await refused(write('cut.json.gz', bytes.subarray(0, Math.floor(bytes.length / 2))), /gzip data is damaged or cut off/);
  });

  it('a file that is not JSON, JSON that is not a trace, an empty file, a folder', async () => {
    await refused(write('notes.json', 'these are my notes'), /not a JSON object or array/);
    await refused(write('config.json', '{"name": "x", "version": 2}'), /without "traceEvents"/);
    await refused(write('objects.json', '[{"a": 1}, {"b": 2}, {"ph": "X", "name": "aten::mm", "ts": 1, "dur": 2}]'), /3 events but no ProfilerStep#N steps, GPU activity or Python frames/);
    await refused(write('empty.json', ''), /empty/);
    fs.mkdirSync(path.join(dir, 'folder.json'));
    await refused(path.join(dir, 'folder.json'), /is not a file/);
    await refused(path.join(dir, 'missing.json'), /cannot read .*ENOENT/);
  });

  it('a profile that is not a V8 CPU profile', async () => {
    await refused(write('bad.cpuprofile', '{"nodes": 3}'), /not a V8 CPU profile/);
    await refused(write('cut.cpuprofile', '{"nodes": [{"id": 1, "callFrame"'), /not complete JSON/);
  });

  it('a gzip bomb: stops at the size cap while streaming, without decompressing it all', async () => {
    // 1 GiB of spaces inside an event array, 1 MiB compressed.
    const gzip = zlib.createGzip({ level: 9 });
    const file = path.join(dir, 'bomb.json.gz');
    const out = fs.createWriteStream(file);
    gzip.pipe(out);
    gzip.write('[');
    const spaces = Buffer.alloc(1024 * 1024, 0x20);
    for (let i = 0; i < 1024; i++) if (!gzip.write(spaces)) await new Promise<void>((r) => gzip.once('drain', () => r()));
    gzip.end(']');
    await new Promise<void>((r) => out.on('close', () => r()));
    const started = Date.now();
    const heapBefore = process.memoryUsage().rss;
    await refused(file, /too large to import: more than 64\.0 MiB of JSON once decompressed/, { maxChars: 64 * 1024 * 1024 });
    assert.ok(process.memoryUsage().rss - heapBefore < 256 * 1024 * 1024, 'memory stays bounded');
    assert.ok(Date.now() - started < 20_000);
  });

  it('a trace with more events to keep than the cap', async () => {
    await refused(FIXTURE, /too large to import: more than 1,000 steps/, { maxSpans: 1000 });
  });

  it('isTraceFile: trace names and first bytes, not a recording\'s own files', () => {
    assert.equal(isTraceFile(FIXTURE), true);
    assert.equal(isTraceFile(write('t.json', ' {"schemaVersion": 1, "traceEvents": []}')), true);
    assert.equal(isTraceFile(write('a.json', '[{"name": "x"}]')), true);
    assert.equal(isTraceFile(write('p.cpuprofile', '{}')), true);
    assert.equal(isTraceFile(write('package.json', '{"name": "x"}')), false);
    assert.equal(isTraceFile(write('summary.json', '{"summaryFormat": 4}')), false);
    assert.equal(isTraceFile(write('events.jsonl', '{"type":"run"}')), false);
    assert.equal(isTraceFile(write('train.py', 'print(1)')), false);
  });
});
