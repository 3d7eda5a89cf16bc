/**
 * Python source as logical statements, read from text without a parser (rules get source lines, not
 * trees): brackets and backslashes join physical lines, string contents are blanked and comments
 * dropped, so a regular expression on `code` sees only code.
 */

export interface Statement {
  /** First and last physical line, 1-based. */
  line: number;
  lastLine: number;
  /** Columns of leading whitespace of the first line. */
  indent: number;
  /** The statement's code on one line: strings emptied (`""`), comments removed. */
  code: string;
}

export function pythonStatements(lines: readonly string[]): Statement[] {
  const statements: Statement[] = [];
  let quote: string | null = null;
  let depth = 0;
  let current: Statement | null = null;
  let code = '';
  lines.forEach((text, index) => {
    if (!current) {
      if (quote === null && text.trim() === '') return;
      current = { line: index + 1, lastLine: index + 1, indent: text.length - text.trimStart().length, code: '' };
      code = '';
    }
    let continued = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      if (quote !== null) {
        if (ch === '\\') i++;
        else if (text.startsWith(quote, i)) {
          code += '"';
          i += quote.length - 1;
          quote = null;
        }
        continue;
      }
      if (ch === '#') break;
      if (ch === '"' || ch === "'") {
        quote = text.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
        i += quote.length - 1;
        code += '"';
        continue;
      }
      if (ch === '\\' && i === text.trimEnd().length - 1) {
        continued = true;
        break;
      }
      if ('([{'.includes(ch)) depth++;
      else if (')]}'.includes(ch)) depth = Math.max(0, depth - 1);
      code += ch;
    }
    // A one-quote string never spans lines; an unclosed one is a syntax error, not a reason to swallow the file.
    if (quote !== null && quote.length === 1) quote = null;
    current.lastLine = index + 1;
    if (quote === null) code += ' ';
    if (quote === null && depth === 0 && !continued) {
      current.code = code.trim();
      if (current.code !== '' && current.code !== '""') statements.push(current);
      current = null;
    }
  });
  if (current) {
    (current as Statement).code = code.trim();
    statements.push(current);
  }
  return statements;
}

/** The statement that holds a physical line, or undefined on a blank or comment line. */
export function statementAt(statements: readonly Statement[], line: number): Statement | undefined {
  return statements.find((s) => s.line <= line && line <= s.lastLine);
}

/**
 * The headers a statement sits under, innermost first (`for …:`, `def …:`, `if …:`): each earlier
 * statement less indented than everything between.
 */
export function enclosingHeaders(statements: readonly Statement[], index: number): Array<{ index: number; statement: Statement }> {
  const headers: Array<{ index: number; statement: Statement }> = [];
  let indent = statements[index]?.indent ?? 0;
  for (let i = index - 1; i >= 0 && indent > 0; i--) {
    const statement = statements[i] as Statement;
    if (statement.indent < indent) {
      headers.push({ index: i, statement });
      indent = statement.indent;
    }
  }
  return headers;
}
