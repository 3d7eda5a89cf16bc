/**
 * The one place that loads tree-sitter's wasm files. Everything else in fixes/ is pure and works on
 * trees parsed here. The bundles ship the wasm files in dist/ (wasmInFolder); dev runs and tests
 * read them from node_modules (wasmInNodeModules).
 */
import * as path from 'path';
// `import = require` makes bundlers take the package's CommonJS build: its ESM build needs
// import.meta.url, which a CommonJS bundle (dist/cli.js, dist/extension.js) does not have.
import TreeSitter = require('web-tree-sitter');
import type { SourceLanguage } from './types';

/** The runtime plus one grammar per language: exactly the files a bundle must ship. */
export const WASM_FILES = {
  runtime: 'tree-sitter.wasm',
  python: 'tree-sitter-python.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
} as const;

export type WasmFile = (typeof WASM_FILES)[keyof typeof WASM_FILES];

/** Absolute path of one of WASM_FILES. */
export type WasmLocator = (file: WasmFile) => string;

export function wasmInFolder(dir: string): WasmLocator {
  return (file) => path.join(dir, file);
}

/** Where npm installed each file (the packages do not share a folder). */
export function wasmInNodeModules(nodeModulesDir: string): WasmLocator {
  const packageOf: Record<WasmFile, string> = {
    'tree-sitter.wasm': 'web-tree-sitter',
    'tree-sitter-python.wasm': 'tree-sitter-python',
    'tree-sitter-javascript.wasm': 'tree-sitter-javascript',
    'tree-sitter-typescript.wasm': 'tree-sitter-typescript',
    'tree-sitter-tsx.wasm': 'tree-sitter-typescript',
  };
  return (file) => path.join(nodeModulesDir, packageOf[file], file);
}

export interface Grammars {
  /** The caller owns the tree and must delete() it: trees live in wasm memory. */
  parse(language: SourceLanguage, source: string): TreeSitter.Tree;
}

// The runtime is process-wide in web-tree-sitter: initialise it once, whoever asks first.
let runtime: Promise<void> | null = null;
const languages = new Map<string, Promise<TreeSitter.Language>>();

export async function loadGrammars(locate: WasmLocator, wanted: readonly SourceLanguage[]): Promise<Grammars> {
  runtime ??= TreeSitter.Parser.init({ locateFile: () => locate(WASM_FILES.runtime) }).catch((error: unknown) => {
    runtime = null; // a wrong folder must not poison later attempts
    throw error;
  });
  await runtime;
  const loaded = new Map<SourceLanguage, TreeSitter.Language>();
  for (const language of new Set(wanted)) {
    const file = locate(WASM_FILES[language]);
    let pending = languages.get(file);
    if (!pending) {
      pending = TreeSitter.Language.load(file);
      languages.set(file, pending);
      void pending.catch(() => languages.delete(file));
    }
    loaded.set(language, await pending);
  }
  const parser = new TreeSitter.Parser();
  return {
    parse(language, source) {
      const grammar = loaded.get(language);
      if (!grammar) throw new Error(`grammar for ${language} was not loaded`);
      parser.setLanguage(grammar);
      const tree = parser.parse(source);
      if (!tree) throw new Error(`tree-sitter returned no tree for ${language}`);
      return tree;
    },
  };
}
