/**
 * tf.data pipelines in a Python file: method chains that start at a tf.data source, followed
 * through the variables they are assigned to (`ds = ds.map(f)`), so "the end of the pipeline" is
 * the last step before the dataset is used, not every intermediate chain.
 */
import type { Node } from 'web-tree-sitter';
import { importBindings, localNameOf, methodCall, qualifiedNames, scopeOf, type ImportBindings } from './python-syntax';
import { descendants, named, spansLine } from './syntax';
import type { ParsedFile } from './types';

export interface ChainLink {
  name: string;
  call: Node;
}

export interface Chain {
  /** The whole expression, e.g. `ds.map(f).batch(32)`. */
  outer: Node;
  links: ChainLink[];
  /** The chain this one continues through a variable, if any. */
  upstream: Chain | null;
  /** The assigned chain that continues this one, if any. */
  consumer: Chain | null;
  assigned: boolean;
  /** Passed straight to a `.fit(...)`: the end of the pipeline even though it is not assigned. */
  fed: boolean;
}

export interface Pipelines {
  chains: Chain[];
  /** Local name of the tensorflow module (`tf`), or null when the file does not import it. */
  tf: string | null;
  bindings: ImportBindings;
}

export function findPipelines(file: ParsedFile): Pipelines {
  const bindings = importBindings(file.root);
  const variables = new Map<string, Chain>(); // key: scope id + name
  const chains: Chain[] = [];
  for (const call of descendants(file.root, 'call')) {
    if (continuesChain(call)) continue;
    const links: ChainLink[] = [];
    let root: Node = call;
    for (let m = methodCall(root); m && !isSource(root, bindings); m = methodCall(root)) {
      links.unshift({ name: m.name, call: root });
      root = m.receiver;
    }
    const key = (name: string): string => `${scopeOf(call).id}:${name}`;
    const upstream = root.type === 'identifier' ? (variables.get(key(root.text)) ?? null) : null;
    if (!upstream && !(root.type === 'call' && isSource(root, bindings))) continue;
    const target = assignmentTarget(call);
    const chain: Chain = { outer: call, links, upstream, consumer: null, assigned: target !== null, fed: isFedToFit(call) };
    if (upstream && (chain.assigned || chain.fed)) upstream.consumer = chain;
    if (target) variables.set(key(target), chain);
    chains.push(chain);
  }
  return { chains, tf: localNameOf(bindings, 'tensorflow'), bindings };
}

/** Chains whose value is used as it is: assigned and never continued, or passed to fit(). */
export function pipelineEnds(pipelines: Pipelines): Chain[] {
  return pipelines.chains.filter((chain) => (chain.assigned || chain.fed) && chain.consumer === null);
}

/** The end of the pipeline the chain on `line` belongs to. */
export function endAtLine(pipelines: Pipelines, line: number): Chain | null {
  const here = pipelines.chains
    .filter((chain) => spansLine(chain.outer, line))
    .sort((a, b) => a.outer.text.length - b.outer.text.length)[0];
  let end = here ?? null;
  while (end?.consumer) end = end.consumer;
  return end;
}

/** Every step of the pipeline up to `end`, first to last. */
export function pipelineLinks(end: Chain): ChainLink[] {
  const links: ChainLink[] = [];
  for (let chain: Chain | null = end; chain; chain = chain.upstream) links.unshift(...chain.links);
  return links;
}

const AUTOTUNE = 'tensorflow.data.AUTOTUNE';
const EXPERIMENTAL_AUTOTUNE = 'tensorflow.data.experimental.AUTOTUNE';

export function isAutotune(node: Node, bindings: ImportBindings): boolean {
  return qualifiedNames(node, bindings).some((name) => name === AUTOTUNE || name === EXPERIMENTAL_AUTOTUNE);
}

/** AUTOTUNE spelled as the file already spells it; tf.data.experimental.AUTOTUNE suits TF < 2.4. */
export function autotuneText(file: ParsedFile, pipelines: Pipelines, tf: string): string {
  const experimental = descendants(file.root, 'attribute').some((a) =>
    qualifiedNames(a, pipelines.bindings).includes(EXPERIMENTAL_AUTOTUNE),
  );
  return experimental ? `${tf}.data.experimental.AUTOTUNE` : `${tf}.data.AUTOTUNE`;
}

function isSource(call: Node, bindings: ImportBindings): boolean {
  const fn = call.childForFieldName('function');
  if (!fn) return false;
  return qualifiedNames(fn, bindings).some(
    (name) =>
      name.startsWith('tensorflow.data.') ||
      (name.startsWith('tensorflow.keras.') &&
        (name.endsWith('_dataset_from_directory') || name.endsWith('_dataset_from_array'))),
  );
}

/** True when the call is the receiver of another call in the same chain (`x.a()` in `x.a().b()`). */
function continuesChain(call: Node): boolean {
  const attribute = call.parent;
  if (attribute?.type !== 'attribute' || attribute.childForFieldName('object')?.id !== call.id) return false;
  return attribute.parent?.type === 'call' && attribute.parent.childForFieldName('function')?.id === attribute.id;
}

function assignmentTarget(call: Node): string | null {
  let value: Node = call;
  while (value.parent?.type === 'parenthesized_expression') value = value.parent;
  const assignment = value.parent;
  if (assignment?.type !== 'assignment' || assignment.childForFieldName('right')?.id !== value.id) return null;
  const left = assignment.childForFieldName('left');
  return left?.type === 'identifier' ? left.text : null;
}

function isFedToFit(call: Node): boolean {
  const list = call.parent;
  if (list?.type !== 'argument_list' || named(list)[0]?.id !== call.id) return false;
  return list.parent !== null && methodCall(list.parent)?.name === 'fit';
}
