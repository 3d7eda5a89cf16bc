"""Turns library calls into training steps, stages and evaluation passes. Knows nothing of torch:
the hooks in torch_hooks.py log their calls with times from time.perf_counter and the main
thread's CPU clock (time.thread_time), which live_stages.py replays into it a little later, and
tests drive it with fake clocks.

Steps: what ends one, in order of precedence. An `anchor` event names the one found, with what was
seen, before the first step and again whenever that changes.
  dataloader  Training iterates a DataLoader: the iterator's `__next__` after the step's update
              ends the step and starts the next, so steps tile the loop and include their data
              loading. Several optimizers per batch (a GAN's optD and optG) make one step; several
              batches per optimizer step (gradient accumulation) make one step of `micro` batches.
              Another iterator's `__next__` before any compute joins the step (zip(a, b)); after
              compute it ends the step at its last stage.
  optimizer   No DataLoader drives training: a step is one round of optimizer steps, each optimizer
              at most once, so optD.step and optG.step make one step. It ends when the round's last
              optimizer.step returns, and the next starts right then. Which optimizer ends a round
              is learnt from the first: when an optimizer steps again, the step ends where the
              previous optimizer.step returned (so the first step is posted one step late).
  backward    No optimizer ever steps (parameters updated by hand: `p.data.add_(p.grad, ...)`): a
              backward() after a forward ends a step. While an optimizer exists that has not stepped
              yet, backward ends are held back (gradient accumulation waits for it); past _MAX_HELD
              of them, or at exit, the loop is taken to update by hand.
  none        None of these seen: no step is ever posted, never a made-up one (said at exit).
Forward+backward micro-batches before one update are gradient accumulation: `micro` = their count,
samples and tokens their sums. step(closure) (LBFGS) is one step and one micro-batch however often
the closure runs. An iteration whose optimizer.step a GradScaler skips (inf gradients, as fp16's
first steps have) joins the next step as a micro-batch. A step left open at exit or by another
loader is kept only if its update ran (a crash in step N keeps exactly N steps). Samples: the
batch's leading dimension (without a DataLoader, that of the micro-batch's first forward input);
with several optimizers per step and no DataLoader, the first micro-batch's only (a GAN's fakes are
not more data). Tokens: B×T when that first forward input is an integer [B, T] tensor (torch 1.13's
hooks see no keyword arguments: `model(input_ids=x)` counts none).

Evaluation: a top-level forward under no_grad/inference_mode, or of a module in eval mode, outside a
step that already trained, starts an evaluation run that lasts until the next training call. The run
is an evaluation pass (one `eval` event: t, ms, batches, samples; its time cut out of the step it fell
in) when its first module ran more than once, or trains next, or the run lasted until exit, or it ran
without gradients, before anything else in its step, a module that has trained (a prediction after
each step). Else it was part of training (a distillation teacher, a GAN's fakes made under no_grad,
a model kept in eval mode to freeze batch norm) and its time is the step's forward. Samples taken
while a run is known to be a pass (it has run twice) are tagged "none".

Stages (host time: what the Python main thread spent, wall clock). Stages nest; the innermost known
stage wins and each counts only its own time:
  data       blocked in the DataLoader iterator's `__next__` (fetch, collate, pin, worker wait). Its
             main-thread CPU time is `dataCpuMs`: near `data` when loading computes in this process,
             near 0 when it waits (workers, disk, sleep), whatever torch's own threads do;
  forward    a top-level module call, hooks included (a loss module at top level too), also inside
             an optimizer's closure and inside backward (activation checkpointing recomputes it);
  backward   Tensor.backward / torch.autograd.backward, also inside a closure;
  optimizer  optimizer.step and zero_grad (optimizer's and Module's), less what a closure runs;
  other      the rest of the step: metrics, logging, `.to(device)`, Python glue.
  A module called inside the data stage (a transform module in a Dataset) stays data: it prepares
  input, it runs in the workers anyway once num_workers > 0, and its input is one sample, not the
  batch the step trains on.
The sampler's tag is the innermost stage, "other" elsewhere in a step, "startup" before the first
step starts and "none" outside steps after it.

  On CUDA, kernels run asynchronously: a host stage is the time to *launch* its kernels, and the
  wait for the GPU lands in whichever stage blocks on it, usually `other` (`.item()`, `.cpu()`, a
  blocking `.to(device)`, printing a loss, a GradScaler's inf check). Device time per stage comes
  from CUDA events recorded on the current stream at the stage's host start and end (cuda.py),
  read a few steps later without synchronizing: the span the stream took between those markers.
  A step posted one step late takes the device marks made until then.
"""
from functools import partial
from operator import getitem

