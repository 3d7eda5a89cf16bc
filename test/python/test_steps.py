"""StepRecorder with fake clocks, driven the way the torch hooks drive it: one test per loop shape
(steps, micro-batches, samples and tokens), nested stages, evaluation passes, anchors, sampler tags."""
import unittest

import harness  # noqa: F401 - puts the runner on sys.path
from trainlens_runner import cuda
from trainlens_runner.steps import StepRecorder

FIELDS = ("index", "t", "ms", "samples", "data", "forward", "backward", "optimizer", "device", "tokens", "micro", "dataCpuMs")


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


class Optimizer:
    pass


class LBFGS(Optimizer):
    pass


def leading_dim(value):
    """A loader batch is its size; a module's inputs are (B,) or (B, T)."""
    return value if isinstance(value, int) else (value[0] if value else None)


def tokens(inputs):
    return inputs[0] * inputs[1] if inputs and len(inputs) == 2 else None


class Loop:
    """A training loop in fake time: each call advances the clock by its `ms` in that stage."""

    def __init__(self, device=None):
        self.clock, self.cpu = Clock(), Clock()
        self.posted = []
        self.rec = StepRecorder(self.posted.append, self.clock, 0.0, leading_dim, tokens, self.cpu,
                                (lambda: device) if device else None)

    def optimizer(self, cls=Optimizer):
        self.rec.optimizer_built()
        return cls()

    def forward(self, ms, inputs=(8,), module="model", training=True, grad=True):
        if self.rec.opens_forward or module is self.rec.top_module:
            self.rec.forward_begin(module, inputs, training, grad)
        self.clock.advance(ms)
        if module is self.rec.top_module:
            self.rec.forward_end()

    def backward(self, ms=4, inner=None):
        opened = self.rec.backward_begin()
        self.clock.advance(ms)
        if inner:
            inner()
        if opened:
            self.rec.backward_end()

    def zero_grad(self, ms=0.5):
        opened = self.rec.zero_grad_begin()
        self.clock.advance(ms)
        if opened:
            self.rec.zero_grad_end()

    def step(self, optimizer, ms=1, closure=None):
        opened = self.rec.optimizer_begin(optimizer)
        self.clock.advance(ms)
        if closure:
            closure()
        if opened:
            self.rec.optimizer_end(optimizer, closure is not None)

    def fetch(self, iterator, ms, batch, cpu_ms=0.0):
        opened = self.rec.loader_next(iterator)
        self.clock.advance(ms)
        self.cpu.advance(cpu_ms)
        if opened:
            if batch is None:
                self.rec.loader_exhausted()
            else:
                self.rec.loader_batch(batch)

    def train(self, optimizer, inputs=(8,), forward=3, backward=4, other=2):
        self.forward(forward, inputs)
        self.backward(backward)
        self.step(optimizer)
        self.clock.advance(other)

    def steps(self):
        return [dict(zip(FIELDS, r)) for r in self.posted if type(r) is tuple]

    def events(self, kind):
        return [e for e in self.posted if type(e) is dict and e["type"] == kind]


def stages(step):
    return [round(step[k], 6) for k in ("data", "forward", "backward", "optimizer")]


