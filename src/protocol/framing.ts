/**
 * Newline-delimited framing that survives any chunk boundary, including a multi-byte UTF-8
 * character split across chunks. Over-long lines are discarded (and reported) rather than
 * buffered without bound.
 */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void = () => undefined,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.append(chunk.subarray(start, nl));
      this.emit();
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
  }

  /** Emits a final line that had no trailing newline (stream ended). */
  end(): void {
    if (this.pendingBytes > 0 || this.discarding) this.emit();
  }

  private append(part: Buffer): void {
    if (this.discarding || part.length === 0) return;
    if (this.pendingBytes + part.length > this.maxLineBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = true;
      return;
    }
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  private emit(): void {
    if (this.discarding) {
      this.discarding = false;
      this.onOverflow();
      return;
    }
    const line = Buffer.concat(this.pending, this.pendingBytes).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    if (line.trim().length > 0) this.onLine(line);
  }
}

export function encodeLine(event: object): string {
  return JSON.stringify(event) + '\n';
}
