/**
 * Every golden "after" still compiles: Python with py_compile, JS/TS with the TypeScript compiler
 * (full type check for .ts against the installed @tensorflow/tfjs, syntax for .js/.tsx). And the
 * runnable examples still train, before and after, under the interpreter that has torch.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as path from 'path';
import * as ts from 'typescript';
import { goldenCases, NODE_MODULES } from './golden-cases';

const PYTHON = '/usr/bin/python3';
const afters = goldenCases().filter((c) => !c.refused);

describe('golden after-files compile', () => {
  it('every Python after-file passes py_compile', () => {
    const files = afters.map((c) => c.expected).filter((f) => f.endsWith('.py'));
    assert.ok(files.length > 0);
    // cfile into a temporary folder: no __pycache__ among the fixtures.
    const script = [
      'import os, py_compile, sys, tempfile',
      'out = tempfile.mkdtemp()',
      'for i, f in enumerate(sys.argv[1:]):',
      '    py_compile.compile(f, cfile=os.path.join(out, str(i) + ".pyc"), doraise=True)',
    ].join('\n');
    execFileSync(PYTHON, ['-c', script, ...files], { stdio: 'pipe' });
  });

  it('every JS/TS after-file compiles', () => {
    const files = afters.map((c) => c.expected).filter((f) => /\.(ts|tsx|js)$/.test(f));
    assert.ok(files.length > 0);
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      allowJs: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      jsx: ts.JsxEmit.Preserve,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [path.join(NODE_MODULES, '@types')],
    });
    const diagnostics = files.flatMap((file): readonly ts.Diagnostic[] => {
      const source = program.getSourceFile(file);
      assert.ok(source, file);
      const syntax = program.getSyntacticDiagnostics(source);
      return file.endsWith('.ts') ? [...syntax, ...program.getSemanticDiagnostics(source)] : syntax;
    });
    assert.deepStrictEqual(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
  });
});

describe('runnable examples still train', function () {
  // One interpreter runs every Python example (torch imports once); each trains a few dozen steps.
  it('Python examples, before and after the fix', () => {
    const scripts = afters.filter((c) => c.runs && c.before.endsWith('.py')).flatMap((c) => [c.before, c.expected]);
    assert.ok(scripts.length > 0);
    const driver = 'import runpy, sys\nfor f in sys.argv[1:]:\n    runpy.run_path(f, run_name="__main__")\n    print("ok", f, flush=True)';
    const out = execFileSync(PYTHON, ['-W', 'ignore', '-c', driver, ...scripts], { encoding: 'utf8', timeout: 60_000 });
    for (const script of scripts) assert.ok(out.includes(`ok ${script}`), out);
  });

  it('grad-accumulation over 4 batches of 2 trains exactly like batches of 8', () => {
    const golden = afters.find((c) => c.fixId === 'grad-accumulation' && c.name === 'equivalence');
    assert.ok(golden);
    // One interpreter, three runs: the script reads BATCH when main() starts.
    const driver = [
      'import os, runpy, sys',
      'for batch, script in zip(sys.argv[1::2], sys.argv[2::2]):',
      '    os.environ["BATCH"] = batch',
      '    runpy.run_path(script, run_name="__main__")',
    ].join('\n');
    const runs = [['8', golden.before], ['2', golden.expected], ['2', golden.before]].flat();
    const out = execFileSync(PYTHON, ['-c', driver, ...runs], { encoding: 'utf8', timeout: 30_000 });
    const [plain8, accumulated2, plain2] = out.trim().split('\n');
    assert.strictEqual(accumulated2, plain8);
    assert.notStrictEqual(plain2, plain8);
  });

  it('tfjs examples, after the fix', () => {
    const scripts = afters.filter((c) => c.runs && c.before.endsWith('.ts')).map((c) => c.expected);
    assert.ok(scripts.length > 0);
    for (const script of scripts) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
      assert.match(out, /trained/);
    }
  });
});