class LoaderSteps(unittest.TestCase):
    def test_each_batch_is_a_step_ending_at_the_next_fetch(self):
        loop = Loop()
        opt = loop.optimizer()
        loop.clock.advance(100)
        for _ in range(3):
            loop.fetch("it", 10, 8, cpu_ms=2)
            loop.train(opt)
        loop.fetch("it", 1, None)  # StopIteration: not a step
        steps = loop.steps()
        self.assertEqual([s["index"] for s in steps], [0, 1, 2])
        self.assertEqual((steps[0]["t"], round(steps[0]["ms"], 6), steps[0]["samples"]), (100.0, 20.0, 8))
        self.assertEqual(stages(steps[0]), [10, 3, 4, 1])
        self.assertEqual({round(s["dataCpuMs"], 6) for s in steps}, {2.0})
        self.assertEqual({(s["micro"], s["tokens"]) for s in steps}, {(None, None)})
        self.assertAlmostEqual(steps[2]["t"] + steps[2]["ms"], 160.0)
        self.assertEqual(loop.events("anchor"), [{"type": "anchor", "anchor": "dataloader", "detail": "steps start at a DataLoader batch"}])
        self.assertEqual(loop.rec.tag(None), "none")

    def test_zip_of_two_loaders_makes_one_step_per_pair(self):
        loop = Loop()
        opt = loop.optimizer()
        for _ in range(3):
            loop.fetch("a", 5, 8)
            loop.fetch("b", 5, 4)
            loop.train(opt)
        loop.fetch("a", 1, None)
        self.assertEqual([(round(s["data"], 6), s["samples"], s["micro"]) for s in loop.steps()], [(10.0, 8, None)] * 3)

    def test_gradient_accumulation_makes_one_step_per_optimizer_step(self):
        loop = Loop()
        opt = loop.optimizer()
        for _ in range(3):
            for _ in range(4):
                loop.fetch("it", 2, 8)
                loop.forward(3, inputs=(8, 16))
                loop.backward(4)
            loop.step(opt)
        loop.fetch("it", 1, None)
        steps = loop.steps()
        self.assertEqual([(s["micro"], s["samples"], s["tokens"]) for s in steps], [(4, 32, 4 * 8 * 16)] * 3)
        self.assertEqual(stages(steps[1]), [8, 12, 16, 1])
        self.assertIn("gradient accumulation: 4 micro-batches per step", loop.events("anchor")[0]["detail"])

    def test_two_optimizers_per_batch_are_one_step(self):
        loop = Loop()
        d, g = loop.optimizer(), loop.optimizer()
        for _ in range(3):
            loop.fetch("it", 2, 8)
            loop.forward(1)
            loop.backward(1)
            loop.step(d)
            loop.forward(1, module="generator")
            loop.backward(1)
            loop.step(g)
        loop.fetch("it", 1, None)
        self.assertEqual([(s["samples"], s["micro"]) for s in loop.steps()], [(8, None)] * 3)
        self.assertEqual(loop.events("anchor")[0]["detail"], "steps start at a DataLoader batch; 2 optimizers per step")

    def test_updates_by_hand_end_each_batch_at_backward(self):
        loop = Loop()  # no optimizer was ever built
        for _ in range(3):
            loop.fetch("it", 2, 8)
            loop.zero_grad()
            loop.forward(3)
            loop.backward(4)
            loop.clock.advance(1)  # p.data.add_(p.grad, alpha=-lr)
        loop.fetch("it", 1, None)
        self.assertEqual(len(loop.steps()), 3)
        self.assertEqual(loop.events("anchor")[0]["detail"], "steps start at a DataLoader batch; no optimizer.step(): updated by hand")

    def test_a_validation_loader_is_one_eval_pass_and_no_step(self):
        loop = Loop()
        opt = loop.optimizer()
        for _ in range(2):
            train, val = object(), object()  # each epoch iterates afresh
            for _ in range(3):
                loop.fetch(train, 5, 8)
                loop.zero_grad()
                loop.train(opt, other=2)
            loop.fetch(train, 1, None)
            loop.clock.advance(10)
            for _ in range(4):
                loop.fetch(val, 3, 16)
                loop.forward(2, inputs=(16,), training=False, grad=False)
            loop.fetch(val, 1, None)
            loop.clock.advance(10)
        loop.rec.finish()
        steps = loop.steps()
        self.assertEqual(len(steps), 6)
        self.assertEqual({round(s["ms"], 6) for s in steps}, {15.5})
        self.assertEqual([(e["batches"], e["samples"], e["ms"]) for e in loop.events("eval")], [(4, 64, 21.0)] * 2)  # with its loading

    def test_crash_inside_step_n_keeps_n_steps(self):
        loop = Loop()
        opt = loop.optimizer()
        for _ in range(4):
            loop.fetch("it", 5, 8)
            loop.train(opt)
        loop.fetch("it", 5, 8)
        loop.rec.forward_begin("model", (8,), True, True)  # raises inside forward: no post-hook
        loop.clock.advance(1)
        loop.rec.finish()
        self.assertEqual(len(loop.steps()), 4)

    def test_break_after_the_optimizer_keeps_the_last_step(self):
        loop = Loop()
        loop.fetch("it", 5, 8)
        loop.train(loop.optimizer(), other=2)
        loop.clock.advance(500)  # saving a checkpoint after `break`
        loop.rec.finish()
        self.assertEqual([round(s["ms"], 6) for s in loop.steps()], [13.0])

    def test_a_batch_whose_forward_raised_is_not_a_step_of_its_own(self):
        loop = Loop()
        opt = loop.optimizer()
        loop.fetch("it", 5, 8)
        loop.rec.forward_begin("model", (8,), True, True)
        loop.clock.advance(3)  # raised; the script catches it and skips the batch
        loop.fetch("it", 5, 8)
        loop.train(opt)
        loop.fetch("it", 1, None)
        step, = loop.steps()
        self.assertEqual((stages(step), step["samples"], step["micro"]), ([10, 6, 4, 1], 8, None))


