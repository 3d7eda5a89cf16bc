/** The editor's quick fixes as data: which finding a diagnostic shows, the actions, the lightbulbs. */
import * as assert from 'assert';
import { mayHaveProactiveFixes, proactiveFixes } from '../../src/core/editor-view/proactive-fixes';
import { actionTitle, findingForDiagnostic, planQuickFixes } from '../../src/core/editor-view/quick-fixes';
import type { Finding } from '../../src/core/findings/finding';
import { runFix } from '../../src/core/fixes/catalogue';
import { applyEdits } from '../../src/core/fixes/edits';
import { loadGrammars, wasmInNodeModules, type Grammars } from '../../src/core/fixes/grammars';
import { fixContextForRun } from '../../src/core/fixes/run-context';
import type { FixContext } from '../../src/core/fixes/types';
import { NODE_MODULES } from './golden-cases';
import { summaryWith } from './summary-fixture';

const SCRIPT = '/work/train.py';

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    code: 'input-bound',
    severity: 'high',
    title: 'Input-bound',
    message: 'data takes 80% of each step',
    evidence: {},
    locations: [{ file: SCRIPT, line: 7, why: 'DataLoader built here' }],
    fixes: ['dataloader-workers'],
    impact: 0.8,
    ...overrides,
  };
}

const source = [
  'import torch',
  'from torch.utils.data import DataLoader',
  'from data import dataset, other',
  '',
  'model = torch.nn.Linear(4, 2)',
  'optimizer = torch.optim.SGD(model.parameters(), lr=0.1)',
  'loader = DataLoader(dataset, batch_size=32, num_workers=0)',
  'tuned = DataLoader(other, batch_size=32, num_workers=3)',
  'for x, y in loader:',
  '    optimizer.zero_grad()',
  '    model(x).sum().backward()',
  '    optimizer.step()',
  '',
].join('\n');

