"""LiveStages against the StepRecorder it defers: random training programs (nested stages,
forwards that raise, loaders, evaluation under no_grad, optimizers built late) run twice in fake
time, once calling a StepRecorder directly as the hooks did before logging (`Direct`), once through
LiveStages with the log replayed at random points (`Logged`). Every live decision the hooks take
(does a call open its stage, does a module call open a forward, which module's hook ends it, is a
forward the innermost stage) must be the recorder's own, and every event posted and every sampler
tag must be the same."""
import random
import unittest

import harness  # noqa: F401 - puts the runner on sys.path
from test_steps import FIELDS, Clock, FakeDevice, leading_dim, tokens
from trainlens_runner import live_stages
from trainlens_runner.live_stages import LiveStages
from trainlens_runner.steps import StepRecorder

PROGRAMS = 400
MODULES = ("model", "loss", "teacher")


class Optimizer:
    pass


def program(rng, depth=0):
    """A list of ops; nested ones run inside the stage of the op that holds them."""
    ops = []
    for _ in range(rng.randint(1, 3) if depth else rng.randint(8, 30)):
        inner = program(rng, depth + 1) if depth < 2 and rng.random() < 0.25 else []
        choice = rng.random()
        if choice < 0.25:
            ops.append(("forward", rng.choice(MODULES), (rng.choice((4, 8)),) + ((16,) if rng.random() < 0.3 else ()),
                        rng.random() < 0.8, rng.random() < 0.8, rng.random() < 0.1, inner))
        elif choice < 0.4:
            ops.append(("backward", inner))
        elif choice < 0.5:
            ops.append(("zero_grad", inner))
        elif choice < 0.65:
            ops.append(("step", rng.randrange(2), rng.random() < 0.1, inner))
        elif choice < 0.8:
            ops.append(("fetch", rng.choice(("a", "a", "a", "b")), rng.choice((8, 8, 4, None, "raise")), rng.random() * 2, inner))
        elif choice < 0.85:
            ops.append(("built",))
        else:
            ops.append(("other",))
    return ops


class Driver:
    """Runs a program in fake time; `trace` gets every decision and tag, in order."""

    def __init__(self, rng_seed, device=None):
        self.clock, self.cpu = Clock(), Clock()
        self.posted, self.trace = [], []
        self.rng = random.Random(rng_seed)  # the same for both drivers: same times, same tag reads
        self.optimizers = [Optimizer(), Optimizer()]
        self.rec = StepRecorder(self.posted.append, self.clock, 0.0, leading_dim, tokens, self.cpu,
                                (lambda: device) if device else None)

    def run(self, ops):
        for op in ops:
            self.clock.advance(self.rng.choice((0.5, 1, 3)))
            getattr(self, "op_" + op[0])(*op[1:])
            if self.rng.random() < 0.2:
                self.trace.append(("tag", self.tag()))
            self.trace.append(("in forward", self.in_forward()))

    def op_forward(self, module, inputs, training, grad, raises, inner):
        opened = self.opens_forward()
        self.trace.append(("forward opens", module, opened))
        if opened:
            self.forward_begin(module, inputs, training, grad)
        self.run(inner)
        self.clock.advance(1)
        if opened and not raises:
            ends = module is self.top_module()
            self.trace.append(("forward ends", module, ends))
            if ends:
                self.forward_end()

    def op_other(self):
        self.clock.advance(2)


class Direct(Driver):
    """The hooks as they were: the recorder decides, at once."""

    def tag(self):
        return self.rec.tag(None)

    def in_forward(self):
        return self.rec.stage in ("forward", "eval")  # StepRecorder's _EVAL: an evaluation forward

    def opens_forward(self):
        return self.rec.opens_forward

    def top_module(self):
        return self.rec.top_module

    def forward_begin(self, module, inputs, training, grad):
        self.rec.forward_begin(module, inputs, training, grad)

    def forward_end(self):
        self.rec.forward_end()

    def staged(self, name, begin_args, end_args, inner):
        opened = getattr(self.rec, name + "_begin")(*begin_args)
        self.trace.append((name, opened))
        self.run(inner)
        self.clock.advance(1)
        if opened:
            getattr(self.rec, name + "_end")(*end_args)

    def op_backward(self, inner):
        self.staged("backward", (), (), inner)

    def op_zero_grad(self, inner):
        self.staged("zero_grad", (), (), inner)

    def op_step(self, which, closure, inner):
        optimizer = self.optimizers[which]
        self.staged("optimizer", (optimizer,), (optimizer, closure), inner)

    def op_fetch(self, iterator, batch, cpu_ms, inner):
        opened = self.rec.loader_next(iterator)
        self.trace.append(("fetch", opened))
        self.run(inner)  # a dataset's own work
        self.clock.advance(2)
        self.cpu.advance(cpu_ms)
        if opened:
            if batch is None:
                self.rec.loader_exhausted()
            elif batch == "raise":
                self.rec.end("data")
            else:
                self.rec.loader_batch(batch)

    def op_built(self):
        self.rec.optimizer_built()

    def finish(self):
        self.rec.finish()


