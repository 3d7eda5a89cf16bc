/**
 * The script's own output, live, in a terminal: a Pseudoterminal fed from the child's stdout and
 * stderr pipes. Typing goes to the child's stdin a line at a time; Ctrl+C there means Stop.
 */
import type { Readable, Writable } from 'node:stream';
import * as vscode from 'vscode';
import { LineInput, toTerminalNewlines } from '../../core/editor-view/terminal-text';

export interface TerminalHandlers {
  /** Ctrl+C, or the user closed the terminal. */
  onStop(): void;
}

export interface ChildStreams {
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly stdin: Writable | null;
}

/** Output written before VS Code opens the terminal is held, up to this many characters. */
const MAX_PENDING_CHARS = 1_000_000;
const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

export class TrainingTerminal implements vscode.Disposable {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly terminal: vscode.Terminal;
  private readonly input = new LineInput();
  private pending: string[] | undefined = [];
  private pendingChars = 0;
  private droppedChars = 0;
  private stdin: Writable | null = null;

  constructor(name: string, handlers: TerminalHandlers) {
    const pty: vscode.Pseudoterminal = {
      onDidWrite: this.writeEmitter.event,
      open: () => this.flushPending(),
      close: () => handlers.onStop(),
      handleInput: (data) => this.handleInput(data, handlers),
    };
    this.terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('pulse') });
  }

  show(): void {
    this.terminal.show(true);
  }

  /** A line of TrainLens's own, dimmed so it stands apart from the script's output. */
  note(text: string): void {
    this.write(`${DIM}${toTerminalNewlines(text)}${RESET}\r\n`);
  }

  attach(streams: ChildStreams): void {
    this.stdin = streams.stdin;
    // A child that exits or closes stdin makes writes fail with EPIPE: expected, not a crash.
    streams.stdin?.on('error', () => (this.stdin = null));
    streams.stdout?.setEncoding('utf8');
    streams.stdout?.on('data', (chunk: string) => this.write(toTerminalNewlines(chunk)));
    streams.stderr?.setEncoding('utf8');
    streams.stderr?.on('data', (chunk: string) => this.write(`${RED}${toTerminalNewlines(chunk)}${RESET}`));
  }

  /** The run is over: typing goes nowhere now. */
  detachInput(): void {
    this.stdin = null;
  }

  dispose(): void {
    this.terminal.dispose();
    this.writeEmitter.dispose();
  }

  private handleInput(data: string, handlers: TerminalHandlers): void {
    const result = this.input.handle(data);
    if (result.echo) this.write(result.echo);
    if (result.interrupt) {
      handlers.onStop();
      return;
    }
    for (const line of result.lines) this.stdin?.write(line);
    if (result.endOfInput) this.stdin?.end();
  }

  private write(text: string): void {
    if (!this.pending) {
      this.writeEmitter.fire(text);
      return;
    }
    // Before open() events are lost, so hold them; bounded, because a chatty script may start
    // long before VS Code shows the terminal.
    if (this.pendingChars + text.length > MAX_PENDING_CHARS) {
      this.droppedChars += text.length;
      return;
    }
    this.pending.push(text);
    this.pendingChars += text.length;
  }

  private flushPending(): void {
    const pending = this.pending ?? [];
    this.pending = undefined;
    for (const text of pending) this.writeEmitter.fire(text);
    if (this.droppedChars > 0) this.note(`[TrainLens] ${this.droppedChars.toLocaleString('en-US')} characters of early output were not shown`);
  }
}
