/** Writing tuned settings into a script: the catalogue's fixes and tuning's own thread-pool edit, on real parses. */
import assert from 'node:assert/strict';
import { loadGrammars, wasmInNodeModules, type Grammars } from '../../src/core/fixes/grammars';
import { editForSettings } from '../../src/core/tune/apply';
import { fixesForSettings } from '../../src/core/tune/fixes';
import { applyEdits } from '../../src/core/fixes/edits';
import { threadsEdit } from '../../src/core/tune/threads-edit';
import { NODE_MODULES } from '../fixes/golden-cases';

const SCRIPT = ['import torch', 'from torch.utils.data import DataLoader', '', 'def main(dataset):', '    loader = DataLoader(dataset, batch_size=16, num_workers=0)', '    for batch in loader:', '        pass', ''].join('\n');

describe('tune: writing the best settings', () => {
  let grammars: Grammars;
  before(async () => {
    grammars = await loadGrammars(wasmInNodeModules(NODE_MODULES), ['python']);
  });

  it('writes workers through the dataloader-workers fix and the thread pools before the first import', () => {
    const edit = editForSettings(grammars, SCRIPT, 'python', fixesForSettings({ numWorkers: 2, numThreads: 1 }).fixes, { cores: 2, cuda: false, line: 5 });
    assert.deepEqual(edit.refused, []);
    assert.equal(edit.applied.length, 2);
    const lines = edit.text!.split('\n');
    assert.deepEqual(lines.slice(0, 6), [
      'import os',
      '# Thread pools sized before torch loads them: 1 measured fastest on this machine by trainlens tune',
      'os.environ["OMP_NUM_THREADS"] = "1"',
      'os.environ["OPENBLAS_NUM_THREADS"] = "1"',
      'os.environ["MKL_NUM_THREADS"] = "1"',
      'import torch',
    ]);
    assert.equal(lines[9], '    loader = DataLoader(dataset, batch_size=16, num_workers=2)');
  });

  it('keeps a docstring and __future__ imports first, reuses a lone `import os`, and refuses where the script sets a pool itself', () => {
    const future = threadsEdit(grammars, '"""Doc."""\nfrom __future__ import annotations\nimport torch\n', 2);
    assert.ok(future.ok);
    assert.match(applyEdits('"""Doc."""\nfrom __future__ import annotations\nimport torch\n', future.edits), /^"""Doc."""\nfrom __future__ import annotations\nimport os\n# Thread pools[^\n]*\nos\.environ\["OMP_NUM_THREADS"\] = "2"\n/);
    const withOs = 'import os\r\nimport torch\r\n';
    const reused = threadsEdit(grammars, withOs, 1);
    assert.ok(reused.ok);
    assert.equal(applyEdits(withOs, reused.edits).split('\r\n').filter((l) => l === 'import os').length, 1);
    assert.match(applyEdits(withOs, reused.edits), /^import os\r\n# Thread pools[^\r]*\r\nos\.environ\["OMP_NUM_THREADS"\] = "1"\r\n/);
    const own = threadsEdit(grammars, 'import os\nos.environ.setdefault("OPENBLAS_NUM_THREADS", "4")\nimport torch\n', 1);
    assert.ok(!own.ok && /already names OPENBLAS_NUM_THREADS at line 2/.test(own.reason));
    const none = threadsEdit(grammars, 'def main():\n    import torch\n', 1);
    assert.ok(!none.ok && /imports nothing at its top level/.test(none.reason));
  });
});