from .stage_windows import HEAD_STEPS, OTHER_KIND_RETRY_S, PAUSE_UNDER_S, RETRY_S, WINDOW_STEPS
from .step_records import STAGES, Segment, StepPoster

_DATA, _FORWARD, _BACKWARD, _OPTIMIZER = STAGES
_EVAL = "eval"  # on the stage stack: a forward whose time is its evaluation run's until decided
_DEVICE_STAGES = (_FORWARD, _BACKWARD, _OPTIMIZER)
# Backward ends held back while an optimizer exists but has not stepped: beyond any real
# gradient accumulation factor, small to keep in memory.
_MAX_HELD = 128
_UPDATE, _EXIT = object(), object()  # what ends an evaluation run, besides a training forward


class _EvalRun:
    __slots__ = ("t0", "end", "module", "iterator", "first", "grad", "fresh", "batches", "samples", "forward_ms")

    def __init__(self, t0, module, iterator, first, grad, fresh):
        self.t0 = self.end = t0
        self.module, self.iterator, self.first = module, iterator, first  # first: (samples, tokens)
        self.grad = grad  # its first forward ran with gradients on
        self.fresh = fresh  # nothing computed in the step before it
        self.batches, self.samples, self.forward_ms = 0, 0, 0.0


class StepRecorder:
    def __init__(self, post, clock, origin, leading_dim, tokens, cpu_clock, device_probe=None):
        self._post = post  # deque.append of the channel: cheap, never blocks
        self._poster = StepPoster(post, origin)
        self._clock = clock
        self._cpu_clock = cpu_clock
        self._origin = origin
        self._leading_dim = leading_dim
        self._tokens = tokens
        self._device_probe = device_probe  # returns a cuda.StageTimer once the run uses CUDA
        self.device = None
        self.device_marks_on_time = True  # False while replaying calls logged a while ago
        self.pending = None  # the hooks' calls not replayed yet (live_stages.LiveStages), once they log them
        # What the hooks decide from (live_stages.LiveStages keeps the same live when it logs).
        self.top_module = None  # the module whose call is the innermost forward
        self.stage = None  # the innermost stage
        self._stack = []
        self._stage_t0 = self._cpu0 = 0.0
        self._backward_top = False  # the running backward is not inside another stage
        self._seg = None  # the open step's current segment; None when no step is open
        self._held = []  # its earlier segments
        self._mb = None  # the micro-batch in progress: [samples, tokens, trained, forward seen]
        self._fetching = None  # the iterator of the latest __next__
        self._eval = None
        self._started = self._loader_steps = False
        self._optimizer_built = self._optimizer_stepped = self._gave_up_waiting = self._saw_backward = False
        self._closer = None  # id() of the optimizer whose step ends a round
        self._trains = set()  # id() of each module whose forward trained
        self._simple = 0  # steps of one plain shape closed in a row since the stage hooks last resumed (gap_anchor)
        self._broken = False  # the last step closed was not of that shape (an untimed one does not count)

    @property
    def steps(self):
        if self.pending is not None:
            self.pending.flush()
        return self._poster.steps

    def replay_through(self, live, now, leading_dim, tokens):
        """From now on the hooks call `live` (live_stages.LiveStages), which calls this recorder
        back with the times it logged in `now` ([wall, CPU]), and with a shape it logged in place
        of each batch or inputs (a log must not keep tensors alive), which `leading_dim` and
        `tokens` read. Returns the real clocks, for `live`."""
        clocks = self._clock, self._cpu_clock
        self._clock, self._cpu_clock = partial(getitem, now, 0), partial(getitem, now, 1)
        self._leading_dim, self._tokens = leading_dim, tokens
        self.pending = live
        return clocks

    @property
    def opens_forward(self):
        """A module call now starts a forward."""
        stage = self.stage
        return stage is None or stage is _BACKWARD or stage is _OPTIMIZER

    def tag(self, frame):
        """The sampler's stage for a sample of the main thread at `frame`, worked out when the
        sampler reads it (far less often than stages change); from `stage`, one attribute, as the
        sampler may read it from another thread."""
        if self.pending is not None:
            return self.pending.tag(frame)
        return self.tag_at(self.stage)

    def tag_at(self, stage, live=False):
        """The tag when `stage` is the innermost; `live`: a stage of the hooks' live stack, where a
        forward may be an evaluation forward."""
        run = self._eval
        if live and stage is _FORWARD and run is not None:
            stage = _EVAL
        if run is not None and run.batches > 1 and (stage is None or stage is _EVAL):
            return "none"  # an evaluation pass, past doubt
        if stage is _EVAL:
            return _FORWARD
        if stage is not None:
            return stage
        return "other" if self._seg is not None else "none" if self._started else "startup"

    # ---- hooks --------------------------------------------------------------------------------

    def forward_begin(self, module, inputs, training, grad):
        """A module call while `opens_forward`, or a call of the top module itself (its last forward
        raised: forward hooks never see a forward end by an exception). `training`: the module's
        mode; `grad`: gradients are on (not under no_grad or inference_mode)."""
        t = self._clock()
        stack = self._stack
        if stack and (stack[-1] is _FORWARD or stack[-1] is _EVAL):
            self._pop(t)
        if not stack:
            seg = self._seg
            if not (training and grad) and (seg is None or not seg.trained):
                return self._eval_forward(module, inputs, t, grad)
            if self._eval is not None:
                self._end_eval(module, t)
            if self._seg is None and not self._loader_steps:
                self._start_step(t, None)
        self.top_module = module
        self._push(_FORWARD, t)
        if self._seg is not None and (len(stack) == 1 or stack[-2] is _OPTIMIZER):
            self._trains.add(id(module))
            mb = self._mb
            if mb is None:
                if self._seg.owner is None:
                    self._mb = [self._leading_dim(inputs), self._tokens(inputs), False, True]
            elif not mb[3]:
                mb[1], mb[3] = self._tokens(inputs), True

    def forward_end(self):
        stack = self._stack
        if stack and (stack[-1] is _FORWARD or stack[-1] is _EVAL):
            self._pop(self._clock())

    def backward_begin(self):
        if self.stage is _BACKWARD:  # Tensor.backward calls torch.autograd.backward
            return False
        t = self._clock()
        self._backward_top = not self._stack
        if self._backward_top and (self._eval is not None or self._seg is None):
            self._update_begins(t)
        self._push(_BACKWARD, t)
        return True

    def backward_end(self):
        if _BACKWARD not in self._stack:
            return
        t = self._clock()
        self._pop(t, _BACKWARD)
        self._saw_backward = True
        seg, mb = self._seg, self._mb
        if seg is None:
            return
        seg.trained = True
        if not self._backward_top or mb is None:
            return
        if seg.owner is not None:
            mb[2] = True
            return
        # No DataLoader: a micro-batch ends; without an optimizer it is the step's update.
        seg.micro.append((mb[0], mb[1]))
        self._mb = None
        if self._optimizer_stepped:
            return
        if self._by_backward():
            self._close(t)
            self._start_step(t, None)
        else:
            self._hold(t)

    def zero_grad_begin(self):
        stage = self.stage
        if stage is _OPTIMIZER:  # inside optimizer.step's closure, or one zero_grad calling another
            return False
        t = self._clock()
        if stage is _FORWARD or stage is _EVAL or self._eval is not None or self._seg is None:  # else nothing to do
            self._update_begins(t)
        self._push(_OPTIMIZER, t)
        return True

    def zero_grad_end(self):
        if _OPTIMIZER in self._stack:
            self._pop(self._clock(), _OPTIMIZER)

    def optimizer_built(self):
        self._optimizer_built = True

    def optimizer_begin(self, optimizer):
        stage = self.stage
        if stage is _OPTIMIZER:  # an optimizer stepping another (Lookahead): one update
            return False
        t = self._clock()
        if stage is _FORWARD or stage is _EVAL or self._eval is not None or self._seg is None:  # else nothing to do
            self._update_begins(t)
        seg, key = self._seg, id(optimizer)
        if self._held and seg is not None and seg.owner is None and any(key in held.stepped for held in self._held):
            # This optimizer already stepped in this step: the step ended at the last update.
            self._closer = self._held[-1].stepped[-1]
            self._close_held()
        self._optimizer_stepped = True
        self._push(_OPTIMIZER, t)
        return True

    def optimizer_end(self, optimizer, closure):
        if _OPTIMIZER not in self._stack:
            return
        t = self._clock()
        self._pop(t, _OPTIMIZER)
        seg, mb = self._seg, self._mb
        if seg is None:
            return
        seg.trained = True
        seg.stepped.append(id(optimizer))
        if closure:
            seg.closure = type(optimizer).__name__
        if seg.owner is not None:
            if mb is not None:
                mb[2] = True
            return
        if mb is not None:  # a closure's forward and backward
            seg.micro.append((mb[0], mb[1]))
            self._mb = None
        if id(optimizer) == self._closer:
            self._close(t)
            self._start_step(t, None)
        else:
            self._hold(t)

    def loader_next(self, iterator):
        """Entry of a DataLoader iterator's __next__; False when it is part of another stage
        (a loader read inside a dataset, inside optimizer.step's closure)."""
        stage = self.stage
        if stage is not None and stage is not _FORWARD and stage is not _EVAL:
            return False
        # The CPU clock first: on a contended core the process is often switched out inside that
        # very call (measured: most of the wall time of a loop of them, beside `yes` on one core),
        # and that wait must fall outside the data stage's wall interval, as it does at its end.
        cpu0 = self._cpu_clock()
        t = self._clock()
        if stage is not None:
            self._pop(t)  # a forward that raised: the next batch proves it is over
        seg = self._seg
        if seg is not None:
            if seg.owner is iterator:
                mb = self._mb
                if mb is not None and mb[2]:  # the last batch's micro-batch trained
                    seg.micro.append((mb[0], mb[1]))
                if seg.stepped or (seg.trained and self._by_backward()):
                    self._close(t)
                elif seg.trained and not self._optimizer_stepped:
                    self._hold(t)
            elif seg.owner is None or seg.computed or self._eval is not None or self._held:
                self._abandon()
            else:
                seg.mixed = True  # zip(a, b): never paused, as another iterator's batch is part of the step
        if self._seg is None:
            self._start_step(t, iterator)
        if self._seg.owner is iterator:
            self._mb = [None, None, False, False]
        self._fetching = iterator
        self._push(_DATA, t)
        self._cpu0 = cpu0
        return True

    def loader_batch(self, batch):
        t = self._clock()
        if self.stage is _DATA:
            self._pop(t)
        run = self._eval
        if run is not None and run.iterator is self._fetching:
            run.end = t  # an evaluation pass over a DataLoader includes its loading
        mb = self._mb
        if mb is not None and mb[0] is None:
            mb[0] = self._leading_dim(batch)

    def loader_exhausted(self):
        self._data_ends(self._clock())
        seg = self._seg
        if seg is not None and not seg.computed and not self._held:
            self._discard_step()

    def end(self, stage):
        """Ends `stage` and whatever it left open, when a call raised."""
        if stage in self._stack:
            self._pop(self._clock(), stage)

    # ---- steps while the stage hooks are off (stage_windows.py) ---------------------------------

    def gap_anchor(self, at_batch, untimed):
        """(what alone may end steps from now on or None, if None in how many seconds to ask
        again): right after a step boundary was replayed (`at_batch`: a DataLoader batch arrived,
        else an optimizer stepped), the DataLoader iterator, or the optimizer's id(), whose call
        ends this loop's steps, when its last WINDOW_STEPS steps kept one plain shape and were
        fast. The step just begun is then untimed, and the hooks post the untimed steps
        themselves from `untimed` (stage_windows.StageWindows: the next index, the open step's
        start and samples) until they hand it back (gap_resumed, gap_interrupted, gap_exhausted,
        gap_left)."""
        seg, mb = self._seg, self._mb
        if (seg is not None and seg.owner is not None or self._loader_steps) is not at_batch:
            return None, OTHER_KIND_RETRY_S
        if (seg is None or seg.computed or self._stack or self._held or self._eval is not None or self.device is not None
                or self._poster.steps < HEAD_STEPS):
            return None, RETRY_S
        if self._simple < WINDOW_STEPS:
            return None, RETRY_S if self._broken else 0.0
        if at_batch and mb is not None and mb[0] is not None:
            anchor, untimed.samples = seg.owner, mb[0]
        elif not at_batch and mb is None and self._closer is not None:
            anchor, untimed.samples = self._closer, None
        else:
            return None, RETRY_S
        seg.staged, self._mb = False, None
        untimed.index, untimed.t0 = self._poster.steps, seg.t0
        return anchor, None

    def untimed_sink(self):
        """(post, origin): where the hooks post untimed steps, and the clock's origin."""
        return self._poster.post_fn, self._origin

    def post_untimed_steps(self, index, t0, samples, marks):
        """Posts a DataLoader gap's untimed steps, from `index` (step_records.UntimedSteps)."""
        self._poster.post_untimed_steps(index, t0, samples, marks)

    def gap_resumed(self, by_loader, index):
        """The hooks are back at a step boundary, having posted the steps before `index`; the next
        starts now after an optimizer's step, or with the batch they log next (`by_loader`)."""
        self._untimed_done(index)
        if not by_loader:
            self._start_step(self._clock(), None)

    def gap_exhausted(self, index):
        """The DataLoader ran out: the step begun at that __next__ never was one."""
        self._untimed_done(index)

    def gap_interrupted(self, samples, index, t0):
        """A call the untimed steps' anchor cannot place (an evaluation's model.eval(), another
        iterator or optimizer...), the hooks back on from now, having posted the steps before
        `index`; the open one began at `t0`. In a DataLoader loop it ends here: its batch trained,
        as every batch of the window did (`samples`: None while the batch has not arrived, and then
        there was no step). Otherwise it goes on untimed, its update to come, and the calls from
        now on count in it as in a step that had done nothing yet: an evaluation pass at the top
        of the loop (nanoGPT, pytorch/examples) is found as with the hooks on."""
        seg = self._seg
        self._poster.steps, seg.t0, seg.last_end = index, t0, t0
        if seg.owner is None:
            return
        if samples is not None:
            self._poster.post_untimed(t0, self._clock(), samples)
        self._untimed_done(self._poster.steps)

    def gap_left(self, index, t0):
        """The hooks were taken off for good in a gap: the open untimed step stays open (and is
        dropped at exit: whether its update ran is not known)."""
        self._poster.steps, self._seg.t0, self._seg.last_end = index, t0, t0

    def _untimed_done(self, index):
        self._poster.steps = index
        self._seg = self._mb = None
        self._simple, self._broken = 0, False

    # ---- the end ------------------------------------------------------------------------------

    def finish(self):
        """At exit: ends whatever is open, sends every step still waiting for its device times,
        and says so when no step was recognised."""
        if self.pending is not None:
            self.pending.flush_now()
        t = self._clock()
        while self._stack:
            self._pop(t)
        if self._eval is not None:
            self._end_eval(_EXIT, t)
        if self._seg is not None:
            if self._seg.staged:
                self._abandon()
            else:
                self._discard_step()  # untimed: whether its update ran is not known
        self._poster.say_none(trained=self._saw_backward or self._optimizer_stepped)
        if self.device is not None:
            self._poster.drain(self.device, force=True)

    # ---- stages -------------------------------------------------------------------------------

    # Stage changes run a few times per step, cold after torch's work: they keep calls few.

    def _push(self, stage, t):
        stack, seg, device = self._stack, self._seg, self.device
        if stack:
            outer = stack[-1]
            if outer is _EVAL:
                self._eval.forward_ms += t - self._stage_t0
            elif seg is not None:
                seg.ms[outer] += t - self._stage_t0
                if device is not None and outer in _DEVICE_STAGES:
                    device.end(outer)
        stack.append(stage)
        self._stage_t0 = t
        self.stage = stage
        if device is not None and seg is not None and stage in _DEVICE_STAGES:
            device.begin(stage)

    def _pop(self, t, through=None):
        """Ends the innermost stage; with `through`, every stage up to that one (a call that raised
        leaves the stages inside it open). Returns the last stage ended."""
        stack, seg, device = self._stack, self._seg, self.device
        while True:
            stage = stack.pop()
            if stage is _EVAL:
                run = self._eval
                if run is not None:
                    run.forward_ms += t - self._stage_t0
                    run.end = t
                self.top_module = None
            elif seg is not None:
                seg.ms[stage] += t - self._stage_t0
                seg.last_end = t
                if stage is _DATA:
                    if seg.cpu is not None:
                        cpu = self._cpu_clock()
                        # A batch read outside the hooks' CPU windows (cpu_windows.py) leaves the step unmeasured.
                        seg.cpu = seg.cpu + cpu - self._cpu0 if cpu >= 0.0 and self._cpu0 >= 0.0 else None
                else:
                    seg.computed = True
                    if stage is _FORWARD:
                        self.top_module = None
                    if device is not None:
                        device.end(stage)
                        if stack and stack[-1] in _DEVICE_STAGES:
                            device.begin(stack[-1])
            elif stage is _FORWARD:
                self.top_module = None
            self._stage_t0 = t
            if through is None or stage is through:
                break
        self.stage = stack[-1] if stack else None
        return stage

    def _data_ends(self, t):
        if self.stage is _DATA:
            self._pop(t)
        run = self._eval
        if run is not None and run.iterator is self._fetching:
            run.end = t  # an evaluation pass over a DataLoader includes its loading

    def _update_begins(self, t):
        """A backward or optimizer call: training goes on. A forward that raised never reaches its
        post-hook; an optimizer call proves it is over."""
        stage = self.stage
        if stage is _FORWARD or stage is _EVAL:
            self._pop(t)
        if self._stack:
            return
        if self._eval is not None:
            self._end_eval(_UPDATE, t)
        if self._seg is None and not self._loader_steps:
            self._start_step(t, None)

    # ---- evaluation ---------------------------------------------------------------------------

    def _eval_forward(self, module, inputs, t, grad):
        run, seg = self._eval, self._seg
        samples = self._leading_dim(inputs)
        if run is None:
            fresh = seg is None or not seg.computed
            # Over a DataLoader whose batch was all this step did so far, the pass starts with it.
            loading = fresh and seg is not None and seg.owner is not None
            run = self._eval = _EvalRun(seg.t0 if loading else t, module, seg.owner if loading else None,
                                        (samples, self._tokens(inputs)), grad, fresh)
        if module is run.module:
            run.batches += 1
            run.samples += samples or 0
        self.top_module = module
        self._push(_EVAL, t)

    def _end_eval(self, trigger, t):
        run, self._eval = self._eval, None
        seg = self._seg
        # One forward is a pass when the model that trains next ran it, or when, with gradients
        # off, a model that trains ran it before this step did anything (a prediction after each
        # step); not a teacher's forward, a GAN's no_grad fakes or a frozen-BN model's.
        if (trigger is _EXIT or run.batches > 1 or trigger is run.module
                or (trigger is _UPDATE and run.fresh and not run.grad and id(run.module) in self._trains)):
            self._post({"type": "eval", "t": round((run.t0 - self._origin) * 1000.0, 3),
                        "ms": round((run.end - run.t0) * 1000.0, 3), "batches": run.batches, "samples": run.samples or None})
            if seg is not None and run.end > seg.t0:
                seg.cut += run.end - max(run.t0, seg.t0)
        else:
            if seg is None and not self._loader_steps:
                self._start_step(run.t0, None)
                seg = self._seg
            if seg is not None:
                seg.ms[_FORWARD] += run.forward_ms
                seg.computed = True
                if run.grad:
                    self._trains.add(id(run.module))
                mb = self._mb
                if mb is None and seg.owner is None:
                    self._mb = [run.first[0], run.first[1], False, True]
                elif mb is not None and not mb[3]:
                    mb[1], mb[3] = run.first[1], True

    # ---- steps --------------------------------------------------------------------------------

    def _by_backward(self):
        """Steps end at backward(): no optimizer has stepped, and none exists or waiting gave up."""
        return not self._optimizer_stepped and (not self._optimizer_built or self._gave_up_waiting)

    def _start_step(self, t, owner):
        self._seg = Segment(t, owner)
        self._started = True
        if self.device is None and self._device_probe is not None and self.device_marks_on_time:
            self.device = self._device_probe()

    def _hold(self, t):
        """Ends the current segment at `t` without knowing yet whether the step ends there."""
        seg = self._seg
        seg.t1 = t
        self._held.append(seg)
        self._seg = Segment(t, seg.owner)
        if len(self._held) > _MAX_HELD and not self._optimizer_stepped:
            self._give_up_waiting()

    def _give_up_waiting(self):
        # No optimizer came: each held segment was a step updated by hand.
        self._gave_up_waiting = True
        held, self._held = self._held, []
        for seg in held:
            self._post_step([seg], seg.t1)

    def _close_held(self):
        held, self._held = self._held, []
        self._post_step(held, held[-1].t1)

    def _abandon(self):
        """The open step ends by something other than its own end (exit, another loader)."""
        seg, mb = self._seg, self._mb
        if seg.owner is not None and mb is not None and mb[2]:
            seg.micro.append((mb[0], mb[1]))
        self._mb = None
        if self._held:
            if not self._optimizer_stepped:
                self._give_up_waiting()
            elif self._closer is None:
                self._close_held()
            else:
                self._held = []  # its round never finished
        if seg.owner is not None and (seg.stepped or (seg.trained and self._by_backward())):
            self._close(seg.last_end)
        else:
            self._discard_step()

    def _discard_step(self):
        self._seg, self._held, self._mb = None, [], None
        self._simple = 0
        if self.device is not None:
            self.device.take()

    def _close(self, t_end):
        segs = self._held + [self._seg] if self._held else [self._seg]
        self._seg, self._held = None, []
        first = segs[0]
        plain = (len(segs) == 1 and first.staged and not first.mixed and not first.cut and len(first.micro) == 1
                 and (first.owner is not None or first.stepped == [self._closer]) and t_end - first.t0 < PAUSE_UNDER_S)
        self._simple = self._simple + 1 if plain else 0
        self._broken = not plain and first.staged
        # The caller starts the next step, or discards; _post_step's body, once a step.
        self._poster.post(segs, t_end, self.device)
        if segs[0].owner is not None:
            self._loader_steps = True

    def _post_step(self, segs, t_end):
        self._simple, self._broken = 0, True
        self._poster.post(segs, t_end, self.device)
        if segs[0].owner is not None:
            self._loader_steps = True
