/** Writing tuned settings into a script: the catalogue's fixes and tuning's own thread-count edit, on real parses. */
import assert from 'node:assert/strict';
import { loadGrammars, wasmInNodeModules, type Grammars } from '../../src/core/fixes/grammars';
import { editForSettings } from '../../src/core/tune/apply';
import { fixesForSettings } from '../../src/core/tune/fixes';
import { threadsEdit } from '../../src/core/tune/threads-edit';
import { NODE_MODULES } from '../fixes/golden-cases';

const SCRIPT = ['import torch', 'from torch.utils.data import DataLoader', '', 'def main(dataset):', '    loader = DataLoader(dataset, batch_size=16, num_workers=0)', '    for batch in loader:', '        pass', ''].join('\n');

describe('tune: writing the best settings', () => {
  let grammars: Grammars;
  before(async () => {
    grammars = await loadGrammars(wasmInNodeModules(NODE_MODULES), ['python']);
  });

  it('writes workers through the dataloader-workers fix and threads after the import', () => {
    const edit = editForSettings(grammars, SCRIPT, 'python', fixesForSettings({ numWorkers: 2, numThreads: 1 }).fixes, { cores: 2, cuda: false, line: 5 });
    assert.deepEqual(edit.refused, []);
    assert.equal(edit.applied.length, 2);
    const lines = edit.text!.split('\n');
    assert.equal(lines[1], 'torch.set_num_threads(1)  # measured fastest on this machine by trainlens tune');
    assert.equal(lines[5], '    loader = DataLoader(dataset, batch_size=16, num_workers=2)');
  });

  it('changes an existing literal count, keeps an import alias, and refuses what it cannot write', () => {
    const existing = threadsEdit(grammars, 'import torch as T\nT.set_num_threads(4)\n', 1);
    assert.ok(existing.ok && existing.edits[0]!.newText === '1');
    const aliased = threadsEdit(grammars, 'import os, torch as T\nx = 1\n', 2);
    assert.ok(aliased.ok && aliased.edits[0]!.newText === '\nT.set_num_threads(2)  # measured fastest on this machine by trainlens tune');
    const computed = threadsEdit(grammars, 'import torch\ntorch.set_num_threads(n)\n', 1);
    assert.ok(!computed.ok && /where that value comes from/.test(computed.reason));
    const local = threadsEdit(grammars, 'def main():\n    import torch\n', 1);
    assert.ok(!local.ok && /not imported at the top/.test(local.reason));
    const same = threadsEdit(grammars, 'import torch\ntorch.set_num_threads(1)\n', 1);
    assert.ok(!same.ok && /already there/.test(same.reason));
  });
});
