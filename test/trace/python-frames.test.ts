/**
 * Hot lines from the Python frames of a with_stack trace. This machine's torch (Debian 1.13, no
 * Kineto) cannot write such frames, so the trace here is built by hand in Kineto's shape: complete
 * events of category python_function named `file(line): function`, nested as calls.
 */
import assert from 'node:assert/strict';
import { TraceCollector } from '../../src/core/trace/trace-collector';
import { importPyTorchTrace } from '../../src/core/trace/pytorch-trace';

function kinetoTrace(): TraceCollector {
  const collector = new TraceCollector();
  const x = (name: string, ts: number, dur: number, cat = 'python_function', tid = 7): void =>
    collector.event({ ph: 'X', cat, name, ts, dur, pid: 1, tid });
  x('ProfilerStep#3', 1000, 1000, 'user_annotation');
  x('enumerate(DataLoader)#_SingleProcessDataLoaderIter.__next__', 1000, 400, 'user_annotation');
  x('autograd::engine::evaluate_function: AddmmBackward0', 1600, 300, 'cpu_op', 9);
  x('Optimizer.step#SGD.step', 1900, 100, 'user_annotation');
  // The frames: the loop, the dataset's __getitem__ (user) calling into torch (library), the model.
  x('/home/u/train.py(1): <module>', 900, 1100);
  x('/usr/lib/python3/dist-packages/torch/utils/data/dataloader.py(628): __next__', 1000, 400);
  x('/home/u/data.py(10): __getitem__', 1000, 350);
  x('/usr/lib/python3/dist-packages/torch/functional.py(50): randn_like', 1100, 200);
  x('/home/u/model.py(20): forward', 1400, 200);
  return collector;
}

describe('import: Python frames of a with_stack trace', () => {
  it('time goes to the innermost user frame, with the library frames below it as its path, in the stage it ran in', () => {
    const run = importPyTorchTrace(kinetoTrace(), 'kineto');
    const entries = run.lines!.entries.map((e) => [e.file, e.line, e.fn, e.stage, e.ms, e.path]);
    assert.deepEqual(
      entries.sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[4]) - Number(b[4])),
      [
        ['/home/u/data.py', 10, '__getitem__', 'data', 0.15, []],
        ['/home/u/data.py', 10, '__getitem__', 'data', 0.2, ['torch.functional:randn_like']],
        ['/home/u/model.py', 20, 'forward', 'forward', 0.2, []],
        ['/home/u/train.py', 1, '<module>', 'startup', 0.1, []],
        ['/home/u/train.py', 1, '<module>', 'data', 0.05, ['torch.utils.data.dataloader:__next__']],
        ['/home/u/train.py', 1, '<module>', 'backward', 0.3, []],
        ['/home/u/train.py', 1, '<module>', 'optimizer', 0.1, []],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[4]) - Number(b[4])),
    );
    assert.equal(run.lines!.periodMs, 1.1);
    assert.deepEqual(run.steps.map((s) => [s.index, s.ms, s.stages]), [[3, 1, { data: 0.4, forward: 0.2, backward: 0.3, optimizer: 0.1, other: 0 }]]);
  });
});
