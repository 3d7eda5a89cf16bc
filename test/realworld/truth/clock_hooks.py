"""The truth clock's hooks, loaded by truth_run.py under the pseudo-filename `<realworld truth>` so
that a profiler running in the same process (TrainLens) sees them as library code, never as one of
the script's lines. Each hook takes a timestamp and calls through; nothing here changes what the
script computes.

All times are ms of time.perf_counter() since the clock was made.
"""
import os
import signal
import sys
import time
import types


class Clock:
    def __init__(self):
        self._origin = time.perf_counter()
        self.optimizers = []  # {"kind", "steps": [[start, end]], "closures": [[start, end]]}
        self.backward = []  # [start, end] of each Tensor.backward
        self.modes = []  # [t, training] of each outermost Module.train(mode) call
        self.no_grad_forwards = []  # [start, end] of outermost forwards run with grad disabled
        self.batches = []  # [start, end] of each DataLoader fetch (_next_data) that returned a batch
        self._train_depth = 0
        self._forward_depth = 0
        self._forward_start = None

    def now(self):
        return (time.perf_counter() - self._origin) * 1000.0

    def install(self, torch):
        clock = self

        optimizer_init = torch.optim.Optimizer.__init__

        def init(self, *args, **kwargs):
            optimizer_init(self, *args, **kwargs)
            clock._time_optimizer(self)

        torch.optim.Optimizer.__init__ = init

        tensor_backward = torch.Tensor.backward

        def backward(self, *args, **kwargs):
            start = clock.now()
            try:
                return tensor_backward(self, *args, **kwargs)
            finally:
                clock.backward.append([start, clock.now()])

        torch.Tensor.backward = backward

        module_train = torch.nn.Module.train

        def train(self, mode=True):
            # Module.train calls train on every child: only the outermost call is the script's.
            if clock._train_depth == 0:
                clock.modes.append([clock.now(), bool(mode)])
            clock._train_depth += 1
            try:
                return module_train(self, mode)
            finally:
                clock._train_depth -= 1

        torch.nn.Module.train = train

        def forward_pre(module, inputs):
            clock._forward_depth += 1
            if clock._forward_depth == 1:
                clock._forward_start = clock.now() if not torch.is_grad_enabled() else None

        def forward_post(module, inputs, output):
            if clock._forward_depth == 1 and clock._forward_start is not None:
                clock.no_grad_forwards.append([clock._forward_start, clock.now()])
            clock._forward_depth -= 1

        torch.nn.modules.module.register_module_forward_pre_hook(forward_pre)
        torch.nn.modules.module.register_module_forward_hook(forward_post)

        # The fetch itself (_next_data, what __next__ calls), inside any wrapper of __next__ a
        # profiler may have put in first, so its own bookkeeping is not counted as loading.
        loaders = torch.utils.data.dataloader
        for iterator in (loaders._SingleProcessDataLoaderIter, loaders._MultiProcessingDataLoaderIter):
            iterator._next_data = clock._timed_fetch(iterator._next_data)

    def _timed_fetch(self, next_data):
        clock = self

        def fetch(self):
            start = clock.now()
            batch = next_data(self)  # StopIteration ends an epoch: no batch, no record
            clock.batches.append([start, clock.now()])
            return batch

        return fetch

    def _time_optimizer(self, optimizer):
        clock = self
        record = {"kind": type(optimizer).__name__, "steps": [], "closures": []}
        self.optimizers.append(record)
        step = optimizer.step

        def timed_closure(closure):
            def run():
                start = clock.now()
                try:
                    return closure()
                finally:
                    record["closures"].append([start, clock.now()])
            return run

        def timed_step(self, *args, **kwargs):
            if args and callable(args[0]):
                args = (timed_closure(args[0]),) + args[1:]
            elif callable(kwargs.get("closure")):
                kwargs["closure"] = timed_closure(kwargs["closure"])
            start = clock.now()
            try:
                return step(*args, **kwargs)
            finally:
                record["steps"].append([start, clock.now()])

        # A bound method, as torch's LR schedulers expect to find (they wrap `optimizer.step`).
        optimizer.step = types.MethodType(timed_step, optimizer)

    def report(self):
        return {"endMs": self.now(), "optimizers": self.optimizers, "backward": self.backward, "modes": self.modes,
                "noGradForwards": self.no_grad_forwards, "batches": self.batches}


class LineSampler:
    """Main-thread wall time per line of the script's own files, by SIGALRM from a periodic timer:
    the handler gives the line it finds every tick that came due since it last ran, so a line that
    holds the GIL in C for 40 ms gets its 20 ticks. Ticks are counted on the timer's own fixed
    grid, not as the time since the handler last ran: that time also holds the Python run just
    before a long C call (up to a period each call; it made nanoGPT's backward line 0.58 where the
    backward calls timed themselves at 0.45 of the time)."""

    PERIOD_S = 0.002

    def __init__(self, clock, directory):
        self._clock = clock
        self._directory = os.path.realpath(directory) + os.sep
        self._origin = None
        self._ticks = 0  # ticks counted so far, since the timer started
        self._own = {}
        self.ms = {}  # "file:line" -> ms
        self.total_ms = 0.0

    def start(self):
        self._origin = time.monotonic()
        signal.signal(signal.SIGALRM, self._sample)
        signal.setitimer(signal.ITIMER_REAL, self.PERIOD_S, self.PERIOD_S)

    def stop(self):
        signal.setitimer(signal.ITIMER_REAL, 0, 0)

    def _is_own(self, filename):
        own = self._own.get(filename)
        if own is None:
            # Pseudo-files (<frozen runpy>, this clock's <realworld truth>) are nobody's own code.
            own = not filename.startswith("<") and os.path.realpath(filename).startswith(self._directory)
            self._own[filename] = own
        return own

    def _sample(self, signum, frame):
        due = int((time.monotonic() - self._origin) / self.PERIOD_S)
        elapsed, self._ticks = (due - self._ticks) * self.PERIOD_S * 1000.0, max(due, self._ticks)
        if elapsed <= 0 or not self._started():
            return
        self.total_ms += elapsed
        while frame is not None and not self._is_own(frame.f_code.co_filename):
            frame = frame.f_back
        # f_lineno is None between a frame's instructions that map to no line (Python 3.11).
        if frame is not None and frame.f_lineno is not None:
            key = "%s:%d" % (os.path.realpath(frame.f_code.co_filename), frame.f_lineno)
            self.ms[key] = self.ms.get(key, 0.0) + elapsed

    def _started(self):
        """Start-up (imports, data and model set-up) is left out: time counts from the end of the
        first training iteration, a backward or optimizer step, whichever came first."""
        return bool(self._clock.backward) or any(o["steps"] for o in self._clock.optimizers)

    def report(self):
        return {"totalMs": self.total_ms, "lineMs": self.ms}
