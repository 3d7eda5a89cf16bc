/** The PyTorch trace analysis on arbitrary events: a clear refusal or consistent figures, never a crash. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TraceFormatError } from '../../src/core/trace/json-stream';
import { importPyTorchTrace } from '../../src/core/trace/pytorch-trace';
import { TraceCollector } from '../../src/core/trace/trace-collector';

const NAMES = [
  'ProfilerStep#1',
  'ProfilerStep#2',
  'ProfilerStep#x',
  'enumerate(DataLoader)#_SingleProcessDataLoaderIter.__next__',
  'Optimizer.step#SGD.step',
  'Optimizer.zero_grad#SGD.zero_grad',
  'autograd::engine::evaluate_function: AddmmBackward0',
  'ncclKernel_AllReduce_RING_LL_Sum_float',
  'volta_sgemm_128x64_nn',
  '/home/u/train.py(3): <module>',
  'torch/nn/modules/module.py(1190): _call_impl',
  'aten::mm',
];
const CATS = ['cpu_op', 'user_annotation', 'gpu_user_annotation', 'kernel', 'Kernel', 'gpu_memcpy', 'gpu_memset', 'python_function', undefined];

const event = fc.record({
  ph: fc.constantFrom('X', 'X', 'X', 'B', 'i'),
  name: fc.constantFrom(...NAMES),
  cat: fc.constantFrom(...CATS),
  ts: fc.oneof(fc.double({ min: 0, max: 1e4, noNaN: true }), fc.constant(Number.NaN)),
  dur: fc.double({ min: -5, max: 2e3, noNaN: true }),
  tid: fc.constantFrom(1, 2, '7'),
});

describe('PyTorch trace analysis (property)', () => {
  it('arbitrary events: a TraceFormatError, or steps whose stages add up to the step and shares within 0..1', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), fc.boolean(), (events, kineto) => {
        const collector = new TraceCollector();
        for (const e of events) collector.event(e);
        let run;
        try {
          run = importPyTorchTrace(collector, kineto ? 'kineto' : 'chrome-trace-array');
        } catch (error) {
          assert.ok(error instanceof TraceFormatError, String(error));
          return;
        }
        for (const step of run.steps) {
          const stages = Object.values(step.stages).reduce((a, b) => a + (b ?? 0), 0);
          assert.ok(Math.abs(stages - step.ms) < 0.01 || stages < step.ms, `${JSON.stringify(step)}`);
          for (const ms of Object.values(step.stages)) assert.ok((ms ?? 0) >= 0);
        }
        if (run.gpuTime) {
          for (const share of [run.gpuTime.busyShare, run.gpuTime.communicationShare]) assert.ok(share >= 0 && share <= 1 + 1e-9, String(share));
          assert.ok(run.gpuTime.communicationShare <= run.gpuTime.busyShare + 1e-9);
        }
        for (const entry of run.lines?.entries ?? []) assert.ok(entry.ms! >= 0 && entry.count >= 1);
      }),
      { numRuns: 500 },
    );
  });
});
