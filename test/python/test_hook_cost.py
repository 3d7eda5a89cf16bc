"""What the runner costs a module call: nothing once the top-level module is known. While a
top-level forward runs no global module hook is registered and nested modules have no hooks of
their own, so they take torch's no-hook path; the loops whose top-level modules change (a loss
module, a GAN, evaluation, an encoder alone then nested, another thread's module) keep their steps
and their forward stage. Behaviour only: timings are the bench's (bench/python-runner.ts)."""
import io
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SCRIPTS, script_result  # noqa: E402
from test_recording import RecordedExample  # noqa: E402

import torch  # noqa: E402 - the tests run on /usr/bin/python3, which has it
from torch import nn  # noqa: E402
from torch.nn.modules import module as module_mod  # noqa: E402
from trainlens_runner.steps import StepRecorder  # noqa: E402
from trainlens_runner.torch_hooks import TorchHooks  # noqa: E402

# Relative: the script times each top-level call around it, the runner from its pre- to its post-hook.
FORWARD_TOLERANCE = 0.15


def hook_counts(module):
    return (len(module_mod._global_forward_pre_hooks), len(module_mod._global_forward_hooks),
            len(module._forward_pre_hooks) + len(module._forward_hooks))


class Spy(nn.Module):
    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, x):
        self.seen.append(hook_counts(self))
        return x


