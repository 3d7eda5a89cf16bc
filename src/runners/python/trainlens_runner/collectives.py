"""Time a rank spends in collectives, per step: `commMs` (all of it) and `commExposedMs` (the part
the training loop waited for, not hidden behind backward). What is measured today is all waited
for, so the two are equal; the wire keeps both for a collective seen overlapped (an async op's work).

  explicit   torch.distributed's blocking collectives (all_reduce, all_gather, broadcast,
             reduce_scatter, barrier, …) are wrapped: the loop waits for all of a blocking call.
             A call with async_op=True is only dispatched there and is not counted.
  DDP        DistributedDataParallel's gradient all-reduce runs in its C++ reducer, overlapped with
             backward, out of Python's sight (a Python communication hook would see it, but a
             hook's future callback on gloo's thread deadlocks the reducer's teardown at exit in
             torch 1.13). What the loop waits for is visible: each parameter's gradient
             accumulator (the autograd node DDP's own hooks sit on) gets a post-hook stamping when
             a gradient is done, and at the end of backward an autograd-engine callback queued
             behind the reducer's (which waits for every bucket's all-reduce) stamps when that wait
             is over. The step's exposed communication is from the last gradient to that stamp;
             DDP's time in all-reduce hidden behind backward is not measured, so for DDP `commMs`
             is that exposed part too.
A model whose parameters cannot be reached that way goes unmeasured (its steps carry no comm figures
unless explicit collectives are called).

The calls that talk to the rendezvous store (init_process_group, new_group) run with the line
sampler's signal blocked in the main thread: torch's TCPStore fails with "Interrupted system call"
when a signal interrupts its connect or receive, where Python code would retry.
"""
import functools
import signal
from collections import deque

from .signal_sampler import SIGNAL as SAMPLER_SIGNAL

BLOCKING_COLLECTIVES = ("all_reduce", "all_gather", "all_gather_into_tensor", "all_gather_object", "broadcast",
                        "broadcast_object_list", "reduce", "reduce_scatter", "reduce_scatter_tensor", "all_to_all",
                        "gather", "scatter", "barrier")
STORE_CALLS = ("init_process_group", "new_group")
_MISSING = object()


class CommClock:
    def __init__(self, clock):
        self._clock = clock
        self._spans = deque()  # (start, end) of each wait, appended by the training thread (autograd's, for DDP)
        self._measuring = False  # True once a collective was timed: before that, a step's comm is unknown, not 0
        self._watches = []  # a _LastGradient per DDP model
        self._patches = []

    def install(self, torch):
        dist = torch.distributed
        for name in BLOCKING_COLLECTIVES:
            original = getattr(dist, name, None)
            if original is not None:
                self._patch(dist, name, self._timed(original))
        for name in STORE_CALLS:
            original = getattr(dist, name, None)
            if original is not None and SAMPLER_SIGNAL is not None and hasattr(signal, "pthread_sigmask"):
                self._patch(dist, name, _without_sampler_signal(original))
        ddp = torch.nn.parallel.DistributedDataParallel
        self._patch(ddp, "__init__", self._after_ddp_init(ddp.__init__))

    def uninstall(self):
        patches, self._patches = self._patches, []
        for owner, name, previous in reversed(patches):
            if previous is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, previous)

    def with_comm(self, post):
        """`post` for the step recorder: a step record (a tuple) gains the step's comm figures."""
        def post_step(event):
            if type(event) is tuple:
                event = event + self.take()
            post(event)
        return post_step

    def take(self):
        """(ms in collectives, ms of it waited for) since the last call; (None, None) before any."""
        if not self._measuring:
            return (None, None)
        for watch in self._watches:
            watch.prune()
        spans, waited = self._spans, 0.0
        while spans:
            start, end = spans.popleft()
            waited += end - start
        return (waited * 1000.0, waited * 1000.0)

    def _patch(self, owner, name, replacement):
        self._patches.append((owner, name, owner.__dict__.get(name, _MISSING)))
        setattr(owner, name, replacement)

    def _timed(self, collective):
        clock, spans = self._clock, self._spans

        @functools.wraps(collective)
        def timed(*args, **kwargs):
            if kwargs.get("async_op"):
                return collective(*args, **kwargs)
            start = clock()
            try:
                return collective(*args, **kwargs)
            finally:
                spans.append((start, clock()))
                self._measuring = True
        return timed

    def _after_ddp_init(self, init):
        clock_self = self

        @functools.wraps(init)
        def ddp_init(model, *args, **kwargs):
            init(model, *args, **kwargs)
            try:
                clock_self._watch_gradients(model)
            except Exception:  # noqa: BLE001 - an unmeasured model is better than a failed one
                pass
        return ddp_init

    def _watch_gradients(self, model):
        import torch

        with torch.enable_grad():
            nodes = [p.view_as(p).grad_fn.next_functions[0][0] for p in model.module.parameters() if p.requires_grad]
        self._watches.append(_LastGradient(torch.autograd.Variable._execution_engine, self._clock, self._spans, nodes))
        self._measuring = True


class _LastGradient:
    """Stamps, for one DDP model, when backward's last gradient is done and when the reducer's wait
    after it is over. Every parameter's gradient accumulator (the autograd node DDP's own hooks sit
    on; the reducer holds it, so the hook lives as long as the model) is hooked for the first
    LEARNING_BACKWARDS backward passes; after them only the parameters whose gradient came last in
    one of them keep their hook: a hook costs about 1 us a parameter a step (measured: +95 us a
    step on a 100-parameter model before this pruning; after it, one hook and two callbacks per
    backward, +7 us a step)."""

    LEARNING_BACKWARDS = 3

    def __init__(self, engine, clock, spans, nodes):
        self._engine, self._clock, self._spans = engine, clock, spans
        self._latest = (0.0, -1)  # when the latest gradient was done, and whose
        self._queued = False
        self._learning = self.LEARNING_BACKWARDS
        self._lasts = set()
        self._handles = [node.register_hook(self._gradient_done(i)) for i, node in enumerate(nodes)]

    def prune(self):
        """Between steps, on the training thread: drops the hooks learning showed are not needed."""
        if self._learning == 0 and self._handles:
            for i, handle in enumerate(self._handles):
                if i not in self._lasts:
                    handle.remove()
            self._handles = []

    # Each runs inside the user's backward: a failure of ours must end there, never in it.
    def _gradient_done(self, index):
        def gradient_done(*_):
            self._latest = (self._clock(), index)
            if not self._queued:
                try:
                    self._engine.queue_callback(self._gradients_final)
                    self._queued = True
                except Exception:  # noqa: BLE001 - not inside a backward pass: nothing to wait for
                    pass
        return gradient_done

    def _gradients_final(self):
        # Runs at the end of backward, but may come before the reducer's own callback (queued when
        # its last bucket was ready): queued once more, it runs after that one's wait.
        try:
            self._engine.queue_callback(self._wait_over)
        except Exception:  # noqa: BLE001
            self._queued = False

    def _wait_over(self):
        try:
            done, index = self._latest
            self._spans.append((done, self._clock()))
            if self._learning > 0:
                self._lasts.add(index)
                self._learning -= 1
        finally:
            self._queued = False


def _without_sampler_signal(call):
    @functools.wraps(call)
    def sheltered(*args, **kwargs):
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {SAMPLER_SIGNAL})
        try:
            return call(*args, **kwargs)
        finally:
            if SAMPLER_SIGNAL not in blocked:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {SAMPLER_SIGNAL})
    return sheltered
