"""A fast real loop under the runner times the stages of a sample of its steps (stage_windows.py):
every step is still posted with its time, the timed ones split it as the loop's own timers do,
evaluation passes are still found, and the hot lines sampled between windows get their stage from
the frames. Checked against the script's own count, clock and stage timers."""
import os
import statistics
import sys
import time
import unittest
from collections import deque

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SCRIPTS, hot_lines, line_of, of_type, script_result  # noqa: E402
from test_loop_shapes import TIME_TOLERANCE  # noqa: E402
from test_recording import RecordedExample  # noqa: E402

from trainlens_runner.stage_windows import HEAD_STEPS, stage_in_stack  # noqa: E402
from trainlens_runner.step_records import UntimedSteps  # noqa: E402
from trainlens_runner.steps import StepRecorder  # noqa: E402
from trainlens_runner.torch_hooks import TorchHooks  # noqa: E402

# A timed step's stage against the loop's own timers around the same calls in the same steps, medians
# of each: the timed steps also carry the hooks' own microseconds. The same steps, not all of the
# loop's: they come right after the hooks are put back, and on a busy machine a window's few steps
# can land in a slow second (0.199 against the whole loop's 0.145 ms once, core 1 busy).
MEDIAN_TOLERANCE = 0.35
MEDIAN_FLOOR_MS = 0.02


def step_records(events):
    """The posted steps as tuples, a DataLoader gap's UntimedSteps as theirs."""
    return [record for event in events for record in ((event,) if type(event) is tuple else
                                                     event.records() if type(event) is UntimedSteps else ())]


class StageWindows(RecordedExample):
    def test_a_fast_loop_is_timed_in_windows_and_every_step_counted(self):
        path = os.path.join(SCRIPTS, "loop_windows.py")
        for argv in (["loop_windows.py"], ["loop_windows.py", "--loader"]):
            with self.subTest(argv=argv):
                result, events, steps = self.check_run(argv, cwd=SCRIPTS, unstaged=True)
                own = script_result(result.stdout)
                self.assertEqual(len(steps), own["steps"])
                staged = [s for s in steps if s["stages"]]
                self.assertEqual(len(staged[:HEAD_STEPS]), HEAD_STEPS)
                later = [s for s in steps[HEAD_STEPS:] if s["stages"]]
                self.assertGreater(len(later), 10)  # windows recur
                self.assertLess(len(later), (len(steps) - HEAD_STEPS) / 2)  # and time a sample
                self.assertAlmostEqual(sum(s["ms"] for s in steps) / 1000.0 / own["trainS"], 1.0, delta=TIME_TOLERANCE)
                for stage, own_ms in own["stepMs"].items():
                    timed = statistics.median(s["stages"][stage] for s in later)
                    median = statistics.median(own_ms[s["index"]] for s in later)
                    self.assertAlmostEqual(timed, median, delta=max(MEDIAN_TOLERANCE * median, MEDIAN_FLOOR_MS), msg=stage)
                if "--loader" in argv:
                    self.assertEqual({s["samples"] for s in steps}, {own["batch"]})
                else:
                    self.assertEqual({s["samples"] for s in staged}, {own["batch"]})
                self.assertEqual([e["batches"] for e in of_type(events, "eval")], own["evalBatches"])
                # Most of the loop runs between windows: the backward line's samples are tagged from the frames.
                backward = dict(hot_lines(events))[(path, line_of(path, "# BACKWARD LINE"))]
                self.assertEqual(max(backward[1], key=backward[1].get), "backward", backward)