class StepsWithoutLoader(unittest.TestCase):
    def test_optimizer_step_ends_each_step_and_the_next_starts_at_once(self):
        loop = Loop()
        opt = loop.optimizer()
        loop.clock.advance(50)
        for _ in range(3):
            loop.clock.advance(2)  # making the batch
            loop.zero_grad(1)
            loop.train(opt, inputs=(32,), other=0)
        loop.clock.advance(100)  # evaluation after training
        loop.rec.finish()
        steps = loop.steps()
        self.assertEqual([s["samples"] for s in steps], [32, 32, 32])
        self.assertAlmostEqual(steps[0]["ms"], 9.0)  # starts at its first stage
        self.assertAlmostEqual(steps[1]["ms"], 11.0)  # then steps tile the loop
        self.assertAlmostEqual(steps[1]["t"], steps[0]["t"] + steps[0]["ms"])
        self.assertEqual(loop.events("anchor")[0]["anchor"], "optimizer")

    def test_a_gan_round_of_two_optimizers_is_one_step(self):
        loop = Loop()
        d, g = loop.optimizer(), loop.optimizer()
        for _ in range(5):
            loop.forward(1, inputs=(8,), module="D")
            loop.backward(1)
            loop.forward(1, inputs=(8, 100), module="G")
            loop.forward(1, inputs=(8,), module="D")
            loop.backward(1)
            loop.step(d)
            loop.forward(1, inputs=(8,), module="D")
            loop.backward(1)
            loop.step(g)
        loop.rec.finish()
        steps = loop.steps()
        self.assertEqual([(round(s["ms"], 6), s["samples"], s["micro"]) for s in steps], [(9.0, 8, None)] * 5)
        self.assertEqual(loop.events("anchor")[0]["detail"], "steps end at optimizer.step(); 2 optimizers per step")

    def test_a_closure_optimizer_counts_its_forward_and_backward_as_such(self):
        loop = Loop()
        lbfgs = loop.optimizer(LBFGS)

        def closure():
            loop.zero_grad(0.5)
            loop.forward(3, inputs=(16,))
            loop.backward(4)
        for _ in range(4):
            loop.step(lbfgs, ms=1, closure=lambda: [closure() for _ in range(5)])
            loop.clock.advance(2)
        loop.rec.finish()
        steps = loop.steps()
        self.assertEqual(len(steps), 4)
        self.assertEqual(stages(steps[0]), [0, 15, 20, 3.5])
        self.assertEqual((steps[0]["samples"], steps[0]["micro"]), (16, None))
        self.assertEqual(loop.events("anchor")[0]["detail"], "steps end at optimizer.step(); LBFGS.step with a closure")

    def test_gradient_accumulation_sums_tokens_over_micro_batches(self):
        loop = Loop()
        opt = loop.optimizer()
        for _ in range(3):
            for _ in range(5):
                loop.forward(3, inputs=(12, 64))
                loop.clock.advance(1)  # get_batch
                loop.backward(4)
            loop.step(opt)
            loop.zero_grad()
        loop.rec.finish()
        steps = loop.steps()
        self.assertEqual([(s["micro"], s["samples"], s["tokens"]) for s in steps], [(5, 60, 5 * 12 * 64)] * 3)

    def test_updates_by_hand_make_a_step_per_backward(self):
        loop = Loop()
        for _ in range(4):
            loop.zero_grad()  # model.zero_grad()
            loop.forward(3, inputs=(20, 35))
            loop.backward(4)
            loop.clock.advance(1)  # p.data.add_(p.grad, alpha=-lr)
        loop.rec.finish()
        steps = loop.steps()
        self.assertEqual([(s["tokens"], s["micro"]) for s in steps], [(700, None)] * 4)
        self.assertEqual(loop.events("anchor")[0]["anchor"], "backward")

    def test_an_optimizer_that_never_steps_is_waited_for_until_exit(self):
        loop = Loop()
        loop.optimizer()
        for _ in range(6):
            loop.forward(3)
            loop.backward(4)
            loop.clock.advance(1)
        self.assertEqual(loop.steps(), [])  # maybe gradient accumulation: held back
        loop.rec.finish()
        self.assertEqual(len(loop.steps()), 6)

    def test_a_second_backward_without_a_forward_is_not_a_micro_batch(self):
        loop = Loop()
        opt = loop.optimizer()
        for _ in range(3):
            loop.forward(3)
            loop.backward(2)  # loss_a.backward(retain_graph=True)
            loop.backward(2)
            loop.step(opt)
        loop.rec.finish()
        self.assertEqual([(s["micro"], s["samples"], s["backward"]) for s in loop.steps()], [(None, 8, 4.0)] * 3)

    def test_an_optimizer_appearing_later_changes_the_anchor(self):
        loop = Loop()
        for _ in range(3):
            loop.forward(3)
            loop.backward(4)
        opt = loop.optimizer()
        for _ in range(3):
            loop.train(opt)
        loop.rec.finish()
        self.assertEqual(len(loop.steps()), 6)
        self.assertEqual([e["anchor"] for e in loop.events("anchor")], ["backward", "optimizer"])


