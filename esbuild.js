// One build script, one esbuild context per bundle. `node esbuild.js --watch` rebuilds on change.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };

const bundles = [
  // The CLI: host + core in a terminal.
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', target: 'node20', format: 'cjs' },
  // The extension host side: the only bundle that may import `vscode` (provided by the editor).
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', target: 'node20', format: 'cjs', external: ['vscode'] },
  // The performance panel: browser code, DOM only.
  { ...common, entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', target: 'es2022', format: 'iife' },
  // The tuning panel: browser code, DOM only.
  { ...common, entryPoints: ['src/webview/tune/tune-main.ts'], outfile: 'dist/tune-webview.js', platform: 'browser', target: 'es2022', format: 'iife' },
  // The Node runner preload: protocol + Node built-ins only, injected into the user's process.
  { ...common, entryPoints: ['src/runners/node/preload.ts'], outfile: 'dist/preload.js', platform: 'node', target: 'node18', format: 'cjs' },
];

/** The Python runner speaks the protocol defined in wire.json; it gets a generated copy. */
function generatePythonWire() {
  const wire = fs.readFileSync('src/protocol/wire.json', 'utf8');
  const text = pythonWireSource(wire);
  const target = 'src/runners/python/trainlens_runner/wire.py';
  if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) fs.writeFileSync(target, text);
}

function pythonWireSource(wireJson) {
  const parsed = JSON.parse(wireJson);
  const events = JSON.stringify(parsed.events, null, 4);
  return [
    '# Generated from src/protocol/wire.json by esbuild.js: do not edit by hand.',
    'VERSION = ' + parsed.version,
    'EVENTS = ' + events,
    '',
  ].join('\n');
}

/** Ships the stdlib-only Python runner next to the bundles (dist/python is what goes on PYTHONPATH). */
function copyPythonRunner() {
  const from = 'src/runners/python/trainlens_runner';
  const to = 'dist/python/trainlens_runner';
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(to, { recursive: true });
  for (const name of fs.readdirSync(from)) {
    if (name.endsWith('.py')) fs.copyFileSync(path.join(from, name), path.join(to, name));
  }
}

/** web-tree-sitter's runtime and the grammars, next to the bundles that parse code (fixes). */
const WASM_SOURCES = [
  'node_modules/web-tree-sitter/tree-sitter.wasm',
  'node_modules/tree-sitter-python/tree-sitter-python.wasm',
  'node_modules/tree-sitter-javascript/tree-sitter-javascript.wasm',
  'node_modules/tree-sitter-typescript/tree-sitter-typescript.wasm',
  'node_modules/tree-sitter-typescript/tree-sitter-tsx.wasm',
];

function copyWasm() {
  fs.mkdirSync('dist', { recursive: true });
  for (const file of WASM_SOURCES) fs.copyFileSync(file, path.join('dist', path.basename(file)));
}

async function main() {
  // A production build (the VSIX's) starts clean: source maps of an earlier dev build would ship.
  if (production) fs.rmSync('dist', { recursive: true, force: true });
  generatePythonWire();
  copyPythonRunner();
  copyWasm();
  const contexts = await Promise.all(bundles.map((options) => esbuild.context(options)));
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
    return;
  }
  await Promise.all(contexts.map((ctx) => ctx.rebuild()));
  await Promise.all(contexts.map((ctx) => ctx.dispose()));
}

module.exports = { pythonWireSource };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
