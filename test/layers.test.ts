/** The layers hold by construction: these imports fail the build's tests, not a review. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|require\(|import\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
}

function offenders(dir: string, banned: (specifier: string) => boolean): string[] {
  return sourceFiles(dir).flatMap((file) => importsOf(file).filter(banned).map((s) => `${file} imports ${s}`));
}

const isNodeBuiltin = (s: string) => s.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'net', 'http', 'inspector', 'module', 'worker_threads'].includes(s);

describe('layers', () => {
  it('only src/extension imports vscode', () => {
    const all = sourceFiles('src').filter((f) => !f.startsWith(path.join('src', 'extension')));
    const bad = all.flatMap((file) => importsOf(file).filter((s) => s === 'vscode').map(() => file));
    assert.deepEqual(bad, []);
  });

  it('protocol has no dependencies at all', () => {
    assert.deepEqual(offenders('src/protocol', (s) => !s.startsWith('.')), []);
  });

  it('core starts no processes and touches no sockets', () => {
    assert.deepEqual(offenders('src/core', (s) => /(^|:)(child_process|net|http|https|worker_threads)$/.test(s)), []);
  });

  it('the Node preload imports only the protocol and Node built-ins', () => {
    const bad = offenders('src/runners/node', (s) => !isNodeBuiltin(s) && !s.startsWith('.') ).concat(
      offenders('src/runners/node', (s) => s.startsWith('..') && !/^(\.\.\/)+protocol/.test(s)),
    );
    assert.deepEqual(bad, []);
  });

  it('the webview imports neither Node built-ins nor host code', () => {
    assert.deepEqual(offenders('src/webview', (s) => isNodeBuiltin(s) || /\/(host|extension)\//.test(s)), []);
  });
});