describe('quick fixes in the editor', () => {
  let grammars: Grammars;
  before(async () => {
    grammars = await loadGrammars(wasmInNodeModules(NODE_MODULES), ['python']);
  });

  describe('the finding behind a diagnostic', () => {
    const inputBound = finding();
    const gpuIdle = finding({ code: 'gpu-idle', locations: [], fixes: [] });

    it('is found by code, even after edits moved the diagnostic off the recorded line', () => {
      assert.strictEqual(findingForDiagnostic([gpuIdle, inputBound], SCRIPT, SCRIPT, 'input-bound', 9), inputBound);
      assert.strictEqual(findingForDiagnostic([inputBound], SCRIPT, '/work/other.py', 'input-bound', 6), undefined);
    });

    it('is the one nearest the diagnostic when a code has several, and a location-less one sits on the script', () => {
      const far = finding({ locations: [{ file: SCRIPT, line: 40 }] });
      assert.strictEqual(findingForDiagnostic([far, inputBound], SCRIPT, SCRIPT, 'input-bound', 7), inputBound);
      assert.strictEqual(findingForDiagnostic([gpuIdle], SCRIPT, SCRIPT, 'gpu-idle', 0), gpuIdle);
    });
  });

  describe('actions on diagnostics', () => {
    const ctx: FixContext = { cores: 4, cuda: false, platform: 'linux' };
    const apply = (fixId: string, c: FixContext) => runFix(grammars, fixId, source, 'python', c);

    it('offers each fix of the finding at the diagnostic\'s line, the first that applies preferred', () => {
      const withPin = finding({ fixes: ['dataloader-pin-memory', 'dataloader-workers'] });
      const plans = planQuickFixes([{ index: 0, line0: 6, finding: withPin }], () => ctx, apply);
      assert.deepStrictEqual(
        plans.map((p) => [p.fixId, p.line, p.title, p.preferred, p.edits !== null]),
        [
          ['dataloader-pin-memory', 7, 'Pin DataLoader memory for faster copies to the GPU (pin_memory=True)', false, false],
          ['dataloader-workers', 7, 'Set DataLoader num_workers=3 (4 cores available)', true, true],
        ],
      );
      assert.match(plans[0]?.refusal ?? '', /no CUDA/);
      const edited = applyEdits(source, plans[1]?.edits ?? []);
      assert.match(edited, /loader = DataLoader\(dataset, batch_size=32, num_workers=3\)/);
      assert.match(edited, /tuned = DataLoader\(other, batch_size=32, num_workers=3\)/, 'the other loader is left alone');
    });

    it('writes the worker count the finding measured, and says it in the title', () => {
      const plans = planQuickFixes([{ index: 0, line0: 6, finding: finding() }], () => ({ ...ctx, cores: 2, workers: 4 }), apply);
      assert.strictEqual(plans[0]?.title, 'Set DataLoader num_workers=4 (2 cores available)');
      assert.match(applyEdits(source, plans[0]?.edits ?? []), /loader = DataLoader\(dataset, batch_size=32, num_workers=4\)/);
    });

    it("writes torch's thread pools at 1 thread with the workers where the run measured them spinning, and says both", () => {
      const spinning = finding({ evidence: { cores: 2, suggestedWorkers: 2, expectedSpeedup: 1.8, spinningCores: 0.85 } });
      const context = fixContextForRun(summaryWith({ framework: 'pytorch', frameworkVersion: '1.13.1' }), spinning, { cores: 2, platform: 'linux' });
      assert.strictEqual(context.threadPools, 1);
      const plans = planQuickFixes([{ index: 0, line0: 6, finding: spinning }], () => context, apply);
      assert.strictEqual(plans[0]?.title, "Set DataLoader num_workers=2 and torch's thread pools to 1 thread (2 cores available): expected up to 1.8× faster");
      const edited = applyEdits(source, plans[0]?.edits ?? []).split('\n');
      // Before torch is imported, where the pools read their size; the loader on its own line.
      assert.deepStrictEqual(edited.slice(2, 5), ['os.environ["OMP_NUM_THREADS"] = "1"', 'os.environ["OPENBLAS_NUM_THREADS"] = "1"', 'os.environ["MKL_NUM_THREADS"] = "1"']);
      assert.strictEqual(edited[5], 'import torch');
      assert.ok(edited.includes('loader = DataLoader(dataset, batch_size=32, num_workers=2)'));
    });

    it('makes one action of a fix two findings list at the same line, resolving both diagnostics', () => {
      const other = finding({ code: 'slow-steps', impact: 0.9 });
      const plans = planQuickFixes([{ index: 0, line0: 6, finding: finding() }, { index: 1, line0: 6, finding: other }], () => ctx, apply);
      assert.deepStrictEqual(plans.map((p) => [p.fixId, p.diagnostics]), [['dataloader-workers', [1, 0]]]);
    });

    it('takes its facts from the run: the findings engine\'s cores, CUDA from the device, torch\'s version', () => {
      const run = summaryWith({ device: 'cuda:0', framework: 'pytorch', frameworkVersion: '2.3.1' });
      const context = fixContextForRun(run, finding({ evidence: { cores: 2 } }), { cores: 64, platform: 'linux' });
      assert.deepStrictEqual(context, { cores: 2, cuda: true, torchVersion: '2.3.1', platform: 'linux' });
      assert.strictEqual(fixContextForRun(summaryWith({}), finding(), { cores: 64, platform: 'darwin' }).cores, 64);
      const waits = fixContextForRun(run, finding({ evidence: { cores: 2, suggestedWorkers: 4 } }), { cores: 2, platform: 'linux' });
      assert.strictEqual(waits.workers, 4, 'the count the input-bound finding measured');
    });

    it('titles the workers fix with the number it writes, whatever the fix\'s own wording', () => {
      const fix = { title: 'Raise num_workers from 0 to 1 on the DataLoader at line 7', edits: [{ start: 0, end: 1, newText: '1' }] };
      assert.strictEqual(actionTitle('dataloader-workers', fix, { cores: 2 }), 'Set DataLoader num_workers=1 (2 cores available)');
      const added = { title: 'Set num_workers=7 on the DataLoader at line 7', edits: [{ start: 5, end: 5, newText: ', num_workers=7' }] };
      assert.strictEqual(actionTitle('dataloader-workers', added, { cores: 8 }), 'Set DataLoader num_workers=7 (8 cores available)');
      // From a run: the gain its loading and step times predict for the count.
      assert.strictEqual(actionTitle('dataloader-workers', added, { cores: 8, workersSpeedup: 6.48 }), 'Set DataLoader num_workers=7 (8 cores available): expected up to 6.5× faster');
      assert.strictEqual(actionTitle('zero-grad-set-to-none', { title: 'Use zero_grad(set_to_none=True) at line 10', edits: [] }, { cores: 1 }), 'Use zero_grad(set_to_none=True) at line 10');
    });
  });

  describe('lightbulbs before any run', () => {
    const lines = (found: ReturnType<typeof proactiveFixes>) => found.map((f) => `${f.fixId}@${f.line}: ${f.title}`);

    it('offers set_to_none on zero_grad(), and no worker count: only a run measures the one that helps', () => {
      assert.deepStrictEqual(lines(proactiveFixes(grammars, source, 'python', 4, 'linux')), ['zero-grad-set-to-none@10: Use zero_grad(set_to_none=True) at line 10']);
      const plain = source.replace(', num_workers=0', '').replace('optimizer.zero_grad()', 'optimizer.zero_grad(set_to_none=True)');
      const conv = plain.replace('torch.nn.Linear(4, 2)', 'torch.nn.Conv2d(3, 8, 3)');
      assert.deepStrictEqual(lines(proactiveFixes(grammars, conv, 'python', 2, 'linux')), []);
    });

    it('skips the parse for files without any code a lightbulb is for', () => {
      assert.strictEqual(mayHaveProactiveFixes('import os\nprint(os.cpu_count())\n'), false);
      assert.strictEqual(mayHaveProactiveFixes(source), true);
    });
  });
});