class Logged(Driver):
    """The hooks as they are: LiveStages decides at once, the recorder replays its log later."""

    def __init__(self, rng_seed, device=None, at_once=False):
        super().__init__(rng_seed, device)
        self.flushes = random.Random(rng_seed + 1)
        self.live = LiveStages(self.rec, self.fail, lambda: False, leading_dim, tokens)
        self.inside = False
        self.live.on_forward_enter, self.live.on_forward_exit = self.enter, self.exit
        if at_once:
            self.live.replay_at_once()

    def fail(self, exc):
        raise exc

    def enter(self):
        assert not self.inside, "entered a forward twice"
        self.inside = True

    def exit(self):
        assert self.inside, "left a forward never entered"
        self.inside = False

    def run(self, ops):
        for op in ops:
            super().run([op])
            if self.flushes.random() < 0.1:
                self.live.flush()

    def tag(self):
        return self.rec.tag(None)

    def in_forward(self):
        return self.inside

    def opens_forward(self):
        return self.live.opens_forward

    def top_module(self):
        return self.live.top_module

    def forward_begin(self, module, inputs, training, grad):
        self.live.forward_begin((self.rec.forward_begin, self.clock(), None, (module, inputs, training, grad)))

    def forward_end(self):
        self.live.forward_end((self.rec.forward_end, self.clock(), None, ()))

    def staged(self, name, kind, begin_args, end_args, inner):
        opened = self.live.begin(kind, (getattr(self.rec, name + "_begin"), self.clock(), None, begin_args))
        self.trace.append((name, opened))
        self.run(inner)
        self.clock.advance(1)
        if opened:
            self.live.end(kind, (getattr(self.rec, name + "_end"), self.clock(), None, end_args))

    def op_backward(self, inner):
        self.staged("backward", "backward", (), (), inner)

    def op_zero_grad(self, inner):
        self.staged("zero_grad", "optimizer", (), (), inner)

    def op_step(self, which, closure, inner):
        optimizer = self.optimizers[which]
        self.staged("optimizer", "optimizer", (optimizer,), (optimizer, closure), inner)

    def op_fetch(self, iterator, batch, cpu_ms, inner):
        opened = self.live.opens_data
        self.trace.append(("fetch", opened))
        if opened:
            self.live.loader_next((self.rec.loader_next, self.clock(), self.cpu(), (iterator,)))
        self.run(inner)
        self.clock.advance(2)
        self.cpu.advance(cpu_ms)
        if opened:
            if batch is None:
                self.live.data_ends((self.rec.loader_exhausted, self.clock(), self.cpu(), ()))
            elif batch == "raise":
                self.live.data_ends((self.rec.end, self.clock(), self.cpu(), ("data",)), True)
            else:
                self.live.data_ends((self.rec.loader_batch, self.clock(), self.cpu(), (batch,)))

    def op_built(self):
        self.live.optimizer_built()

    def finish(self):
        self.rec.finish()


def steps(posted):
    return [dict(zip(FIELDS, r)) if type(r) is tuple else r for r in posted]


