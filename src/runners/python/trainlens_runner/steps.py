"""Turns library calls into training steps and stages. Knows nothing of torch: the hooks in
torch_hooks.py call it with times from time.perf_counter, and tests drive it with a fake clock.

Steps
  With a DataLoader, each `__next__` of the iterator that started the current step ends that step
  and starts the next one, so steps tile the loop and their count and rate match what the script
  itself sees. The `__next__` that raises StopIteration starts no step. Another iterator's
  `__next__` before any compute joins the step (zip(loader_a, loader_b)); after compute it ends
  the step at its last stage. Without a DataLoader, a step ends when `optimizer.step` returns and
  the next one starts right then. A step left open by anything else (exit, another iterator, a
  stray forward before the first batch) is kept only if it ran backward or the optimizer, ending
  where its last stage ended: a crash at step N keeps exactly N steps. Samples per step are the
  leading dimension of the batch (or, without a DataLoader, of the top-level forward's input).

Stages (host time: what the Python main thread spent, wall clock)
  data       blocked in the DataLoader iterator's `__next__` (fetch, collate, pin, worker wait);
  forward    the top-level module call, hooks included (a loss module called at top level too);
  backward   Tensor.backward / torch.autograd.backward;
  optimizer  optimizer.step and zero_grad (optimizer's and Module's);
  other      the rest of the step: metrics, logging, `.to(device)`, Python glue.
  Stages do not nest: a forward inside backward (activation checkpointing) stays backward, a
  closure inside optimizer.step (LBFGS) stays optimizer, a module inside a data pipeline stays data.

  On CUDA, kernels run asynchronously: a host stage is the time to *launch* its kernels, and the
  wait for the GPU lands in whichever stage blocks on it, usually `other` (`.item()`, `.cpu()`, a
  blocking `.to(device)`, printing a loss, a GradScaler's inf check). Device time per stage comes
  from CUDA events recorded on the current stream at the stage's host start and end (cuda.py),
  read a few steps later without synchronizing: the span the stream took between those markers.
"""
from collections import deque

STAGES = ("data", "forward", "backward", "optimizer")
_DATA, _FORWARD, _BACKWARD, _OPTIMIZER = STAGES
# A CUDA step waits here until its events complete; past this many, it is sent without them.
_MAX_PENDING_DEVICE_STEPS = 64


