import * as assert from 'assert';
import { FIX_IDS } from '../../src/core/findings/finding';
import { detectFixes, FIXES, runFix } from '../../src/core/fixes/catalogue';
import { loadGrammars, wasmInNodeModules, type Grammars } from '../../src/core/fixes/grammars';
import { goldenCases, NODE_MODULES } from './golden-cases';

describe('fix catalogue', () => {
  let grammars: Grammars;
  before(async () => {
    grammars = await loadGrammars(wasmInNodeModules(NODE_MODULES), ['python', 'typescript']);
  });

  it('implements exactly the fix ids findings may offer', () => {
    assert.deepStrictEqual(FIXES.map((f) => f.id).sort(), [...FIX_IDS].sort());
  });

  it('keeps ids and titles stable: they are public (code actions, CLI, docs)', () => {
    assert.deepStrictEqual(Object.fromEntries(FIXES.map((f) => [f.id, f.title])), {
      'dataloader-workers': 'Load batches in parallel: set DataLoader num_workers from the available cores',
      'dataloader-pin-memory': 'Pin DataLoader memory for faster copies to the GPU (pin_memory=True)',
      'dataloader-persistent-workers': 'Keep DataLoader workers alive between epochs (persistent_workers=True)',
      'dataloader-prefetch-factor': 'Let each DataLoader worker prepare more batches ahead (prefetch_factor=4)',
      'tfdata-prefetch': 'Overlap input and training: end the tf.data pipeline with .prefetch(tf.data.AUTOTUNE)',
      'tfdata-parallel-map': 'Run tf.data map in parallel (num_parallel_calls=tf.data.AUTOTUNE)',
      'tfjs-prefetch': 'Prefetch the dataset passed to fitDataset (.prefetch(2))',
      'grad-accumulation': 'Accumulate gradients over 4 batches per optimizer step (accumulation_steps)',
      'mixed-precision': 'Train in mixed precision on CUDA (torch.autocast around forward and loss)',
      'metric-every-n': 'Compute the hot metric every N steps (default 10) instead of every step',
      'zero-grad-set-to-none': 'Free gradients instead of zeroing them (zero_grad(set_to_none=True))',
      'cudnn-benchmark': 'Let cuDNN pick the fastest convolution algorithms for fixed-shape conv nets (cudnn.benchmark = True)',
      'optimizer-foreach': 'Update all parameters in a few kernels (optimizer foreach=True, or fused=True on CUDA)',
    });
  });

  it('has a golden edit and a golden refusal for every fix', () => {
    const cases = goldenCases();
    for (const fix of FIXES) {
      assert.ok(cases.some((c) => c.fixId === fix.id && !c.refused), `${fix.id}: no after-file`);
      assert.ok(cases.some((c) => c.fixId === fix.id && c.refused), `${fix.id}: no refusal`);
    }
  });

  it('refuses unknown ids and other languages with a reason', () => {
    const unknown = runFix(grammars, 'faster-please', 'x = 1\n', 'python', { cores: 4, cuda: false });
    assert.deepStrictEqual(unknown, { ok: false, reason: 'there is no fix "faster-please" (trainlens fix --list shows them)' });
    const language = runFix(grammars, 'dataloader-workers', 'const x = 1;\n', 'typescript', { cores: 4, cuda: false });
    assert.deepStrictEqual(language, { ok: false, reason: 'dataloader-workers applies to python files, not typescript' });
  });

  describe('lightbulbs before any run', () => {
    const script = [
      'import torch',
      'from torch.utils.data import DataLoader',
      'from data import dataset',
      '',
      'model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.Flatten())',
      'optimizer = torch.optim.SGD(model.parameters(), lr=0.1)',
      'loader = DataLoader(dataset, batch_size=32)',
      'for x, y in loader:',
      '    optimizer.zero_grad()',
      '    loss = model(x).sum()',
      '    loss.backward()',
      '    optimizer.step()',
      '',
    ].join('\n');
    const ids = (found: ReturnType<typeof detectFixes>): string[] => found.map((f) => `${f.fixId}@${f.line}`);

    it('offers only the fixes that apply safely here (CPU)', () => {
      const found = detectFixes(grammars, script, 'python', { cores: 4, cuda: false, torchVersion: '1.13.1' });
      assert.deepStrictEqual(ids(found), ['dataloader-workers@7', 'zero-grad-set-to-none@9']);
    });

    it('adds the CUDA-only ones on a CUDA machine, and drops what torch 2 already does', () => {
      const found = detectFixes(grammars, script, 'python', { cores: 4, cuda: true, torchVersion: '2.1.0' });
      assert.deepStrictEqual(ids(found), ['dataloader-workers@7', 'dataloader-pin-memory@7', 'cudnn-benchmark@5']);
    });

    it('never offers fixes that change training semantics (accumulation, precision, metric frequency)', () => {
      const offered = new Set<string>(FIXES.filter((f) => f.candidates).map((f) => f.id));
      for (const id of ['grad-accumulation', 'mixed-precision', 'metric-every-n']) assert.ok(!offered.has(id), id);
    });

    it('offers tfjs prefetch on fitDataset', () => {
      const source = 'import * as tf from "@tensorflow/tfjs";\nexport async function f(m: tf.LayersModel, ds: tf.data.Dataset<tf.TensorContainer>) {\n  await m.fitDataset(ds, { epochs: 1 });\n}\n';
      assert.deepStrictEqual(ids(detectFixes(grammars, source, 'typescript', { cores: 4, cuda: false })), ['tfjs-prefetch@3']);
    });

    it('offers nothing on a file with a syntax error', () => {
      assert.deepStrictEqual(detectFixes(grammars, 'loader = DataLoader(ds\nfor x in', 'python', { cores: 4, cuda: false }), []);
    });
  });
});
