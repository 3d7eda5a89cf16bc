/**
 * Whether a line computes what the model is fed. Such a line is input (a hand-rolled data pipeline),
 * not a metric: running it every N steps would train on stale or missing data, so metric-every-n
 * must never be offered on it.
 *
 * "Feeds the model" follows the source's data flow: the names the line assigns (or the value it
 * returns or yields) reach, through later statements of its function, around its loop and through
 * the function's return value to every caller in the files read, a statement that
 *   - calls the model (`model(x)`, `model.forward(x)`) or hands it to a call (`train_step(model, x)`),
 *     the model being whatever an optimizer or a manual update takes `.parameters()` of, or a
 *     `torch.nn` module or `nn.Module` subclass built into a name; or
 *   - trains: `.backward(`, `autograd.grad(`, `.step(` (an optimizer, or a scheduler fed a metric).
 * A name assigned again from unrelated values stops carrying the flow. This reads text, not a
 * parse tree, so calls through containers or attributes set elsewhere may be missed: a missed flow
 * only means the fix itself is asked, which refuses to guard a statement that trains.
 */
import { enclosingHeaders, pythonStatements, statementAt, type Statement } from './python-statements';

/** Raw source lines, 1-based; undefined past the end or for a file that cannot be read. */
export type RawLines = (file: string, line: number) => string | undefined;

export type ModelFeed =
  /** The line's value reaches the model or the training step at file:line, carried by `name` (several: "x, y"). */
  | { kind: 'input'; name: string; file: string; line: number }
  /** The line is training itself: backward, an optimizer step, a manual update of the parameters. */
  | { kind: 'training'; file: string; line: number };

