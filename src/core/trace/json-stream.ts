/**
 * Splits a trace-event JSON document into its events as text arrives, without holding the whole
 * document: the Chrome trace format is either an array of events or an object whose `traceEvents`
 * array holds them (PyTorch's Kineto adds keys such as `distributedInfo` beside it). Each event is
 * handed over as soon as its closing brace arrives, and each other top-level value (objects and
 * strings only) once it is complete. Pure: the host feeds it chunks of the (gunzipped) file.
 */

export class TraceFormatError extends Error {
  readonly category = 'trace';
}

export interface TraceJsonSink {
  /** One element of the event array, parsed. */
  event(value: unknown): void;
  /** A top-level key beside `traceEvents`, with its value (objects and strings only). */
  meta(key: string, value: unknown): void;
}

/** One event (or metadata value) larger than this is not a trace event: stop instead of buffering it. */
export const MAX_VALUE_CHARS = 16 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

export class TraceJsonScanner {
  private started = false;
  private finished = false;
  /** The document is an object (Kineto) rather than a bare event array. */
  rootIsObject = false;
  /** Open containers. */
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Depth of the array whose elements are events; 0 until it opens, -1 once it has closed. */
  private eventsDepth = 0;
  /** Root object: a key is expected next (after `{` or `,`), not a value. */
  private expectKey = false;
  private readingKey = false;
  private key = '';
  private currentKey = '';
  /** Depth at which the value being captured started; -1 when none is. */
  private captureDepth = -1;
  private captureIsEvent = false;
  private captureParts: string[] = [];
  private captureChars = 0;
  events = 0;

  constructor(private readonly sink: TraceJsonSink) {}

  feed(chunk: string): void {
    let captureFrom = this.captureDepth >= 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.finished) {
        if (!isSpace(c)) throw new TraceFormatError('unexpected text after the end of the trace JSON');
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.readingKey) {
            this.readingKey = false;
            this.currentKey = this.key;
          } else if (this.captureDepth === this.depth && captureFrom >= 0) {
            // A string value at the root: complete at its closing quote.
            this.finishCapture(chunk.slice(captureFrom, i + 1));
            captureFrom = -1;
          }
        } else if (this.readingKey && this.key.length < 256) this.key += chunk[i];
        continue;
      }
      if (isSpace(c)) continue;
      if (!this.started) {
        if (c === 0xfeff) continue;
        if (c !== OPEN_BRACE && c !== OPEN_BRACKET) throw new TraceFormatError('not a trace: the file is not a JSON object or array');
        this.started = true;
        this.rootIsObject = c === OPEN_BRACE;
        this.depth = 1;
        if (this.rootIsObject) this.expectKey = true;
        else this.eventsDepth = 1;
        continue;
      }
      const atEventSlot = this.depth === this.eventsDepth && this.captureDepth < 0;
      const atRootValue = this.rootIsObject && this.depth === 1 && !this.expectKey && this.captureDepth < 0;
      switch (c) {
        case QUOTE:
          this.inString = true;
          if (this.rootIsObject && this.depth === 1 && this.expectKey) {
            this.readingKey = true;
            this.key = '';
          } else if (atRootValue) {
            this.startCapture(false);
            captureFrom = i;
          }
          break;
        case OPEN_BRACE:
        case OPEN_BRACKET:
          if (atRootValue && c === OPEN_BRACKET && this.currentKey === 'traceEvents' && this.eventsDepth === 0) {
            this.eventsDepth = 2;
          } else if (atEventSlot || atRootValue) {
            this.startCapture(atEventSlot);
            captureFrom = i;
          }
          this.depth++;
          break;
        case CLOSE_BRACE:
        case CLOSE_BRACKET:
          this.depth--;
          if (this.depth < 0) throw new TraceFormatError('not a trace: unbalanced brackets');
          if (this.rootIsObject && this.depth === 1 && this.eventsDepth === 2) this.eventsDepth = -1;
          if (this.captureDepth === this.depth && captureFrom >= 0) {
            this.finishCapture(chunk.slice(captureFrom, i + 1));
            captureFrom = -1;
          }
          if (this.depth === 0) this.finished = true;
          break;
        case COMMA:
          if (this.rootIsObject && this.depth === 1) this.expectKey = true;
          break;
        case COLON:
          if (this.rootIsObject && this.depth === 1) this.expectKey = false;
          break;
        default:
          // Numbers, true/false/null: not events, and no metadata we read.
          break;
      }
    }
    if (captureFrom >= 0 && this.captureDepth >= 0) this.keepPart(chunk.slice(captureFrom));
  }

  /** Call after the last chunk: a document that has not closed was cut off. */
  end(): void {
    if (!this.started) throw new TraceFormatError('the file is empty');
    if (!this.finished) throw new TraceFormatError('the trace ends in the middle (the file looks truncated)');
    if (this.rootIsObject && this.eventsDepth === 0) throw new TraceFormatError('not a trace: a JSON object without "traceEvents"');
  }

  private startCapture(isEvent: boolean): void {
    this.captureDepth = this.depth;
    this.captureIsEvent = isEvent;
    this.captureParts = [];
    this.captureChars = 0;
  }

  private keepPart(part: string): void {
    this.captureChars += part.length;
    if (this.captureChars > MAX_VALUE_CHARS) throw new TraceFormatError(`not a trace: one value is larger than ${MAX_VALUE_CHARS / 1024 / 1024} MB`);
    this.captureParts.push(part);
  }

  private finishCapture(lastPart: string): void {
    this.keepPart(lastPart);
    const text = this.captureParts.join('');
    this.captureParts = [];
    this.captureDepth = -1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new TraceFormatError(`not a trace: malformed JSON near "${text.slice(0, 60)}"`);
    }
    if (this.captureIsEvent) {
      this.events++;
      this.sink.event(value);
    } else {
      this.sink.meta(this.currentKey, value);
    }
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