class Evaluation(unittest.TestCase):
    def test_an_eval_pass_between_steps_is_cut_out_of_the_step(self):
        loop = Loop()
        opt = loop.optimizer()
        for i in range(4):
            if i == 2:
                for _ in range(10):
                    loop.clock.advance(1)  # get_batch
                    loop.forward(2, inputs=(4, 32), training=False, grad=False)
            loop.train(opt)
        loop.rec.finish()
        steps = loop.steps()
        # The pass starts at its first forward: making the first eval batch stays in the step.
        self.assertEqual([round(s["ms"], 6) for s in steps[1:]], [10.0, 11.0, 10.0])
        self.assertEqual([(e["batches"], e["samples"], e["ms"]) for e in loop.events("eval")], [(10, 40, 29.0)])

    def test_a_teacher_forward_under_no_grad_is_part_of_the_step(self):
        loop = Loop()
        opt = loop.optimizer()
        for _ in range(3):
            loop.forward(5, module="teacher", training=False, grad=False)
            loop.forward(3, module="student")
            loop.backward(4)
            loop.step(opt)
        loop.rec.finish()
        self.assertEqual(loop.events("eval"), [])
        self.assertEqual([(s["forward"], s["samples"]) for s in loop.steps()], [(8.0, 8)] * 3)

    def test_a_prediction_after_each_step_is_a_pass_of_its_own(self):
        loop = Loop()
        lbfgs = loop.optimizer(LBFGS)
        for _ in range(3):
            loop.step(lbfgs, closure=lambda: (loop.forward(3), loop.backward(4)))
            loop.clock.advance(1)
            loop.forward(20, training=True, grad=False)  # with torch.no_grad(): pred = model(test_input)
            loop.clock.advance(1)
        loop.rec.finish()
        self.assertEqual([(e["batches"], e["ms"]) for e in loop.events("eval")], [(1, 20.0)] * 3)
        self.assertEqual([round(s["ms"], 6) for s in loop.steps()[1:]], [10.0] * 2)

    def test_a_gans_fakes_made_without_gradients_are_part_of_the_step(self):
        loop = Loop()
        d, g = loop.optimizer(), loop.optimizer()
        for _ in range(3):
            loop.forward(2, module="G", grad=False)  # with torch.no_grad(): fake = G(z)
            loop.forward(1, module="D")
            loop.backward(1)
            loop.step(d)
            loop.forward(2, module="G")
            loop.forward(1, module="D")
            loop.backward(1)
            loop.step(g)
        loop.rec.finish()
        self.assertEqual(loop.events("eval"), [])
        self.assertEqual([round(s["forward"], 6) for s in loop.steps()], [6.0] * 3)

    def test_a_model_kept_in_eval_mode_while_training_is_training(self):
        loop = Loop()
        for _ in range(3):
            loop.forward(3, training=False)  # frozen batch norm: eval mode, gradients on
            loop.backward(4)
        loop.rec.finish()
        self.assertEqual((len(loop.steps()), loop.events("eval")), (3, []))

    def test_forwards_alone_are_an_eval_pass_and_no_anchor(self):
        loop = Loop()
        for _ in range(5):
            loop.fetch("it", 1, 8)
            loop.forward(2, training=False, grad=False)
        loop.fetch("it", 1, None)
        loop.rec.finish()
        self.assertEqual(loop.steps(), [])
        self.assertEqual([(e["batches"], e["ms"]) for e in loop.events("eval")], [(5, 16.0)])
        self.assertEqual(loop.events("anchor"), [{"type": "anchor", "anchor": "none",
                                                  "detail": "no backward() or optimizer.step() seen: showing time by line only"}])