/** Callers followed from a function's return value to theirs: get_batch → make_features is two. */
const MAX_CALL_DEPTH = 3;
const MAX_FILE_LINES = 20_000;
const TRAINS = /\.backward\(|\bautograd\.grad\(|\.step\(/;
/** A manual update writes the parameters in place: `p.data.add_(…)`, `p.data -= …`, `p.grad.zero_()`. */
const UPDATES = /\.(?:data|grad)\.\w+_\(|\.(?:data|grad)\s*(?:[-+*/]|\/\/)?=(?!=)/;
const OVER_PARAMETERS = /^(?:async\s+)?for\s.+\sin\s.*\.(?:named_)?parameters\(/;
const MUTATORS = /(?<![\w.])([A-Za-z_][\w.]*)\.(?:append|extend|insert|update|add|put|put_nowait)\(/g;
const HEADER = /^(?:async\s+)?(def|for|while|class)\b/;
const DEF = /^(?:async\s+)?def\s/;

interface ParsedFile {
  statements: Statement[];
}

export class ModelFlow {
  private readonly parsed = new Map<string, ParsedFile | null>();
  private modelPattern: { called: RegExp; passed: RegExp } | null | undefined;

  /** `files`: where the model is built and where functions may be called (the script and the hot lines' files). */
  constructor(
    private readonly read: RawLines,
    private readonly files: readonly string[],
  ) {}

  /** Where the line's value reaches the model; null when it does not; undefined when the file cannot be read. */
  feeds(file: string, line: number): ModelFeed | null | undefined {
    const parsed = file.endsWith('.py') ? this.parse(file) : null;
    if (!parsed) return undefined;
    const statement = statementAt(parsed.statements, line);
    if (!statement) return null;
    return this.flowFrom(file, parsed.statements.indexOf(statement), 0, new Set());
  }

  private flowFrom(file: string, index: number, depth: number, visited: Set<string>): ModelFeed | null {
    const key = `${file}:${index}`;
    const statements = this.parse(file)?.statements;
    const start = statements?.[index];
    if (!statements || !start || visited.has(key)) return null;
    visited.add(key);
    if (this.trains(statements, index)) return { kind: 'training', file, line: start.line };
    // The line itself may use the model (an evaluation metric does); only a caller's statement holds
    // the value (the call's result) inside a model call.
    let reached: ModelFeed | null = null;
    if (depth > 0) {
      const use = this.modelUse(start.code);
      if (use === 'passed') return { kind: 'input', name: firstName(start.code), file, line: start.line };
      if (use === 'called') reached = { kind: 'input', name: firstName(start.code), file, line: start.line };
    }
    const flow = effectOf(start.code);
    const tainted = new Set([...flow.targets, ...mutated(start.code)]);
    let returns = flow.returns;
    for (const i of this.scanOrder(statements, index)) {
      const statement = statements[i] as Statement;
      const effect = effectOf(statement.code);
      const carried = [...tainted].filter((n) => reads(effect.reads, n));
      if (carried.length === 0) {
        // Assigned afresh from other values: the name no longer carries the line's value.
        for (const target of effect.targets) if (!effect.augmented) tainted.delete(target);
        continue;
      }
      const here: ModelFeed = { kind: 'input', name: carried.join(', '), file, line: statement.line };
      if (this.trains(statements, i)) return reached ?? here;
      const use = this.modelUse(statement.code);
      // Handed to a function with the model (train_step(model, x)): what it does inside is not read here.
      if (use === 'passed') return here;
      // A model output counts once it reaches training: an evaluation's output never does.
      if (use === 'called') reached ??= here;
      for (const target of [...effect.targets, ...mutated(statement.code)]) tainted.add(target);
      returns ||= effect.returns;
    }
    if (!returns || depth >= MAX_CALL_DEPTH) return null;
    const fn = enclosingHeaders(statements, index).find((h) => DEF.test(h.statement.code));
    const fnName = fn ? /def\s+(\w+)/.exec(fn.statement.code)?.[1] : undefined;
    if (!fnName) return null;
    const call = new RegExp(`(?<![\\w])${fnName}\\s*\\(`);
    for (const other of new Set([file, ...this.files])) {
      const callers = this.parse(other)?.statements ?? [];
      for (let i = 0; i < callers.length; i++) {
        const code = (callers[i] as Statement).code;
        if (DEF.test(code) || !call.test(code)) continue;
        const found = this.flowFrom(other, i, depth + 1, visited);
        if (found) return found;
      }
    }
    return null;
  }

  /**
   * Statements after `index` to the end of its function, then the body of each loop around it,
   * innermost first: the next iteration reads what this one left (nanoGPT fetches the next batch
   * between forward and backward).
   */
  private *scanOrder(statements: readonly Statement[], index: number): Generator<number> {
    const headers = enclosingHeaders(statements, index);
    const fn = headers.find((h) => /^(?:async\s+)?(def|class)\b/.test(h.statement.code));
    const floor = fn ? fn.statement.indent : -1;
    for (let i = index + 1; i < statements.length && (statements[i] as Statement).indent > floor; i++) yield i;
    for (const loop of headers) {
      if (fn && loop.index <= fn.index) break;
      if (!/^(?:async\s+)?(for|while)\b/.test(loop.statement.code)) continue;
      for (let i = loop.index + 1; i < statements.length && (statements[i] as Statement).indent > loop.statement.indent; i++) yield i;
    }
  }

  /** Backward, an optimizer step, or a manual update of the parameters (in place, or inside a loop over them). */
  private trains(statements: readonly Statement[], index: number): boolean {
    const code = (statements[index] as Statement).code;
    if (TRAINS.test(code) || UPDATES.test(code) || OVER_PARAMETERS.test(code)) return true;
    return enclosingHeaders(statements, index).some((h) => OVER_PARAMETERS.test(h.statement.code));
  }

  /** Whether the code calls the model or hands it to a call. */
  private modelUse(code: string): 'called' | 'passed' | null {
    const model = this.models();
    if (!model) return null;
    if (model.passed.test(code)) return 'passed';
    return model.called.test(code) ? 'called' : null;
  }

  /** Calls of, and arguments that are, the model names; null when none is known. */
  private models(): { called: RegExp; passed: RegExp } | null {
    if (this.modelPattern !== undefined) return this.modelPattern;
    const names = new Set<string>();
    const classes = new Set<string>();
    for (const file of this.files) {
      for (const { code } of this.parse(file)?.statements ?? []) {
        const cls = /^class\s+(\w+)\s*\(([^)]*)\)/.exec(code);
        if (cls && /\bModule\b|LightningModule/.test(cls[2] ?? '')) classes.add(cls[1] as string);
        for (const m of code.matchAll(/(?<![\w.])([A-Za-z_][\w.]*)\.(?:named_)?parameters\(/g)) names.add(m[1] as string);
      }
    }
    for (const file of this.files) {
      for (const { code } of this.parse(file)?.statements ?? []) {
        const built = /^([A-Za-z_][\w.]*)\s*=\s*(?:torch\.)?(?:nn\.)?([A-Za-z_]\w*)\s*\(/.exec(code);
        if (built && (classes.has(built[2] as string) || /^\s*[\w.]+\s*=\s*(?:torch\.)?nn\.[A-Z]/.test(code))) names.add(built[1] as string);
      }
    }
    if (names.size === 0) return (this.modelPattern = null);
    const alternatives = (list: string[]) => list.map(escape).join('|') || '(?!)';
    // A method hands `self` to calls for many reasons; only calling it (`self(x)`) runs the model.
    const passable = [...names].filter((n) => n !== 'self');
    this.modelPattern = {
      called: new RegExp(`(?<![\\w.])(?:${alternatives([...names])})(?:\\.forward)?\\s*\\(`),
      passed: new RegExp(`[(,]\\s*(?:${alternatives(passable)})\\s*[,)]`),
    };
    return this.modelPattern;
  }

  private parse(file: string): ParsedFile | null {
    if (!this.parsed.has(file)) {
      const lines: string[] = [];
      for (let n = 1; n <= MAX_FILE_LINES; n++) {
        const text = this.read(file, n);
        if (text === undefined) break;
        lines.push(text);
      }
      this.parsed.set(file, lines.length > 0 ? { statements: pythonStatements(lines) } : null);
    }
    return this.parsed.get(file) ?? null;
  }
}

interface Effect {
  /** Names the statement binds (a subscript or attribute target binds its base object too). */
  targets: string[];
  /** The code whose names it reads. */
  reads: string;
  /** `x += …`: the target keeps its old value in the new one. */
  augmented: boolean;
  /** `return …` or `yield …`: the value leaves the function. */
  returns: boolean;
}

function effectOf(code: string): Effect {
  const returned = /^(?:return|yield(?:\s+from)?)\b(.*)$/.exec(code);
  if (returned) return { targets: [], reads: returned[1] ?? '', augmented: false, returns: (returned[1] ?? '').trim() !== '' };
  const loop = /^(?:async\s+)?for\s+(.+?)\s+in\s+(.+):/.exec(code);
  if (loop) return { targets: namesIn(loop[1] ?? ''), reads: loop[2] ?? '', augmented: false, returns: false };
  const withAs = /^(?:async\s+)?with\s+(.+?)\s+as\s+(.+?):/.exec(code);
  if (withAs) return { targets: namesIn(withAs[2] ?? ''), reads: withAs[1] ?? '', augmented: false, returns: false };
  const augmented = /^([A-Za-z_][\w.[\]"' ]*?)\s*(?:\+|-|\*|\/|\/\/|%|\*\*|@|&|\||\^|>>|<<)=(?!=)(.*)$/.exec(code);
  if (augmented) return { targets: namesIn(augmented[1] ?? ''), reads: code, augmented: true, returns: false };
  const parts = topLevelAssignments(code);
  if (parts.length > 1) {
    const targets = parts.slice(0, -1).flatMap((p) => namesIn(p.replace(/:.*$/, '')));
    return { targets, reads: parts[parts.length - 1] as string, augmented: false, returns: false };
  }
  return { targets: [], reads: code, augmented: false, returns: false };
}

/** `a = b = expr` split at the `=` signs outside brackets (not `==`, `<=`, `>=`, `!=`, keyword arguments). */
function topLevelAssignments(code: string): string[] {
  if (HEADER.test(code) || /^(if|elif|while|with|assert|lambda)\b/.test(code)) return [code];
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i] as string;
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === '=' && depth === 0 && code[i + 1] !== '=' && !'=<>!:'.includes(code[i - 1] ?? '')) {
      parts.push(code.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(code.slice(from));
  return parts;
}

/** Bound names of a target list: `x`, `a, (b, c)`, `*rest`, `self.x`, `buf[i]` (as `buf`, which it fills). */
function namesIn(targets: string): string[] {
  const filled = [...targets.matchAll(/([A-Za-z_][\w.]*)\s*\[[^\]]*\]/g)].map((m) => m[1] as string);
  return targets
    .replace(/\[[^\]]*\]/g, '')
    .split(/[,()]/)
    .map((t) => t.replace(/^\s*\*/, '').trim())
    .filter((t) => /^[A-Za-z_][\w.]*$/.test(t))
    .concat(filled);
}

/** Containers a statement fills: `batch.append(...)`. */
function mutated(code: string): string[] {
  return [...code.matchAll(MUTATORS)].map((m) => m[1] as string);
}

function reads(code: string, name: string): boolean {
  return new RegExp(`(?<![\\w.])${escape(name)}(?![\\w])`).test(code);
}

function firstName(code: string): string {
  return /[A-Za-z_][\w.]*/.exec(code)?.[0] ?? code;
}

function escape(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