class InProcess(unittest.TestCase):
    """The hooks installed in this process, as the session does, on a small training loop."""

    def setUp(self):
        self.posted, failures = [], []
        self.hooks = TorchHooks(torch, self.posted.append, failures.append)
        self.recorder = StepRecorder(self.posted.append, time.perf_counter, time.perf_counter(), self.hooks.leading_dim,
                                     self.hooks.token_count, time.thread_time)
        self.before = (len(module_mod._global_forward_pre_hooks), len(module_mod._global_forward_hooks))
        self.hooks.install(self.recorder)
        self.failures = failures

    def tearDown(self):
        self.hooks.uninstall()

    def stages_stay_on(self):
        """As on CUDA or across ranks, where calls are replayed as they happen and the stage hooks
        never come off (stage_windows.py): the runs whose top-level classes get our __call__."""
        self.hooks._replay_at_once()

    def assert_steps_with_forward(self, count):
        """Once the recorder finished: `count` steps, each with forward time, and no failure of ours."""
        self.recorder.finish()
        self.assertEqual(self.failures, [])
        steps = [r for r in self.posted if type(r) is tuple]
        self.assertEqual(len(steps), count)
        self.assertTrue(all(step[5] > 0 for step in steps))  # forward ms

    def test_nested_modules_find_no_hook_and_the_hooks_come_back_between_forwards(self):
        spy = Spy()
        model = nn.Sequential(nn.Linear(8, 8), spy, nn.Linear(8, 2))
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        x, y = torch.randn(4, 8), torch.randint(0, 2, (4,))
        between = []
        for _ in range(5):
            between.append(len(module_mod._global_forward_pre_hooks) - self.before[0])
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        self.assert_steps_with_forward(5)
        self.assertEqual(between, [1] * 5)  # the global pre-hook waits for each top-level call
        self.assertEqual(spy.seen, [(self.before[0], self.before[1], 0)] * 5)  # and is gone inside it
        # A top module holds its own hook only during its call: the whole model still pickles.
        self.assertEqual(hook_counts(model)[2] + hook_counts(criterion)[2], 0)
        torch.save(model, io.BytesIO())
        self.hooks.uninstall()
        self.assertEqual(hook_counts(model)[:2], self.before)

    def test_a_forward_that_raised_goes_on_through_its_retry_and_the_hook_returns(self):
        model = nn.Sequential(nn.Linear(8, 8), nn.Linear(8, 2))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        good, bad = torch.randn(4, 8), torch.randn(4, 3)
        off_after_raise = []
        for x in (good, bad, good, bad, good):
            optimizer.zero_grad()
            try:
                out = model(x)
            except RuntimeError:  # shapes do not match: retried at once, no step boundary between
                off_after_raise.append(len(module_mod._global_forward_pre_hooks) - self.before[0])
                out = model(good)
            out.square().mean().backward()
            optimizer.step()
        self.assertEqual(off_after_raise, [0, 0])  # no boundary yet: the raised forward is still open
        self.assertEqual(len(module_mod._global_forward_pre_hooks), self.before[0] + 1)  # the retry's own hook ended it
        self.assertEqual(hook_counts(model)[2], 0)
        self.assert_steps_with_forward(5)

    def test_a_forward_that_raised_leaves_no_hook_once_a_boundary_ends_it(self):
        class Local(nn.Linear):  # not found by name, as a class of the script's __main__: it keeps the hooks
            pass
        model = Local(8, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        model(torch.randn(4, 8)).sum().backward()
        with self.assertRaises(RuntimeError):
            model(torch.randn(4, 3))
        self.assertEqual(hook_counts(model)[2], 1)  # its forward is still open
        optimizer.zero_grad()  # a boundary: the forward is over
        self.assertEqual(hook_counts(model), (self.before[0] + 1, self.before[1], 0))
        self.assertIs(type(model).__call__, nn.Module.__call__)  # no hook of ours left, and the class untouched
        self.assertEqual(self.failures, [])

    def test_a_library_class_gets_our_call_from_its_second_call_and_torch_s_back_at_uninstall(self):
        self.stages_stay_on()
        model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        inside = []
        probe = model[1].register_forward_hook(lambda module, inputs, output: inside.append(hook_counts(model)))
        for x in (torch.randn(4, 8), torch.randn(4, 8), torch.randn(4, 3), torch.randn(4, 8)):
            optimizer.zero_grad()
            try:
                model(x).square().mean().backward()
            except RuntimeError:  # a forward that raised: the next boundary ends it
                continue
            optimizer.step()
        self.assertIsNot(nn.Sequential.__call__, nn.Module.__call__)
        # The first call went through the hooks (the top module's own hook armed), the others not.
        self.assertEqual(inside, [(self.before[0], self.before[1], 1)] + [(self.before[0], self.before[1], 0)] * 2)  # the call that raised stops before the ReLU
        self.assertEqual(len(module_mod._global_forward_pre_hooks), self.before[0] + 1)
        self.assert_steps_with_forward(3)
        probe.remove()
        torch.save(model, io.BytesIO())  # our __call__ is the class's, never pickled with an instance
        self.hooks.uninstall()
        self.assertIs(nn.Sequential.__call__, nn.Module.__call__)
        self.assertNotIn("__call__", nn.Sequential.__dict__)

    def test_a_layer_called_at_top_level_keeps_the_hooks(self):
        self.stages_stay_on()
        # A head called after its backbone: nn.Linear at top level. Layers are nested by the
        # hundred inside models, where each call would pass through a __call__ on their class.
        backbone, head = nn.Sequential(nn.Linear(8, 8), nn.ReLU()), nn.Linear(8, 2)
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(list(backbone.parameters()) + list(head.parameters()), lr=0.01)
        for _ in range(3):
            optimizer.zero_grad()
            criterion(head(backbone(torch.randn(4, 8))), torch.randint(0, 2, (4,))).backward()
            optimizer.step()
        self.assertIs(nn.Linear.__call__, nn.Module.__call__)
        self.assertIsNot(nn.Sequential.__call__, nn.Module.__call__)  # a model
        self.assertIsNot(nn.CrossEntropyLoss.__call__, nn.Module.__call__)  # a loss
        self.assert_steps_with_forward(3)

    def test_torch_fx_traces_a_wrapped_class_as_it_would_without_us(self):
        self.stages_stay_on()
        model = nn.Sequential(nn.Sequential(nn.Linear(4, 4), nn.ReLU()), nn.Linear(4, 2))
        plain = str(torch.fx.symbolic_trace(model).graph)
        model(torch.randn(2, 4)).sum().backward()  # nn.Sequential is now ours
        self.assertIsNot(nn.Sequential.__call__, nn.Module.__call__)
        self.assertEqual(str(torch.fx.symbolic_trace(model).graph), plain)
        self.assertEqual(self.failures, [])


class LoopsWithChangingTopModules(RecordedExample):
    def check_shape(self, shape):
        result, events, steps = self.check_run(["loop_hooks.py", "--shape", shape], cwd=SCRIPTS)
        own = script_result(result.stdout)
        self.assertEqual(len(steps), own["steps"])
        self.assertGreaterEqual(own["probeCalls"], own["steps"])  # the probes ran on the main thread
        self.assertEqual((own["globalPre"], own["globalPost"], own["ownHooks"]), (0, 0, 0))
        self.assertTrue(all(s["stages"]["forward"] > 0 for s in steps))
        recorded_s = sum(s["stages"]["forward"] for s in steps) / 1000.0
        self.assertAlmostEqual(recorded_s / own["forwardS"], 1.0, delta=FORWARD_TOLERANCE)
        return events

    def test_a_loss_module_after_the_model(self):
        self.check_shape("loss")

    def test_a_gan_calls_g_then_d_of_g_then_d_of_real(self):
        self.check_shape("gan")

    def test_an_evaluation_pass_under_no_grad_is_still_found(self):
        events = self.check_shape("eval")
        self.assertEqual([e["batches"] for e in events if e["type"] == "eval"], [4] * 6)

    def test_an_encoder_trained_alone_then_inside_a_bigger_model(self):
        self.check_shape("encoder")

    def test_another_threads_module_calls_change_nothing(self):
        self.check_shape("thread")


if __name__ == "__main__":
    unittest.main()
