/**
 * The standard PyTorch training loop, found in a tree: a for/while loop whose body calls
 * `loss.backward()` and then `optimizer.step()` (or `scaler.step(optimizer)`) as plain statements,
 * with one `zero_grad()`. Anything else is refused with the line that did not fit, because the
 * fixes built on it (accumulation, mixed precision) must not guess.
 */
import type { Node } from 'web-tree-sitter';
import { callArguments } from './python-args';
import {
  dottedName,
  enclosingLoop,
  importBindings,
  methodCall,
  qualifiedNames,
  statementCall,
  statementOf,
  type ImportBindings,
} from './python-syntax';
import { descendants, named, spansLine, startLine } from './syntax';
import { isRefusal, type FixContext, type ParsedFile, type Refusal } from './types';

export interface TrainingLoop {
  loop: Node;
  /** The loop body's statements, comments left out. */
  statements: Node[];
  backward: { statement: Node; receiver: Node };
  step: { statement: Node; call: Node; optimizer: string; scaler: string | null };
  zeroGrad: Node;
  bindings: ImportBindings;
}

export function findTrainingLoop(file: ParsedFile, ctx: FixContext): TrainingLoop | Refusal {
  const bindings = importBindings(file.root);
  const backwards = descendants(file.root, 'call').filter((call) => methodCall(call)?.name === 'backward');
  const line = ctx.line;
  // The loop around the finding's line, else (the line was only a hint) the file's one loop.
  const around = line === undefined ? [] : backwards.filter((call) => spansLoop(call, line));
  const inScope = around.length > 0 ? around : backwards;
  if (inScope.length === 0) return { refused: 'no backward() call in this file' };
  const loops = new Map(inScope.map((call) => [enclosingLoop(call)?.id ?? -1, call]));
  if (inScope.length > 1) {
    const lines = inScope.map(startLine).join(', ');
    return { refused: loops.size > 1 ? `backward() is called in several places (lines ${lines}); point at one training loop` : `the loop calls backward() more than once (lines ${lines}); only single-loss loops are transformed` };
  }
  const backwardCall = inScope[0] as Node;
  const loop = enclosingLoop(backwardCall);
  const body = loop?.childForFieldName('body');
  const backwardStatement = statementOf(backwardCall);
  const where = startLine(backwardCall);
  if (!loop || !body) return { refused: `backward() at line ${where} is not inside a loop` };
  if (statementCall(backwardStatement)?.id !== backwardCall.id) {
    return { refused: `backward() at line ${where} is part of a larger statement` };
  }
  if (backwardStatement.parent?.id !== body.id) {
    return { refused: `backward() at line ${where} is inside a nested block of the loop; only a flat loop body is transformed` };
  }
  const statements = named(body).filter((s) => s.type !== 'comment');
  const after = statements.slice(statements.findIndex((s) => s.id === backwardStatement.id) + 1);
  const step = findStep(file.root, after, bindings) ?? { refused: missingStep(loop, where) };
  if (isRefusal(step)) return step;
  const zeroGrads = statements.filter((s) => {
    const call = statementCall(s);
    return call !== null && methodCall(call)?.name === 'zero_grad';
  });
  if (zeroGrads.length !== 1) {
    return { refused: zeroGrads.length === 0 ? `the loop at line ${startLine(loop)} has no zero_grad() statement of its own` : `the loop at line ${startLine(loop)} calls zero_grad() ${zeroGrads.length} times` };
  }
  const receiver = methodCall(backwardCall)?.receiver as Node;
  return { loop, statements, backward: { statement: backwardStatement, receiver }, step, zeroGrad: zeroGrads[0] as Node, bindings };
}

/** Statements that belong with the optimizer step: clipping, unscaling, stepping, zeroing. */
export function isOptimizerSide(statement: Node): boolean {
  const expression = statement.type === 'expression_statement' ? named(statement)[0] : null;
  const call = expression?.type === 'assignment' ? expression.childForFieldName('right') : expression;
  if (call?.type !== 'call') return false;
  const name = dottedName(call.childForFieldName('function') as Node)?.split('.').pop() ?? '';
  return ['step', 'update', 'zero_grad', 'unscale_', 'clip_grad_norm_', 'clip_grad_value_'].includes(name);
}

/** The optimizer's step among the statements after backward(); null when there is none. */
function findStep(root: Node, after: Node[], bindings: ImportBindings): TrainingLoop['step'] | Refusal | null {
  for (const statement of after) {
    const call = statementCall(statement);
    const method = call ? methodCall(call) : null;
    if (!call || method?.name !== 'step' || isScheduler(root, method.receiver, bindings)) continue;
    const args = callArguments(call);
    const positional = args?.positional ?? [];
    if (positional.length === 0 && args?.keywords.size === 0) {
      return { statement, call, optimizer: method.receiver.text, scaler: null };
    }
    if (positional.length === 1 && isGradScaler(root, method.receiver, bindings)) {
      return { statement, call, optimizer: (positional[0] as Node).text, scaler: method.receiver.text };
    }
    return { refused: `${call.text} at line ${startLine(call)} takes a closure or extra arguments; only a plain optimizer.step() is transformed` };
  }
  return null;
}

function missingStep(loop: Node, backwardLine: number): string {
  const nested = descendants(loop, 'call').find((call) => methodCall(call)?.name === 'step' && startLine(call) > backwardLine);
  return nested
    ? `optimizer.step() at line ${startLine(nested)} is inside a condition or block; the loop may already accumulate gradients`
    : `no optimizer.step() follows backward() (line ${backwardLine}) in the same loop body`;
}

function spansLoop(call: Node, line: number): boolean {
  const loop = enclosingLoop(call);
  return loop !== null && spansLine(loop, line);
}

// By constructor where the file shows it, else by the names people give them.
function isScheduler(root: Node, receiver: Node, bindings: ImportBindings): boolean {
  return constructedBy(root, receiver, bindings, ['torch.optim.lr_scheduler.']) || receiver.text.toLowerCase().includes('sched');
}

function isGradScaler(root: Node, receiver: Node, bindings: ImportBindings): boolean {
  const constructors = ['torch.cuda.amp.GradScaler', 'torch.amp.GradScaler'];
  return constructedBy(root, receiver, bindings, constructors) || receiver.text.toLowerCase().includes('scaler');
}

/** True when the file assigns `receiver = <one of prefixes>...(...)` somewhere. */
function constructedBy(root: Node, receiver: Node, bindings: ImportBindings, prefixes: string[]): boolean {
  return descendants(root, 'assignment').some((assignment) => {
    const right = assignment.childForFieldName('right');
    const fn = right?.type === 'call' ? right.childForFieldName('function') : null;
    if (assignment.childForFieldName('left')?.text !== receiver.text || !fn) return false;
    return qualifiedNames(fn, bindings).some((name) => prefixes.some((prefix) => name.startsWith(prefix)));
  });
}
