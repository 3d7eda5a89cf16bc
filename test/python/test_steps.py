"""StepRecorder with a fake clock: step boundaries and stage times, no torch needed."""
import unittest

import harness  # noqa: F401 - puts the runner on sys.path
from trainlens_runner import cuda
from trainlens_runner.steps import StepRecorder


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def advance(self, ms):
        self.now += ms / 1000.0


class FakeDevice:
    """Stands in for cuda.StageTimer: marks become 'ready' when the test says so."""

    def __init__(self):
        self.marks, self.done = [], False

    def begin(self, stage):
        self.marks.append(stage)

    def end(self, stage):
        pass

    def take(self):
        marks, self.marks = self.marks, []
        return marks

    def ready(self, marks):
        return self.done

    def resolve(self, marks):
        return {stage: 1.0 for stage in marks} or None


def batch_size(batch):
    return batch if isinstance(batch, int) else None


class Harness:
    """Drives the recorder the way the torch hooks do, advancing the clock in between."""

    def __init__(self, device=None):
        self.clock = Clock()
        self.records = []
        self.rec = StepRecorder(self.records.append, self.clock, 0.0, batch_size, (lambda: device) if device else None)

    def stage(self, name, ms):
        opened = self.rec.optimizer_begin() if name == "optimizer" else self.rec.begin(name)
        self.clock.advance(ms)
        if opened:
            self.rec.end(name)
        return opened

    def forward(self, ms, inputs=None, module="model"):
        if self.rec.stage is None:
            self.rec.forward_begin(module, inputs)
        self.clock.advance(ms)
        if module is self.rec.top_module:
            self.rec.forward_end()

    def optimizer_step(self, ms):
        opened = self.rec.optimizer_begin()
        self.clock.advance(ms)
        if opened:
            self.rec.optimizer_step_end()

    def next_batch(self, iterator, ms, batch):
        opened = self.rec.loader_next(iterator)
        self.clock.advance(ms)
        if opened:
            if batch is None:
                self.rec.loader_exhausted()
            else:
                self.rec.loader_batch(batch)

    def train_step(self, forward=3, backward=4, optimizer=1, other=2):
        self.forward(forward)
        self.stage("backward", backward)
        self.optimizer_step(optimizer)
        self.clock.advance(other)

    def steps(self):
        return [dict(zip(("index", "t", "ms", "samples", "data", "forward", "backward", "optimizer", "device"), r))
                for r in self.records]


class LoaderSteps(unittest.TestCase):
    def test_each_batch_is_a_step_ending_at_the_next_fetch(self):
        h = Harness()
        h.clock.advance(100)
        for _ in range(3):
            h.next_batch("it", 10, 8)
            h.train_step()
        h.next_batch("it", 1, None)  # StopIteration: not a step
        steps = h.steps()
        self.assertEqual([s["index"] for s in steps], [0, 1, 2])
        first = steps[0]
        self.assertAlmostEqual(first["t"], 100.0)
        self.assertAlmostEqual(first["ms"], 20.0)
        self.assertEqual(first["samples"], 8)
        self.assertEqual([round(first[k], 6) for k in ("data", "forward", "backward", "optimizer")], [10, 3, 4, 1])
        self.assertAlmostEqual(steps[2]["t"] + steps[2]["ms"], 160.0)
        self.assertEqual(h.rec.steps, 3)
        self.assertEqual(h.rec.tag, "none")

    def test_zip_of_two_loaders_makes_one_step_per_pair(self):
        h = Harness()
        for _ in range(3):
            h.next_batch("a", 5, 8)
            h.next_batch("b", 5, 4)
            h.train_step()
        h.next_batch("a", 1, None)
        steps = h.steps()
        self.assertEqual(len(steps), 3)
        self.assertEqual([(round(s["data"], 6), s["samples"]) for s in steps], [(10, 8)] * 3)

    def test_an_eval_loop_after_training_does_not_steal_time_from_the_last_step(self):
        h = Harness()
        h.next_batch("train", 5, 8)
        h.train_step(other=2)
        h.next_batch("val", 5, 8)  # another iterator after compute: the train step ends at its optimizer
        steps = h.steps()
        self.assertEqual(len(steps), 1)
        self.assertAlmostEqual(steps[0]["ms"], 13.0)

    def test_crash_inside_step_n_keeps_n_steps(self):
        h = Harness()
        for _ in range(4):
            h.next_batch("it", 5, 8)
            h.train_step()
        h.next_batch("it", 5, 8)
        h.rec.forward_begin("model", None)  # raises inside forward: no post-hook
        h.clock.advance(1)
        h.rec.finish()
        self.assertEqual(len(h.records), 4)

    def test_break_after_the_optimizer_keeps_the_last_step(self):
        h = Harness()
        h.next_batch("it", 5, 8)
        h.train_step(other=2)
        h.clock.advance(500)  # saving a checkpoint after `break`
        h.rec.finish()
        self.assertEqual(len(h.records), 1)
        self.assertAlmostEqual(h.steps()[0]["ms"], 13.0)

    def test_a_forward_that_raised_is_closed_by_the_next_batch(self):
        h = Harness()
        h.next_batch("it", 5, 8)
        h.rec.forward_begin("model", None)
        h.clock.advance(3)  # raised; the script catches it and skips the batch
        h.next_batch("it", 5, 8)
        h.train_step()
        h.next_batch("it", 1, None)
        steps = h.steps()
        self.assertEqual(len(steps), 2)
        self.assertAlmostEqual(steps[0]["forward"], 3.0)
        self.assertAlmostEqual(steps[1]["backward"], 4.0)


