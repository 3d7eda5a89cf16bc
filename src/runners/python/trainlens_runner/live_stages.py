"""The stage stack as the torch hooks need it at once, and the StepRecorder's work done a little
later, in bulk.

A hooked call must know right then whether it opens a stage (a zero_grad inside an optimizer's
closure does not), and the forward hooks whether a module call opens a forward (one in the data
stage does not) and when the global module hook must go or come back. That needs only the stack of
stages, kept here by the StepRecorder's own rules (a forward and an evaluation forward are one kind
here). Everything else the recorder works out (steps, micro-batches, evaluation runs, stage times,
the events it posts) can wait: each call is logged with its time, and the recorder replays the log
in one go when it is REPLAY_AFTER_S old, when the sampler reads the stage tag, and before anything
else posts or exits. Run inline, between torch's calls that evict the caches, the recorder's
Python cost a fast_steps.py step about 18 µs of main-thread time; replayed in bulk, about 5.

Calls are replayed as they happen (nothing deferred) once stage boundaries must be marked at the
moment they occur: a run on CUDA (device markers are recorded on the stream by the call itself) and
a distributed run (a step takes the collectives' time measured until it is posted).
"""
import threading

from .stage_windows import stage_in_stack
from .step_records import STAGES

_DATA, _FORWARD, _BACKWARD, _OPTIMIZER = STAGES  # _FORWARD here: a forward or an evaluation forward
# Far below the channel's flush interval, so the panel sees no difference; long enough that a
# replay covers many fast steps (fast_steps.py's loop on a 2-core machine: 8.7 µs of replay a step
# every 2 ms, 5.5 every 20 ms, 4.8 every 100 ms; about 4 with the whole run replayed at once).
REPLAY_AFTER_S = 0.02
_NOW = float("-inf")


def _ignore():
    pass


