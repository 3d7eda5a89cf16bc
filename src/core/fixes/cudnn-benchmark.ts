/**
 * cudnn-benchmark: with fixed input shapes, cuDNN can time its convolution algorithms on the first
 * batch and keep the fastest. With shapes that vary it would re-time for every new shape, and it
 * trades away bit-for-bit reproducibility, so both are refused.
 */
import type { Node } from 'web-tree-sitter';
import { insertLineAfter } from './python-blocks';
import { importBindings, localNameOf, qualifiedNames, type ImportBindings } from './python-syntax';
import { descendants, named, startLine } from './syntax';
import type { Fix, ParsedFile } from './types';

const IMPORTS = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);
/** Padding helpers mean batches of varying length. */
const VARIABLE_SHAPES = new Set(['pad_sequence', 'pack_padded_sequence', 'pack_sequence']);

export const cudnnBenchmark: Fix = {
  id: 'cudnn-benchmark',
  title: 'Let cuDNN pick the fastest convolution algorithms for fixed-shape conv nets (cudnn.benchmark = True)',
  languages: ['python'],
  candidates: (file) => convCalls(file, importBindings(file.root)).slice(0, 1).map(startLine),
  apply(file, ctx) {
    if (!ctx.cuda) return { ok: false, reason: 'cudnn.benchmark tunes cuDNN on CUDA GPUs, and this run has no CUDA' };
    const bindings = importBindings(file.root);
    if (convCalls(file, bindings).length === 0) {
      return { ok: false, reason: 'no convolution layers (nn.Conv*, F.conv*, torchvision models) in this file, and benchmark only tunes convolutions' };
    }
    const variable = descendants(file.root, 'identifier').find((id) => VARIABLE_SHAPES.has(id.text));
    if (variable) {
      return { ok: false, reason: `${variable.text} at line ${startLine(variable)} makes batch shapes vary, and benchmark would re-tune for each new shape` };
    }
    const setting = cudnnSetting(file, bindings);
    if (setting) return { ok: false, reason: setting };
    const imports = named(file.root).filter((s) => IMPORTS.has(s.type));
    // A top-level import: the setting runs at module level, where imports inside functions are unbound.
    const torch = imports.map((s) => localNameOf(importBindings(s), 'torch')).find((name) => name !== null) ?? null;
    const lastImport = imports[imports.length - 1];
    if (!torch || !lastImport) return { ok: false, reason: 'the file has no top-level `import torch` to place the setting after' };
    const text = `${torch}.backends.cudnn.benchmark = True  # fixed input shapes: time the conv algorithms once, keep the fastest`;
    return { ok: true, edits: [insertLineAfter(file, lastImport, text)], title: `Set ${torch}.backends.cudnn.benchmark = True after the imports (line ${startLine(lastImport)})` };
  },
};

function convCalls(file: ParsedFile, bindings: ImportBindings): Node[] {
  return descendants(file.root, 'call').filter((call) => {
    const fn = call.childForFieldName('function');
    return (
      fn !== null &&
      qualifiedNames(fn, bindings).some(
        (name) => name.startsWith('torch.nn.Conv') || name.startsWith('torch.nn.functional.conv') || name.startsWith('torchvision.models.'),
      )
    );
  });
}

/** A reason to leave cuDNN alone: the file already sets benchmark, or asks for determinism. */
function cudnnSetting(file: ParsedFile, bindings: ImportBindings): string | null {
  for (const assignment of descendants(file.root, 'assignment')) {
    const left = assignment.childForFieldName('left');
    const names = left ? qualifiedNames(left, bindings) : [];
    const value = assignment.childForFieldName('right')?.text;
    const line = startLine(assignment);
    if (names.includes('torch.backends.cudnn.benchmark')) {
      return value === 'True' ? `cudnn.benchmark is already True at line ${line}` : `cudnn.benchmark is set to ${value} at line ${line}, on purpose`;
    }
    if (names.includes('torch.backends.cudnn.deterministic') && value !== 'False') {
      return `the file asks cuDNN for deterministic results at line ${line}, which benchmark would give up`;
    }
  }
  const deterministic = descendants(file.root, 'identifier').find((id) => id.text === 'use_deterministic_algorithms');
  return deterministic ? `the file asks for deterministic algorithms at line ${startLine(deterministic)}, which benchmark would give up` : null;
}
