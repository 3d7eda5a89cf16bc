import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { applyEdits } from '../../src/core/fixes/edits';
import { languageOfPath, runFix } from '../../src/core/fixes/catalogue';
import { loadGrammars, wasmInNodeModules, type Grammars } from '../../src/core/fixes/grammars';
import { goldenCases, NODE_MODULES, type GoldenCase } from './golden-cases';

// UPDATE_GOLDEN=1 rewrites the expected files from the current output; review the diff before committing.
const update = process.env.UPDATE_GOLDEN === '1';

function fixOutput(grammars: Grammars, golden: GoldenCase, source: string): { refused: boolean; text: string } {
  const language = languageOfPath(golden.before);
  assert.ok(language, `no language for ${golden.before}`);
  const result = runFix(grammars, golden.fixId, source, language, golden.context);
  return result.ok ? { refused: false, text: applyEdits(source, result.edits) } : { refused: true, text: result.reason + '\n' };
}

describe('fix golden files', () => {
  let grammars: Grammars;
  before(async () => {
    grammars = await loadGrammars(wasmInNodeModules(NODE_MODULES), ['python', 'javascript', 'typescript', 'tsx']);
  });

  for (const golden of goldenCases()) {
    it(`${golden.fixId}: ${golden.name}`, () => {
      const output = fixOutput(grammars, golden, fs.readFileSync(golden.before, 'utf8'));
      if (update) {
        const ext = path.extname(golden.before);
        const base = golden.before.slice(0, -`.before${ext}`.length);
        fs.rmSync(`${base}.refused.txt`, { force: true });
        fs.rmSync(`${base}.after${ext}`, { force: true });
        fs.writeFileSync(output.refused ? `${base}.refused.txt` : `${base}.after${ext}`, output.text);
        return;
      }
      assert.strictEqual(output.refused, golden.refused, output.text);
      assert.strictEqual(output.text, fs.readFileSync(golden.expected, 'utf8'));
    });

    it(`${golden.fixId}: ${golden.name} keeps CRLF line endings`, function () {
      if (update) this.skip();
      const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');
      const output = fixOutput(grammars, golden, crlf(fs.readFileSync(golden.before, 'utf8')));
      const expected = fs.readFileSync(golden.expected, 'utf8');
      assert.strictEqual(output.text, golden.refused ? expected : crlf(expected));
    });
  }
});