class LiveStages:
    def __init__(self, recorder, on_failure, replay_at_once_now, logged_samples, logged_tokens):
        """`replay_at_once_now()`: whether calls must be replayed as they happen from now on;
        `logged_samples` and `logged_tokens`: the recorder's leading_dim and tokens for the batch
        shapes the hooks log."""
        self.stack = []  # innermost last
        self.top_module = None  # the module whose call is the innermost forward
        self.log = []  # (recorder method, wall time, CPU time or None, arguments), oldest first
        self.on = True
        # Called when a forward becomes the innermost stage and when it stops being so: the hooks
        # drop their global module hook meanwhile.
        self.on_forward_enter = self.on_forward_exit = _ignore
        self._rec = recorder
        self._on_failure = on_failure
        self._replay_at_once_now = replay_at_once_now
        self._main = threading.main_thread().ident
        self._get_ident = threading.get_ident
        self._now = [0.0, 0.0]  # the logged times the recorder reads while a call is replayed
        self.clock, self.cpu_clock = recorder.replay_through(self, self._now, logged_samples, logged_tokens)  # the real ones
        self._replaying = False
        self.stage_windows = None  # the hooks' StageWindows: while paused, a sample's stage comes from its frames
        self.deferred = True
        self.due = _NOW  # the time at which the log is replayed; _NOW: at once

    @property
    def opens_forward(self):
        """A module call now starts a forward."""
        stack = self.stack
        return not stack or stack[-1] is _BACKWARD or stack[-1] is _OPTIMIZER

    @property
    def opens_data(self):
        """A DataLoader batch now opens the data stage (not inside another stage, as a read inside
        a dataset or an optimizer's closure is)."""
        stack = self.stack
        return not stack or stack[-1] is _FORWARD

    @property
    def forward_open(self):
        return _FORWARD in self.stack

    # ---- calls ------------------------------------------------------------------------------
    # Each keeps the stack and logs `call`: (recorder method, wall time, CPU time or None, its
    # arguments). The hooks handle the usual cases inline (no stage open around the call) and
    # call these for the rest.

    def begin(self, kind, call):
        """backward, zero_grad or optimizer.step (`kind`: _BACKWARD or _OPTIMIZER) is entered; True
        when it opens its stage, False inside one of its kind (whose end is then not called)."""
        stack = self.stack
        top = stack[-1] if stack else None
        if top is kind:
            return False
        if top is _FORWARD and kind is _OPTIMIZER:
            self._pop(None)  # a forward that raised: an update proves it over
        self._push(kind)
        self._log(call)
        return True

    def end(self, kind, call):
        if kind in self.stack:
            self._pop(kind)
        self._log(call)

    def forward_begin(self, call):
        """A module call while `opens_forward`: `call` is the recorder's forward_begin, with the
        inputs' logged shape in place of the inputs."""
        stack = self.stack
        if stack and stack[-1] is _FORWARD:
            self._pop(None)
        self.top_module = call[3][0]
        self._push(_FORWARD)
        self._log(call)

    def forward_end(self, call):
        """The top module's forward hook, for the innermost forward's module."""
        stack = self.stack
        if stack and stack[-1] is _FORWARD:
            self._pop(None)
        self._log(call)

    def loader_next(self, call):
        """A DataLoader iterator's __next__ outside any stage but a forward (`opens_data`)."""
        if self.stack:
            self._pop(None)  # a forward that raised: the next batch proves it is over
        self._push(_DATA)
        self._log(call)

    def data_ends(self, call, failed=False):
        """The __next__ returned a batch or ran out (`call`: the recorder's loader_batch or
        loader_exhausted), or raised something else (`failed`: its end("data"))."""
        stack = self.stack
        if stack and stack[-1] is _DATA:
            self._pop(None)
        elif failed and _DATA in stack:
            self._pop(_DATA)
        self._log(call)

    def optimizer_built(self):
        self._log((self._rec.optimizer_built, self.clock(), None, ()))

    def _log(self, call):
        self.log.append(call)
        if call[1] >= self.due:
            self.flush()

    # ---- the stack: StepRecorder._push and _pop, less the accounting ---------------------------

    def _push(self, kind):
        stack = self.stack
        inside = bool(stack) and stack[-1] is _FORWARD
        stack.append(kind)
        if kind is _FORWARD:
            if not inside:
                self.on_forward_enter()
        elif inside:
            self.on_forward_exit()

    def _pop(self, through):
        """Ends the innermost stage; with `through`, every stage up to that one."""
        stack = self.stack
        inside = stack[-1] is _FORWARD
        while True:
            kind = stack.pop()
            if kind is _FORWARD:
                self.top_module = None
            if through is None or kind is through:
                break
        now_inside = bool(stack) and stack[-1] is _FORWARD
        if now_inside is not inside:
            (self.on_forward_enter if now_inside else self.on_forward_exit)()

    # ---- replay -------------------------------------------------------------------------------

    def flush(self):
        """Replays the log into the recorder (on the main thread only, never inside a replay: the
        sampler's signal handler may read the tag during one)."""
        if self._replaying or not self.log or self._get_ident() != self._main:
            return
        self._replaying = True
        try:
            on_time = not self.deferred  # calls logged while deferred get no device markers
            if self.deferred and self._replay_at_once_now():
                self.replay_at_once()
            self._rec.device_marks_on_time = on_time
            now, log = self._now, self.log
            for call, t, cpu, args in log:
                now[0] = t
                if cpu is not None:
                    now[1] = cpu
                call(*args)
            self._rec.device_marks_on_time = not self.deferred
        except Exception as exc:  # noqa: BLE001 - a failure here must only stop instrumentation
            self._on_failure(exc)
        finally:
            self.log.clear()
            self._replaying = False
            if self.deferred:
                self.due = self.clock() + REPLAY_AFTER_S

    def replay_at_once(self):
        """From now on each call is replayed as it is logged."""
        self.deferred = False
        self.due = _NOW

    def flush_now(self):
        """Replays the log, then sets the recorder's clocks to the present (for its own call: exit)."""
        self.flush()
        self._now[0], self._now[1] = self.clock(), self.cpu_clock()

    def tag(self, frame):
        """The sampler's stage for a sample at `frame`. Data, backward and optimizer are the live
        stack's; elsewhere the tag depends on what the recorder knows (a step is open, an
        evaluation pass runs): the recorder's, once the log is replayed; during a replay or from
        another thread, the live stack's stage with what the recorder knew last. With the stage
        hooks off, the frames' own."""
        windows = self.stage_windows
        if windows is not None and windows.paused and frame is not None:
            return stage_in_stack(frame, windows.codes)
        try:
            kind = self.stack[-1]
        except IndexError:  # empty, or emptied by the main thread meanwhile
            kind = None
        if kind is not None and kind is not _FORWARD:
            return kind
        if not self._replaying and self._get_ident() == self._main:
            self.flush()
            return self._rec.tag_at(self._rec.stage)
        return self._rec.tag_at(kind, live=True)