class StepRecorder:
    def __init__(self, post, clock, origin, leading_dim, device_probe=None):
        self._post = post  # deque.append of the channel: cheap, never blocks
        self._clock = clock
        self._origin = origin
        self._leading_dim = leading_dim
        self._device_probe = device_probe  # returns a cuda.StageTimer once the run uses CUDA
        self.device = None
        self.tag = "none"  # stage for the line sampler: a stage, "other" inside a step, or "none"
        self.steps = 0
        self._pending = deque()  # (record, device marks) of CUDA steps whose events are not done
        self.stage = None  # the active stage, read by the forward hooks on every module call
        self.top_module = None  # the module whose call is the active forward
        self._stage_t0 = 0.0
        self._loader_seen = False
        self._discard_step()

    # ---- stages -------------------------------------------------------------------------------

    def begin(self, stage):
        """Enters a stage; False when another stage is active (then this call is part of it)."""
        if self.stage is not None:
            return False
        t = self._clock()
        if not self._open and not self._loader_seen:
            self._start_step(t, None)
        self.stage, self._stage_t0 = stage, t
        if self._open:
            self.tag = stage
            if self.device is not None and stage != _DATA:
                self.device.begin(stage)
        return True

    def end(self, stage, t=None):
        if self.stage != stage:
            return
        t = self._clock() if t is None else t
        if self._open:
            self._ms[stage] += t - self._stage_t0
            self._last_end = t
            if stage != _DATA:
                self._computed = True
                self._trained = self._trained or stage != _FORWARD
                if self.device is not None:
                    self.device.end(stage)
        self.stage = None
        self.tag = "other" if self._open else "none"

    def forward_begin(self, module, inputs):
        """A module call while no stage is active: the top-level forward. The hooks check
        `stage is None` themselves, so the many nested module calls cost them one comparison."""
        if self.begin(_FORWARD):
            self.top_module = module
            if self._open and self._samples is None and self._owner is None:
                self._samples = self._leading_dim(inputs)

    def forward_end(self):
        self.top_module = None
        self.end(_FORWARD)

    def optimizer_begin(self):
        self._end_stuck_forward()
        return self.begin(_OPTIMIZER)

    def optimizer_step_end(self):
        t = self._clock()
        self.end(_OPTIMIZER, t)
        if self._open and self._owner is None:
            self._close(t)
            self._start_step(t, None)

    # ---- DataLoader ---------------------------------------------------------------------------

    def loader_next(self, iterator):
        """Entry of a DataLoader iterator's __next__; False when it is part of another stage
        (a loader read inside a dataset, a closure inside optimizer.step)."""
        if self.stage is not None and self.stage != _FORWARD:
            return False
        t = self._clock()
        self._end_stuck_forward(t)
        self._loader_seen = True
        if self._open:
            if self._owner is iterator:
                self._close(t)
            elif self._owner is None or self._computed:
                self._close_foreign()
        if not self._open:
            self._start_step(t, iterator)
        self.begin(_DATA)
        return True

    def loader_batch(self, batch):
        self.end(_DATA)
        if self._open and self._samples is None:
            self._samples = self._leading_dim(batch)

    def loader_exhausted(self):
        self.end(_DATA)
        if self._open and not self._computed:
            self._discard_step()

    def finish(self):
        """At exit: ends whatever is open and sends every step still waiting for its device times."""
        if self.stage is not None:
            self.end(self.stage)
        if self._open:
            self._close_foreign()
        self._drain_pending(force=True)

    # ---- internals ----------------------------------------------------------------------------

    def _end_stuck_forward(self, t=None):
        # A forward that raised never reaches its post-hook; the next optimizer step or batch
        # proves it is over (neither runs inside a forward).
        if self.stage == _FORWARD:
            self.top_module = None
            self.end(_FORWARD, t)

    def _start_step(self, t, owner):
        self._open, self._t0, self._owner = True, t, owner
        self.tag = "other"
        if self.device is None and self._device_probe is not None:
            self.device = self._device_probe()

    def _discard_step(self):
        self._open, self._t0, self._owner, self._samples = False, 0.0, None, None
        self._ms = {_DATA: 0.0, _FORWARD: 0.0, _BACKWARD: 0.0, _OPTIMIZER: 0.0}
        self._computed = self._trained = False
        self._last_end = 0.0
        self.tag = "none"
        if self.device is not None:
            self.device.take()

    def _close_foreign(self):
        if self._trained:
            self._close(self._last_end)
        else:
            self._discard_step()

    def _close(self, t_end):
        ms = self._ms
        record = (self.steps, (self._t0 - self._origin) * 1000.0, (t_end - self._t0) * 1000.0, self._samples,
                  ms[_DATA] * 1000.0, ms[_FORWARD] * 1000.0, ms[_BACKWARD] * 1000.0, ms[_OPTIMIZER] * 1000.0, None)
        self.steps += 1
        marks = self.device.take() if self.device is not None else None
        self._discard_step()
        if marks is None:
            self._post(record)
        else:
            self._pending.append((record, marks))
            self._drain_pending(force=False)

    def _drain_pending(self, force):
        while self._pending:
            record, marks = self._pending[0]
            ready = self.device.ready(marks)
            if not (ready or force or len(self._pending) > _MAX_PENDING_DEVICE_STEPS):
                return
            self._pending.popleft()
            self._post(record[:-1] + (self.device.resolve(marks),) if ready else record)
