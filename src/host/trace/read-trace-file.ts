/**
 * Reads a trace file for import without holding it whole: the bytes are streamed (and gunzipped
 * when they start with gzip's magic number), decoded, and fed chunk by chunk to the core scanner,
 * which hands over one event at a time to a collector that keeps only what the import uses.
 *
 * Why streaming and not a worker thread: the cost of a large trace is memory and one long
 * JSON.parse. Streaming removes both: a 256 KB chunk takes a few milliseconds, so the extension
 * host's event loop keeps turning between chunks, and memory is bounded by the kept events, not
 * the file (a worker would still parse the whole text at once, in its own heap, and would need a
 * bundle entry of its own). Measured on a 401 MB trace: the loop held at most 39-197 ms while
 * streaming (garbage collection, on a loaded machine); the analysis after the last chunk, in core,
 * runs in one go (0.5-1.1 s there).
 *
 * A V8 .cpuprofile is one object whose bulk is a single array: it is read whole, up to
 * MAX_CPUPROFILE_BYTES, and parsed in one go.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { TraceFormatError, TraceJsonScanner } from '../../core/trace/json-stream';
import { TraceCollector } from '../../core/trace/trace-collector';

/** Decompressed text beyond this is refused: ~10x the largest traces the TensorBoard plugin opened. */
export const MAX_TRACE_CHARS = 4 * 1024 * 1024 * 1024 - 1;
export const MAX_CPUPROFILE_BYTES = 256 * 1024 * 1024;

export interface TraceReadLimits {
  maxChars?: number;
  maxSpans?: number;
}

export interface ReadTrace {
  collector: TraceCollector;
  /** The file held an object (Kineto: `traceEvents` and metadata) rather than a bare event array. */
  rootIsObject: boolean;
}

const GZIP_MAGIC = [0x1f, 0x8b];

export function isGzipped(head: Buffer): boolean {
  return head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/** The first bytes of a file (fewer when it is shorter); empty for anything that is not a regular file. */
export function headOf(file: string, bytes = 4096): Buffer {
  let fd: number | undefined;
  try {
    if (!fs.statSync(file).isFile()) return Buffer.alloc(0);
    fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(bytes);
    return buffer.subarray(0, fs.readSync(fd, buffer, 0, bytes, 0));
  } catch {
    return Buffer.alloc(0);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export async function readTraceEvents(file: string, limits: TraceReadLimits = {}): Promise<ReadTrace> {
  const maxChars = limits.maxChars ?? MAX_TRACE_CHARS;
  const collector = new TraceCollector(limits.maxSpans);
  const scanner = new TraceJsonScanner(collector);
  const source = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  const gunzip = isGzipped(headOf(file, 2)) ? zlib.createGunzip() : undefined;
  const text = gunzip ? source.pipe(gunzip) : source;
  text.setEncoding('utf8');
  let chars = 0;
  try {
    for await (const chunk of text as AsyncIterable<string>) {
      chars += chunk.length;
      if (chars > maxChars) throw new TraceFormatError(`the trace is too large to import: more than ${formatSize(maxChars)} of JSON${gunzip ? ' once decompressed' : ''}`);
      scanner.feed(chunk);
    }
  } catch (error) {
    if (error instanceof TraceFormatError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR') throw new TraceFormatError(`the gzip data is damaged or cut off (${(error as Error).message})`);
    throw new TraceFormatError(`cannot read the trace: ${(error as Error).message}`);
  } finally {
    source.destroy();
    gunzip?.destroy();
  }
  scanner.end();
  return { collector, rootIsObject: scanner.rootIsObject };
}

/** A .cpuprofile, parsed (gzipped ones too). */
export async function readJsonWhole(file: string, maxBytes = MAX_CPUPROFILE_BYTES): Promise<unknown> {
  const size = fs.statSync(file).size;
  if (size > maxBytes) throw new TraceFormatError(`the profile is too large to import: ${formatSize(size)} (at most ${formatSize(maxBytes)})`);
  let bytes = await fs.promises.readFile(file);
  if (isGzipped(bytes)) {
    try {
      bytes = zlib.gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (error) {
      throw new TraceFormatError(`the gzip data is damaged, cut off or too large (${(error as Error).message})`);
    }
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new TraceFormatError('not a profile: the file is not complete JSON (truncated?)');
  }
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GiB`;
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}
