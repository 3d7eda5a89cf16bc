/**
 * grad-accumulation: sum the gradients of several batches before each optimizer step, so a smaller
 * batch (less memory) keeps the same effective batch. The loss is divided by the number of steps so
 * the summed gradient equals the mean over the larger batch.
 */
import type { Node } from 'web-tree-sitter';
import { insertLineBefore, loopCounter, outermostLoop, wrapStatements } from './python-blocks';
import { methodCall } from './python-syntax';
import { descendants, replaceNode, startLine } from './syntax';
import { findTrainingLoop, isOptimizerSide, type TrainingLoop } from './training-loop';
import { finish, isRefusal, type Fix, type ParsedFile, type Refusal, type TargetEdit, type TextEdit } from './types';

export const ACCUMULATION_STEPS = 4;
const NAME = 'accumulation_steps';

/** Operands that need no parentheses before ` / accumulation_steps`. */
const PRIMARY = new Set(['identifier', 'call', 'attribute', 'subscript', 'parenthesized_expression']);

export const gradAccumulation: Fix = {
  id: 'grad-accumulation',
  title: `Accumulate gradients over ${ACCUMULATION_STEPS} batches per optimizer step (accumulation_steps)`,
  languages: ['python'],
  apply(file, ctx) {
    if (descendants(file.root, 'identifier').some((id) => id.text === NAME)) {
      return { ok: false, reason: `the file already uses a name ${NAME}` };
    }
    const loop = findTrainingLoop(file, ctx);
    return finish(isRefusal(loop) ? loop : accumulate(file, loop));
  },
};

function accumulate(file: ParsedFile, training: TrainingLoop): TargetEdit | Refusal {
  const { statements, backward, step, zeroGrad, loop } = training;
  const indexOf = (node: Node): number => statements.findIndex((s) => s.id === node.id);
  // The statements that must run once per accumulation_steps: the contiguous optimizer run holding step().
  let first = indexOf(step.statement);
  let last = first;
  while (first - 1 > indexOf(backward.statement) && isOptimizerSide(statements[first - 1] as Node)) first--;
  while (last + 1 < statements.length && isOptimizerSide(statements[last + 1] as Node)) last++;
  const stray = statements.find((s, i) => i > indexOf(backward.statement) && (i < first || i > last) && isOptimizerSide(s));
  if (stray) {
    return { refused: `line ${startLine(stray)} (${stray.text}) is apart from optimizer.step(); keep the optimizer's statements together` };
  }
  const zeroBefore = indexOf(zeroGrad) < indexOf(backward.statement);
  if (!zeroBefore && (indexOf(zeroGrad) < first || indexOf(zeroGrad) > last)) {
    return { refused: `zero_grad() at line ${startLine(zeroGrad)} sits between backward() and step()` };
  }
  const counter = loopCounter(file, loop, false);
  if (isRefusal(counter)) return counter;
  const stepGuard = wrapStatements(file, statements[first] as Node, statements[last] as Node, `if (${counter.name} + 1) % ${NAME} == 0`);
  if (isRefusal(stepGuard)) return stepGuard;
  const edits: TextEdit[] = [
    insertLineBefore(file, outermostLoop(loop), `${NAME} = ${ACCUMULATION_STEPS}  # batches per optimizer step; effective batch = batch_size * ${NAME}`),
    ...counter.edits,
    scaleLoss(backward.receiver),
    stepGuard,
  ];
  if (zeroBefore) {
    // Zero at the first batch of each group, so the group's gradients add up from nothing.
    const zeroGuard = wrapStatements(file, zeroGrad, zeroGrad, `if ${counter.name} % ${NAME} == 0`);
    if (isRefusal(zeroGuard)) return zeroGuard;
    edits.push(zeroGuard);
  }
  return { edits, title: `Accumulate gradients over ${NAME} = ${ACCUMULATION_STEPS} batches in the loop at line ${startLine(loop)}` };
}

/** `loss.backward()` → `(loss / n).backward()`; `scaler.scale(loss)` → `scaler.scale(loss / n)`. */
function scaleLoss(receiver: Node): TextEdit {
  const scaled = methodCall(receiver)?.name === 'scale' ? scaleArgument(receiver) : null;
  if (scaled) return scaled;
  return replaceNode(receiver, `(${receiver.text} / ${NAME})`);
}

function scaleArgument(scaleCall: Node): TextEdit | null {
  const args = scaleCall.childForFieldName('arguments');
  const loss = args?.namedChildren.filter((child) => child !== null && child.type !== 'comment');
  const only = loss?.length === 1 ? loss[0] : null;
  if (!only || only.type === 'keyword_argument' || only.type === 'list_splat') return null;
  const operand = PRIMARY.has(only.type) ? only.text : `(${only.text})`;
  return replaceNode(only, `${operand} / ${NAME}`);
}
