/** The fixes are pure: only grammars.ts touches files (to load the wasm grammars). */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const FIXES_DIR = path.resolve(__dirname, '../../src/core/fixes');

describe('fix modules', () => {
  it('import no Node built-ins and no runtime but tree-sitter types, except grammars.ts', () => {
    const offenders: string[] = [];
    for (const name of fs.readdirSync(FIXES_DIR).filter((f) => f.endsWith('.ts') && f !== 'grammars.ts')) {
      const text = fs.readFileSync(path.join(FIXES_DIR, name), 'utf8');
      for (const [, statement = '', specifier = ''] of text.matchAll(/^(import .*?) from '([^']+)';$/gms)) {
        const typeOnly = statement.startsWith('import type ');
        if (!specifier.startsWith('.') && !(typeOnly && specifier === 'web-tree-sitter')) offenders.push(`${name}: ${specifier}`);
      }
    }
    assert.deepStrictEqual(offenders, []);
  });
});