class SameAsTheRecorderAlone(unittest.TestCase):
    def check(self, seed, device_factory=None, at_once=False):
        ops = program(random.Random(seed))
        direct = Direct(seed, device_factory() if device_factory else None)
        logged = Logged(seed, device_factory() if device_factory else None, at_once)
        for driver in (direct, logged):
            driver.run(ops)
            driver.finish()
        self.assertEqual(logged.trace, direct.trace, "seed %d" % seed)
        self.assertEqual(steps(logged.posted), steps(direct.posted), "seed %d" % seed)
        self.assertEqual(logged.live.log, [])
        return direct

    def test_random_programs_replayed_late_post_what_the_recorder_posts_at_once(self):
        posted_steps = 0
        for seed in range(PROGRAMS):
            posted_steps += len([r for r in self.check(seed).posted if type(r) is tuple])
        self.assertGreater(posted_steps, PROGRAMS)  # the programs do train

    def test_replayed_as_they_happen_with_device_markers(self):
        class Device(FakeDevice):
            def __init__(self):
                super().__init__()
                self.done = True
        for seed in range(PROGRAMS // 4):
            self.check(seed, Device, at_once=True)

    def test_calls_logged_while_deferred_get_no_device_markers(self):
        device = FakeDevice()
        device.done = True
        logged = Logged(1, device)
        logged.run([("forward", "model", (8,), True, True, False, []), ("backward", []), ("step", 0, False, [])] * 3)
        logged.finish()
        self.assertEqual({r[8] for r in logged.posted if type(r) is tuple}, {None})
        self.assertIsNone(logged.rec.device)


class Replay(unittest.TestCase):
    def test_the_log_is_replayed_once_it_is_old_enough(self):
        logged = Logged(0)
        logged.run([("forward", "model", (8,), True, True, False, []), ("backward", [])])
        logged.live.flush()
        logged.clock.advance(live_stages.REPLAY_AFTER_S * 1000 / 2)
        logged.live.end("optimizer", (logged.rec.zero_grad_end, logged.clock(), None, ()))
        self.assertEqual(len(logged.live.log), 1)
        logged.clock.advance(live_stages.REPLAY_AFTER_S * 1000)
        logged.live.end("optimizer", (logged.rec.zero_grad_end, logged.clock(), None, ()))
        self.assertEqual(logged.live.log, [])

    def test_a_tag_read_during_a_replay_reads_the_live_stack(self):
        logged = Logged(0)
        tags = []
        real_backward_begin = logged.rec.backward_begin

        def backward_begin_then_sample():
            opened = real_backward_begin()
            tags.append(logged.rec.tag(None))  # the sampler's signal handler, arriving mid-replay
            return opened
        logged.rec.backward_begin = backward_begin_then_sample
        logged.op_built()  # the first call is replayed at once
        logged.op_backward([])
        logged.forward_begin("model", (8,), True, True)
        logged.live.flush()
        self.assertEqual(tags, ["forward"])  # the replay was at the backward; the forward runs now
        self.assertEqual(logged.rec.tag(None), "forward")

    def test_the_stage_tag_of_data_backward_and_optimizer_needs_no_replay(self):
        logged = Logged(0)
        logged.run([("forward", "model", (8,), True, True, False, []), ("backward", [])])
        logged.live.flush()
        logged.live.begin("backward", (logged.rec.backward_begin, logged.clock(), None, ()))
        self.assertEqual(logged.rec.tag(None), "backward")
        self.assertEqual(len(logged.live.log), 1)
        logged.live.end("backward", (logged.rec.backward_end, logged.clock(), None, ()))
        self.assertEqual(logged.rec.tag(None), "other")
        self.assertEqual(logged.live.log, [])


if __name__ == "__main__":
    unittest.main()


class DeviceMarkersAroundTheirStage(unittest.TestCase):
    """Once calls are replayed as they happen (CUDA, or a process group, as here: gloo, one rank),
    each stage's device markers are recorded right around its own work: the start before it, the
    end after it. On CPU, a stand-in device notes each marker among the stages' work."""

    def test_each_stage_is_marked_before_and_after_its_work(self):
        import os
        import tempfile
        import time

        import torch
        import torch.distributed as dist
        from trainlens_runner.torch_hooks import TorchHooks

        seen = []  # markers and work, in the order they happened

        class Device(FakeDevice):
            def begin(self, stage):
                seen.append(("begin", stage))

            def end(self, stage):
                seen.append(("end", stage))

        class Spy(torch.nn.Linear):
            def forward(self, x):
                seen.append(("run", "forward"))
                return super().forward(x)

        class Square(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, grad):
                seen.append(("run", "backward"))
                return 2 * ctx.saved_tensors[0] * grad

        class SGD(torch.optim.SGD):
            def step(self, closure=None):
                seen.append(("run", "optimizer"))
                return super().step(closure)

            def zero_grad(self, set_to_none=False):
                seen.append(("run", "optimizer"))
                return super().zero_grad(set_to_none)

        posted, failures, device = [], [], Device()
        hooks = TorchHooks(torch, posted.append, failures.append)
        recorder = StepRecorder(posted.append, time.perf_counter, time.perf_counter(), hooks.leading_dim, hooks.token_count,
                                time.thread_time, lambda: device)
        hooks.install(recorder)
        store = os.path.join(tempfile.mkdtemp(), "store")
        try:
            model = Spy(4, 2)
            optimizer = SGD(model.parameters(), lr=0.1)
            dist.init_process_group("gloo", init_method="file://" + store, rank=0, world_size=1)
            for _ in range(3):
                optimizer.zero_grad()
                Square.apply(model(torch.randn(8, 4))).sum().backward()
                optimizer.step()
            recorder.finish()
        finally:
            hooks.uninstall()
            if dist.is_initialized():
                dist.destroy_process_group()
        self.assertEqual(failures, [])
        self.assertEqual(len([r for r in posted if type(r) is tuple]), 3)
        stage_order = [("begin", s) if i == 0 else ("run", s) if i == 1 else ("end", s)
                       for s in ("optimizer", "forward", "backward", "optimizer") for i in range(3)]
        self.assertEqual(seen, stage_order * 3)