class InProcess(unittest.TestCase):
    """The hooks in this process, as the session installs them, events kept in a deque."""

    def setUp(self):
        self.events, self.failures = deque(), []
        self.hooks = TorchHooks(torch, self.events.append, self.failures.append)
        self.recorder = StepRecorder(self.events.append, time.perf_counter, time.perf_counter(), self.hooks.leading_dim,
                                     self.hooks.token_count, time.thread_time)
        self.originals = (torch.autograd.backward,)
        self.hooks.install(self.recorder)

    def tearDown(self):
        self.hooks.uninstall()

    def train(self, steps):
        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        x, y = torch.randn(4, 8), torch.randint(0, 2, (4,))
        for _ in range(steps):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        return model

    def test_taken_off_for_good_in_a_gap_torch_is_as_it_was_and_no_step_is_lost(self):
        model = self.train(HEAD_STEPS + 500)
        self.assertTrue(self.hooks._stage_windows.paused)
        self.assertIs(torch.autograd.backward, self.originals[0])  # off in the gap
        self.assertNotIn("__call__", nn.Sequential.__dict__)  # a CPU run's model class is never ours
        self.hooks.uninstall()
        self.assertIs(torch.autograd.backward, self.originals[0])
        # (torch wraps a class's step for its profiler when an optimizer is built: not necessarily the one seen before)
        self.assertFalse(any(getattr(torch.optim.Adam.__dict__.get(name), "__trainlens__", False) for name in ("step", "zero_grad")))
        self.assertEqual(len(model._forward_hooks), 0)
        self.recorder.finish()
        steps = step_records(self.events)
        # Each optimizer step ended one: the first is posted a step late, the open one after the last is none.
        self.assertEqual([s[0] for s in steps], list(range(HEAD_STEPS + 500)))
        self.assertEqual(self.recorder.steps, HEAD_STEPS + 500)
        self.assertEqual(self.failures, [])

    def test_a_step_method_kept_aside_is_part_of_a_dataloader_gaps_steps(self):
        # optimizer.step bound before the loop stays our wrapper when the class's is taken off: in a
        # DataLoader's gap it is part of the step, not a change of shape that opens a window.
        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        step = optimizer.step
        batches = HEAD_STEPS + 1500
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.randn(batches * 4, 8), torch.randint(0, 2, (batches * 4,))),
                                             batch_size=4)
        paused = 0
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            step()
            paused += self.hooks._stage_windows.paused
        self.recorder.finish()
        steps = step_records(self.events)
        self.assertEqual([s[0] for s in steps], list(range(batches)))
        self.assertEqual({s[3] for s in steps}, {4})
        timed = [s for s in steps[HEAD_STEPS:] if s[4] is not None]
        self.assertGreater(paused, 0)
        self.assertLess(len(timed), (batches - HEAD_STEPS) / 2)
        self.assertEqual(self.failures, [])

    def test_each_untimed_dataloader_step_keeps_its_own_batch_size(self):
        # Each epoch ends on a short batch, inside a gap: every step goes out with its batch's size, in order.
        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        dataset = torch.utils.data.TensorDataset(torch.randn(4 * 1000 + 3, 8), torch.randint(0, 2, (4 * 1000 + 3,)))
        sizes, paused = [], 0
        for _ in range(3):
            for x, y in torch.utils.data.DataLoader(dataset, batch_size=4):
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
                sizes.append(len(x))
                paused += self.hooks._stage_windows.paused
        self.recorder.finish()
        steps = step_records(self.events)
        self.assertGreater(paused, 0)
        self.assertEqual([s[0] for s in steps], list(range(len(sizes))))
        self.assertEqual([s[3] for s in steps], sizes)
        self.assertEqual(self.failures, [])

    def test_a_sample_between_windows_takes_the_innermost_stage_on_the_stack(self):
        codes = self.hooks._stage_windows.codes
        frames = {}

        def leaf():
            frames["leaf"] = sys._getframe()

        class Probe(nn.Module):
            def forward(self, x):
                leaf()
                return x

        Probe()(torch.zeros(1))
        self.assertEqual(stage_in_stack(frames["leaf"], codes), "forward")
        x = torch.zeros(1, requires_grad=True)
        y = x * 2
        y.register_hook(lambda grad: leaf())  # runs inside backward
        y.backward()
        self.assertEqual(stage_in_stack(frames["leaf"], codes), "backward")
        leaf()
        self.assertEqual(stage_in_stack(frames["leaf"], codes), "other")


if __name__ == "__main__":
    unittest.main()
