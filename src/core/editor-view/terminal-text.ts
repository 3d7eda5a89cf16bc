/**
 * The script's output in a pseudoterminal. The child's stdio are pipes, not a tty: the terminal
 * needs CRLF line ends, and typed input needs a small line discipline (echo, backspace, Enter) that
 * a tty would otherwise provide.
 */

/** A terminal moves down on LF but only returns to column 0 on CR. */
export function toTerminalNewlines(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

export interface InputResult {
  /** What to write back to the terminal so the user sees their typing. */
  echo: string;
  /** Complete lines (with "\n") for the child's stdin. */
  lines: string[];
  /** Ctrl+C was pressed: stop the run. */
  interrupt: boolean;
  /** Ctrl+D on an empty line: close stdin. */
  endOfInput: boolean;
}

const CTRL_C = '\x03';
const CTRL_D = '\x04';
const BACKSPACE = new Set(['\x7f', '\b']);
/** Arrow keys and other CSI/SS3 sequences: there is no line editing here, so they are dropped. */
const ESCAPE_SEQUENCE = /^\x1b(\[[0-9;?]*[@-~]|O.|.)?/;

export class LineInput {
  private buffer = '';
  /** A pasted or sent CRLF is one Enter, not two, even when split across calls. */
  private afterCarriageReturn = false;

  handle(data: string): InputResult {
    const result: InputResult = { echo: '', lines: [], interrupt: false, endOfInput: false };
    let rest = data;
    while (rest.length > 0) {
      const escape = ESCAPE_SEQUENCE.exec(rest);
      if (escape) {
        rest = rest.slice(escape[0].length);
        continue;
      }
      const c = rest.charAt(0);
      rest = rest.slice(1);
      const skipLineFeed = c === '\n' && this.afterCarriageReturn;
      this.afterCarriageReturn = c === '\r';
      if (skipLineFeed) continue;
      if (c === CTRL_C) {
        result.interrupt = true;
        result.echo += '^C\r\n';
        this.buffer = '';
      } else if (c === CTRL_D) {
        if (this.buffer === '') result.endOfInput = true;
      } else if (c === '\r' || c === '\n') {
        result.lines.push(this.buffer + '\n');
        result.echo += '\r\n';
        this.buffer = '';
      } else if (BACKSPACE.has(c)) {
        if (this.buffer.length > 0) {
          this.buffer = Array.from(this.buffer).slice(0, -1).join('');
          result.echo += '\b \b';
        }
      } else if (c >= ' ' || c === '\t') {
        this.buffer += c;
        result.echo += c;
      }
    }
    return result;
  }
}
