/** tfdata-parallel-map: run a tf.data map on several cores; order is kept (deterministic by default). */
import type { Node } from 'web-tree-sitter';
import { addKeyword, callArguments, findArgument } from './python-args';
import { integerValue } from './python-syntax';
import { atLine, replaceNode, startLine } from './syntax';
import { autotuneText, findPipelines, isAutotune, type Pipelines } from './tfdata-pipelines';
import { combine, type Fix, type ParsedFile, type Refusal, type TargetEdit } from './types';

/** Dataset.map(map_func, num_parallel_calls=None, deterministic=None, name=None). */
const NUM_PARALLEL_CALLS_POSITION = 1;

export const tfdataParallelMap: Fix = {
  id: 'tfdata-parallel-map',
  title: 'Run tf.data map in parallel (num_parallel_calls=tf.data.AUTOTUNE)',
  languages: ['python'],
  candidates: (file) => mapCalls(findPipelines(file)).map(startLine),
  apply(file, ctx) {
    const pipelines = findPipelines(file);
    if (!pipelines.tf) return { ok: false, reason: 'the file does not `import tensorflow`, which tf.data.AUTOTUNE needs' };
    const autotune = autotuneText(file, pipelines, pipelines.tf);
    const targets = atLine(mapCalls(pipelines), ctx.line, true);
    if (targets.length === 0) {
      return { ok: false, reason: 'no tf.data .map(...) in this file' };
    }
    return combine(targets.map((call) => parallelize(file, pipelines, call, autotune)));
  },
};

function parallelize(file: ParsedFile, pipelines: Pipelines, call: Node, autotune: string): TargetEdit | Refusal {
  const where = call.endPosition.row + 1;
  const title = `Set num_parallel_calls=${autotune} on the tf.data map at line ${where}`;
  const args = callArguments(call);
  if (!args) return { refused: `the map at line ${where} has no argument list to edit` };
  const found = findArgument(args, 'num_parallel_calls', NUM_PARALLEL_CALLS_POSITION);
  if (found.kind === 'hidden') return { refused: found.reason };
  if (found.kind === 'absent') return { edits: addKeyword(file, args, `num_parallel_calls=${autotune}`), title };
  if (isAutotune(found.value, pipelines.bindings)) return { refused: `the map at line ${where} already uses AUTOTUNE` };
  if (integerValue(found.value) === null) {
    return { refused: `num_parallel_calls at line ${where} is \`${found.value.text}\`: set it where that value comes from` };
  }
  return { edits: [replaceNode(found.value, autotune)], title };
}

function mapCalls(pipelines: Pipelines): Node[] {
  return pipelines.chains.flatMap((chain) => chain.links.filter((link) => link.name === 'map').map((link) => link.call));
}