class NestedStages(unittest.TestCase):
    def test_activation_checkpointing_recomputes_forward_inside_backward(self):
        loop = Loop()
        opt = loop.optimizer()
        loop.fetch("it", 5, 8)
        loop.forward(3)
        loop.backward(1, inner=lambda: (loop.forward(2, module="block"), loop.backward(1), loop.clock.advance(1)))
        loop.step(opt)
        loop.fetch("it", 1, None)
        self.assertEqual(stages(loop.steps()[0]), [5, 5, 3, 1])  # the inner backward() is the outer one's

    def test_modules_inside_a_forward_or_the_data_stage_open_nothing(self):
        rec = Loop().rec
        rec.loader_next("it")
        self.assertFalse(rec.opens_forward)  # a transform module in a Dataset stays data
        rec.loader_batch(8)
        rec.forward_begin("model", (8,), True, True)
        self.assertEqual((rec.opens_forward, rec.top_module), (False, "model"))  # a submodule is not the top one
        rec.backward_begin()
        self.assertTrue(rec.opens_forward)

    def test_sampler_tag_is_startup_then_the_innermost_stage_then_none(self):
        loop = Loop()
        opt = loop.optimizer()
        self.assertEqual(loop.rec.tag(None), "startup")
        loop.rec.backward_begin()
        self.assertEqual(loop.rec.tag(None), "backward")
        loop.rec.forward_begin("block", (8,), True, True)
        self.assertEqual(loop.rec.tag(None), "forward")
        loop.rec.forward_end()
        loop.rec.backward_end()
        self.assertEqual(loop.rec.tag(None), "other")
        loop.step(opt)
        loop.step(opt)
        for _ in range(2):
            loop.forward(1, training=False, grad=False)
        self.assertEqual(loop.rec.tag(None), "none")  # an evaluation pass


class DeviceTimes(unittest.TestCase):
    def test_steps_wait_for_their_device_times_and_are_flushed_at_exit(self):
        device = FakeDevice()
        loop = Loop(device)
        opt = loop.optimizer()
        for _ in range(3):
            loop.fetch("it", 5, 8)
            loop.train(opt)
        loop.fetch("it", 1, None)
        self.assertEqual(loop.steps(), [])  # events not complete yet: nothing sent
        device.done = True
        loop.fetch("it2", 5, 8)
        loop.train(opt)
        loop.fetch("it2", 1, None)
        self.assertEqual([s["index"] for s in loop.steps()], [0, 1, 2, 3])
        self.assertEqual(loop.steps()[0]["device"], {"forward": 1.0, "backward": 1.0, "optimizer": 1.0})
        device.done = False
        loop.fetch("it3", 5, 8)
        loop.train(opt)
        loop.rec.finish()
        self.assertEqual(len(loop.steps()), 5)
        self.assertIsNone(loop.steps()[4]["device"])


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