class StagesDoNotNest(unittest.TestCase):
    def test_inner_calls_belong_to_the_outer_stage(self):
        h = Harness()
        h.next_batch("it", 5, 8)
        h.rec.begin("backward")
        h.forward(2, module="checkpointed")  # activation checkpointing recomputes forward
        self.assertFalse(h.stage("backward", 1))  # Tensor.backward -> torch.autograd.backward
        self.assertFalse(h.rec.loader_next("inner"))  # a loader read inside another stage
        h.rec.end("backward")
        h.next_batch("it", 1, None)
        step = h.steps()[0]
        self.assertEqual((round(step["forward"], 6), round(step["backward"], 6)), (0, 3))

    def test_nested_modules_are_one_forward(self):
        h = Harness()
        h.next_batch("it", 5, 8)
        h.rec.forward_begin("model", None)
        h.clock.advance(1)
        h.forward(1, module="layer")  # a submodule: hooks see stage != None and top_module != layer
        h.clock.advance(1)
        h.rec.forward_end()
        self.assertEqual(h.rec.tag, "other")
        h.next_batch("it", 1, None)
        self.assertAlmostEqual(h.steps()[0]["forward"], 3.0)


class StepsWithoutLoader(unittest.TestCase):
    def test_optimizer_step_ends_each_step_and_the_next_starts_at_once(self):
        h = Harness()
        h.clock.advance(50)
        for _ in range(3):
            h.clock.advance(2)  # making the batch
            h.stage("optimizer", 1)  # zero_grad
            h.forward(3, inputs=32)
            h.stage("backward", 4)
            h.optimizer_step(1)
        h.clock.advance(100)  # evaluation after training
        h.rec.finish()
        steps = h.steps()
        self.assertEqual(len(steps), 3)
        self.assertEqual([s["samples"] for s in steps], [32, 32, 32])
        self.assertAlmostEqual(steps[0]["ms"], 9.0)  # starts at its first stage
        self.assertAlmostEqual(steps[1]["ms"], 11.0)  # then steps tile the loop
        self.assertAlmostEqual(steps[1]["t"], steps[0]["t"] + steps[0]["ms"])

    def test_sampler_tag_follows_the_stages(self):
        h = Harness()
        self.assertEqual(h.rec.tag, "none")
        h.rec.begin("backward")
        self.assertEqual(h.rec.tag, "backward")
        h.rec.end("backward")
        self.assertEqual(h.rec.tag, "other")


class DeviceTimes(unittest.TestCase):
    def test_steps_wait_for_their_device_times_and_are_flushed_at_exit(self):
        device = FakeDevice()
        h = Harness(device)
        for _ in range(3):
            h.next_batch("it", 5, 8)
            h.train_step()
        h.next_batch("it", 1, None)
        self.assertEqual(h.records, [])  # events not complete yet: nothing sent
        device.done = True
        h.next_batch("it2", 5, 8)
        h.train_step()
        h.next_batch("it2", 1, None)
        self.assertEqual([s["index"] for s in h.steps()], [0, 1, 2, 3])
        self.assertEqual(h.steps()[0]["device"], {"forward": 1.0, "backward": 1.0, "optimizer": 1.0})
        device.done = False
        h.next_batch("it3", 5, 8)
        h.train_step()
        h.rec.finish()
        self.assertEqual(len(h.records), 5)
        self.assertIsNone(h.steps()[4]["device"])


class FakeEvent:
    """torch.cuda.Event as cuda.py uses it; `now` plays the stream's clock."""
    now, completed = 0.0, True

    def __init__(self, enable_timing):
        assert enable_timing
        self.at = None

    def record(self):
        self.at = FakeEvent.now

    def query(self):
        return FakeEvent.completed

    def elapsed_time(self, end):
        return end.at - self.at


class FakeTorch:
    class cuda:  # noqa: N801 - mirrors torch.cuda
        Event = FakeEvent
        initialized = False

        @staticmethod
        def is_initialized():
            return FakeTorch.cuda.initialized


class CudaStageTimer(unittest.TestCase):
    def test_sums_device_time_per_stage_once_events_complete(self):
        timer = cuda.StageTimer(FakeTorch)
        for stage, ms in (("forward", 3.0), ("backward", 5.0), ("forward", 1.0)):
            timer.begin(stage)
            FakeEvent.now += ms
            timer.end(stage)
        timer.begin("optimizer")  # never ended (the step raised): ignored
        marks = timer.take()
        self.assertEqual(timer.take(), [])
        FakeEvent.completed = False
        self.assertFalse(timer.ready(marks))
        FakeEvent.completed = True
        self.assertTrue(timer.ready(marks))
        self.assertEqual(timer.resolve(marks), {"forward": 4.0, "backward": 5.0})

    def test_probe_waits_for_the_script_to_initialise_cuda(self):
        told = []
        check = cuda.probe(FakeTorch, lambda: told.append(True))
        self.assertIsNone(check())
        FakeTorch.cuda.initialized = True
        try:
            self.assertIsInstance(check(), cuda.StageTimer)
        finally:
            FakeTorch.cuda.initialized = False
        self.assertEqual(told, [True])


if __name__ == "__main__":
    unittest.main()
