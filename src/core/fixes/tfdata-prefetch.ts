/** tfdata-prefetch: let tf.data prepare the next batches while the model trains on this one. */
import type { Node } from 'web-tree-sitter';
import { indentAt, lineStart } from './edits';
import { startLine } from './syntax';
import { autotuneText, endAtLine, findPipelines, pipelineEnds, pipelineLinks, type Chain } from './tfdata-pipelines';
import { combine, type Fix, type ParsedFile, type TextEdit } from './types';

export const tfdataPrefetch: Fix = {
  id: 'tfdata-prefetch',
  title: 'Overlap input and training: end the tf.data pipeline with .prefetch(tf.data.AUTOTUNE)',
  languages: ['python'],
  candidates: (file) => pipelineEnds(findPipelines(file)).map((end) => startLine(end.outer)),
  apply(file, ctx) {
    const pipelines = findPipelines(file);
    if (!pipelines.tf) return { ok: false, reason: 'the file does not `import tensorflow`, which tf.data.AUTOTUNE needs' };
    const autotune = autotuneText(file, pipelines, pipelines.tf);
    // The pipeline the finding points into, else (the line was only a hint) every pipeline.
    const atLine = ctx.line === undefined ? null : endAtLine(pipelines, ctx.line);
    const ends = atLine ? [atLine] : pipelineEnds(pipelines);
    if (ends.length === 0) return { ok: false, reason: 'no tf.data pipeline in this file' };
    return combine(
      ends.map((end) => {
        const existing = pipelineLinks(end).find((link) => link.name === 'prefetch');
        if (existing) return { refused: `the pipeline already prefetches at line ${existing.call.endPosition.row + 1}` };
        const title = `End the tf.data pipeline at line ${end.outer.endPosition.row + 1} with .prefetch(${autotune})`;
        return { edits: [appendStep(file, end, `.prefetch(${autotune})`)], title };
      }),
    );
  },
};

/** Adds `.step(...)` after the chain: on its own line when the chain is laid out one step per line. */
function appendStep(file: ParsedFile, chain: Chain, step: string): TextEdit {
  const at = chain.outer.endIndex;
  const last = chain.links[chain.links.length - 1];
  const dot = last ? dotOf(last.call) : null;
  const ownLines =
    dot !== null && insideBrackets(chain.outer) && file.source.slice(lineStart(file.source, dot.startIndex), dot.startIndex).trim() === '';
  const newText = ownLines && dot ? file.newline + indentAt(file.source, dot.startIndex) + step : step;
  return { start: at, end: at, newText };
}

function dotOf(call: Node): Node | null {
  const attribute = call.childForFieldName('function');
  for (let i = 0; attribute && i < attribute.childCount; i++) {
    const child = attribute.child(i);
    if (child?.type === '.') return child;
  }
  return null;
}

/** Inside brackets a new line needs no backslash. */
function insideBrackets(node: Node): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (['parenthesized_expression', 'argument_list', 'list', 'tuple', 'dictionary'].includes(current.type)) return true;
    if (current.type === 'expression_statement' || current.type === 'block') return false;
  }
  return false;
}
