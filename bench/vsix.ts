/** The packaged extension's size: what a user downloads, and what .vscodeignore keeps out. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './paired';

export async function runVsixBench(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlens-vsix-'));
  try {
    const vsix = path.join(dir, 'trainlens.vsix');
    const vsce = path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce');
    execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix], { cwd: REPO, stdio: 'pipe' });
    const files = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: REPO, encoding: 'utf8' }).trim().split('\n').length;
    return [`VSIX: ${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB packed, ${files} files (production bundles, wasm grammars, Python runner)`];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
