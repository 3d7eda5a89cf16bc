/**
 * mixed-precision: run forward and loss under torch.autocast on CUDA. bfloat16 where the GPU has it
 * (same range as float32, no loss scaling needed); else float16 with a GradScaler, which scales the
 * loss so small gradients do not underflow, and unscales before clipping and stepping.
 */
import type { Node } from 'web-tree-sitter';
import { insertLineAfter, insertLineBefore, outermostLoop, wrapStatements } from './python-blocks';
import { assignedNames, freshName, localNameOf, methodCall, scopeOf, statementCall } from './python-syntax';
import { descendants, named, replaceNode, startLine } from './syntax';
import { findTrainingLoop, type TrainingLoop } from './training-loop';
import { finish, isRefusal, versionAtLeast, type Fix, type FixContext, type ParsedFile, type Refusal, type TargetEdit, type TextEdit } from './types';

/** Calls that move or fetch data rather than compute: they need not be inside autocast. */
const DATA_CALLS = new Set(['to', 'cuda', 'float', 'half', 'long', 'int', 'contiguous', 'pin_memory', 'next', 'len']);

export const mixedPrecision: Fix = {
  id: 'mixed-precision',
  title: 'Train in mixed precision on CUDA (torch.autocast around forward and loss)',
  languages: ['python'],
  apply(file, ctx) {
    if (!ctx.cuda) return { ok: false, reason: 'autocast to float16/bfloat16 pays off on CUDA GPUs, and this run has no CUDA' };
    if (!versionAtLeast(ctx.torchVersion, 1, 10)) {
      return { ok: false, reason: `torch.autocast needs torch 1.10 or later, and this run has ${ctx.torchVersion}` };
    }
    const existing = descendants(file.root, 'identifier').find((id) => id.text === 'autocast' || id.text === 'GradScaler');
    if (existing) return { ok: false, reason: `the file already uses ${existing.text} at line ${startLine(existing)}` };
    const loop = findTrainingLoop(file, ctx);
    return finish(isRefusal(loop) ? loop : autocast(file, ctx, loop));
  },
};

function autocast(file: ParsedFile, ctx: FixContext, training: TrainingLoop): TargetEdit | Refusal {
  const torch = localNameOf(training.bindings, 'torch');
  if (!torch) return { refused: 'the file does not `import torch`, which torch.autocast needs' };
  const { backward, statements } = training;
  const where = startLine(backward.statement);
  if (backward.receiver.type !== 'identifier') {
    return { refused: `the loss is computed inside the backward() statement at line ${where}; assign it to a variable first` };
  }
  const lossName = backward.receiver.text;
  const backwardAt = statements.findIndex((s) => s.id === backward.statement.id);
  const lossAt = lastIndex(statements.slice(0, backwardAt), (s) => assignedNames(s).includes(lossName));
  if (lossAt < 0) return { refused: `\`${lossName}\` is not assigned in the loop body before backward() at line ${where}` };
  const forwardAt = forwardStart(statements, lossAt);
  const bf16 = ctx.bf16Supported === true;
  const dtype = bf16 ? `${torch}.bfloat16` : `${torch}.float16`;
  const guarded = wrapStatements(
    file,
    statements[forwardAt] as Node,
    statements[lossAt] as Node,
    `with ${torch}.autocast(device_type="cuda", dtype=${dtype})`,
  );
  if (isRefusal(guarded)) return guarded;
  const lines = `lines ${startLine(statements[forwardAt] as Node)}-${startLine(statements[lossAt] as Node)}`;
  if (bf16) return { edits: [guarded], title: `Run forward and loss (${lines}) under torch.autocast with bfloat16` };
  const scaled = withGradScaler(file, ctx, training, torch);
  if (isRefusal(scaled)) return scaled;
  return { edits: [guarded, ...scaled], title: `Run forward and loss (${lines}) under torch.autocast with float16 and a GradScaler` };
}

/** The earliest statement before the loss that computes something the loss depends on. */
function forwardStart(statements: Node[], lossAt: number): number {
  let first = lossAt;
  const needed = new Set(reads(statements[lossAt] as Node));
  for (let i = lossAt - 1; i >= 0; i--) {
    const statement = statements[i] as Node;
    if (statement.type !== 'expression_statement') break;
    // A zero_grad() between forward and loss ends up under autocast too, where it is harmless.
    if (!assignedNames(statement).some((name) => needed.has(name)) || !computes(statement)) continue;
    first = i;
    for (const name of reads(statement)) needed.add(name);
  }
  return first;
}

function withGradScaler(file: ParsedFile, ctx: FixContext, training: TrainingLoop, torch: string): TextEdit[] | Refusal {
  const { backward, step, statements, loop } = training;
  if (step.scaler) return { refused: `the loop already steps through ${step.scaler}` };
  const scaler = freshName(scopeOf(loop), ['scaler', 'grad_scaler']);
  // torch.amp.GradScaler("cuda") replaced torch.cuda.amp.GradScaler() in 2.3; the old one warns since 2.4.
  const recent = ctx.torchVersion ? versionAtLeast(ctx.torchVersion, 2, 3) : false;
  const constructor = recent ? `${torch}.amp.GradScaler("cuda")` : `${torch}.cuda.amp.GradScaler()`;
  const edits: TextEdit[] = [
    insertLineBefore(file, outermostLoop(loop), `${scaler} = ${constructor}  # scales the float16 loss so small gradients do not underflow`),
    replaceNode(backward.receiver, `${scaler}.scale(${backward.receiver.text})`),
    replaceNode(step.call, `${scaler}.step(${step.optimizer})`),
    insertLineAfter(file, step.statement, `${scaler}.update()`),
  ];
  // Clipping must see true gradient sizes: unscale first.
  const between = statements.slice(statements.findIndex((s) => s.id === backward.statement.id) + 1);
  const clip = between.find((s) => s.startIndex < step.statement.startIndex && descendants(s, 'identifier').some((id) => id.text.startsWith('clip_grad')));
  if (clip) edits.push(insertLineBefore(file, clip, `${scaler}.unscale_(${step.optimizer})`));
  return edits;
}

function computes(statement: Node): boolean {
  return descendants(statement, 'call').some((call) => {
    const fn = call.childForFieldName('function');
    const name = methodCall(call)?.name ?? fn?.text ?? '';
    return !DATA_CALLS.has(name);
  });
}

function reads(statement: Node): string[] {
  const expression = named(statement)[0];
  const right = expression?.type === 'assignment' ? expression.childForFieldName('right') : (statementCall(statement) ?? expression);
  return right ? descendants(right, 'identifier').map((id) => id.text).concat(right.type === 'identifier' ? [right.text] : []) : [];
}

function lastIndex<T>(items: T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i] as T)) return i;
  return -1;
}
