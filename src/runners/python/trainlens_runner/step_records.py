"""What a step is made of and how a finished one becomes events: its record (a tuple, cheap to build
on the main thread; channel.py encodes it) or, for a DataLoader gap's untimed steps, one UntimedSteps
for them all, the `anchor` event whenever what delimits steps changes,
and the wait for a CUDA step's device times. steps.py decides where steps begin and end."""
from collections import deque

STAGES = ("data", "forward", "backward", "optimizer")
_DATA, _FORWARD, _BACKWARD, _OPTIMIZER = STAGES
# The rest of an untimed step's record (stage_windows.py): no stages, device times, tokens, micro-batches or data CPU time.
UNTIMED = (None,) * 8


class UntimedSteps:
    """A DataLoader gap's untimed steps in one queue item, posted at its end (stage_windows.py):
    step `index` began at `t0` with `samples`; `marks` holds each later boundary's time, which ends
    a step and starts the next, then that next step's batch size. channel.py formats them all at
    once; `records()` are the same steps as step tuples."""
    __slots__ = ("index", "t0", "samples", "marks", "origin")

    def __init__(self, index, t0, samples, marks, origin):
        self.index, self.t0, self.samples, self.marks, self.origin = index, t0, samples, marks, origin

    def __len__(self):
        return (len(self.marks) + 1) // 2

    def spans(self):
        """(index, start, end, samples) of each step."""
        marks = self.marks
        ends = marks[0::2]
        return zip(range(self.index, self.index + len(ends)), (self.t0,) + ends[:-1], ends, (self.samples,) + marks[1::2])

    def records(self):
        origin = self.origin
        return [(index, (t0 - origin) * 1000.0, (t - t0) * 1000.0, samples) + UNTIMED for index, t0, t, samples in self.spans()]


# A CUDA step waits here until its events complete; past this many, it is sent without them.
_MAX_PENDING_DEVICE_STEPS = 64


class Segment:
    """A step, or the part of one since the last point where it might have ended (steps.py holds
    such parts back until it knows)."""
    __slots__ = ("t0", "t1", "owner", "ms", "cpu", "cut", "micro", "stepped", "closure", "trained", "computed", "last_end",
                 "staged", "mixed")

    def __init__(self, t0, owner):
        self.t0, self.t1, self.owner = t0, None, owner  # owner: the DataLoader iterator driving it
        self.ms = {_DATA: 0.0, _FORWARD: 0.0, _BACKWARD: 0.0, _OPTIMIZER: 0.0}  # seconds per stage
        self.cpu = self.cut = 0.0  # data-stage CPU seconds (None: not measured); evaluation time cut out
        self.micro = []  # (samples, tokens) of each micro-batch that trained
        self.stepped = []  # id() of each optimizer stepped
        self.closure = None  # class name of an optimizer stepped with a closure
        self.trained = self.computed = False
        self.last_end = t0
        self.staged = True  # False: (part of) it ran with the stage hooks off (stage_windows.py), its stages unknown
        self.mixed = False  # another iterator's batch joined it


class StepPoster:
    def __init__(self, post, origin):
        self._post = post  # deque.append of the channel: cheap, never blocks
        self._origin = origin
        self.steps = 0
        self._pending = deque()  # (record, device marks) of CUDA steps whose events are not done
        self._anchor = None  # the anchor last sent
        self._shape = (1, None, 0)  # the most optimizers per step, a closure's optimizer, micro-batches once seen

    def post(self, segs, t_end, device):
        """Sends the step made of `segs` (in order), ended at `t_end`."""
        first = segs[0]
        if len(segs) == 1:
            ms, cpu, cut, micro, stepped, closure = first.ms, first.cpu, first.cut, first.micro, first.stepped, first.closure
        else:
            ms = {stage: sum(s.ms[stage] for s in segs) for stage in STAGES}
            cpu = None if any(s.cpu is None for s in segs) else sum(s.cpu for s in segs)
            cut = sum(s.cut for s in segs)
            micro = [m for s in segs for m in s.micro]
            stepped = [o for s in segs for o in s.stepped]
            closure = next((s.closure for s in segs if s.closure), None)
        optimizers = len(stepped) if len(stepped) < 2 else len(set(stepped))
        if first.owner is None and optimizers > 1:
            micro = micro[:1]  # a GAN's fakes are not more data
        anchor = "dataloader" if first.owner is not None else "optimizer" if optimizers else "backward"
        if anchor is not self._anchor or optimizers > self._shape[0] or closure or len(micro) > 1:
            self._say_anchor(anchor, optimizers, closure, len(micro))  # it may have changed
        if len(micro) == 1:  # most steps: no sums to make
            samples, tokens = micro[0]
        else:
            samples = sum(m[0] for m in micro if m[0]) or None
            tokens = sum(m[1] for m in micro if m[1]) or None
        head = (self.steps, (first.t0 - self._origin) * 1000.0, (t_end - first.t0 - cut) * 1000.0, samples)
        micro_count = len(micro) if len(micro) > 1 else None
        if all(s.staged for s in segs):
            record = head + (ms[_DATA] * 1000.0, ms[_FORWARD] * 1000.0, ms[_BACKWARD] * 1000.0, ms[_OPTIMIZER] * 1000.0, None,
                             tokens, micro_count, cpu * 1000.0 if ms[_DATA] and cpu is not None else None)
        else:  # its time only: channel.py sends it with no stages
            record = head + (None, None, None, None, None, tokens, micro_count, None)
        self.steps += 1
        marks = device.take() if device is not None else None
        if marks is None:
            self._post(record)
        else:
            self._pending.append((record, marks))
            self.drain(device, force=False)

    @property
    def post_fn(self):
        return self._post

    def post_untimed_steps(self, index, t0, samples, marks):
        """Sends a DataLoader gap's untimed steps (UntimedSteps), `marks` a tuple."""
        self._post(UntimedSteps(index, t0, samples, marks, self._origin))

    def post_untimed(self, t0, t_end, samples):
        """Sends a step whose stages were not timed (stage_windows.py), the loop's shape unchanged
        since its last timed step."""
        self._post((self.steps, (t0 - self._origin) * 1000.0, (t_end - t0) * 1000.0, samples) + UNTIMED)
        self.steps += 1

    def drain(self, device, force):
        """Sends the waiting CUDA steps whose events completed (all of them when `force`)."""
        while self._pending:
            record, marks = self._pending[0]
            ready = device.ready(marks)
            if not (ready or force or len(self._pending) > _MAX_PENDING_DEVICE_STEPS):
                return
            self._pending.popleft()
            self._post(record[:8] + (device.resolve(marks),) + record[9:] if ready else record)

    def say_none(self, trained):
        """At exit, when no step was posted: steps were not recognised, and what was seen."""
        if self._anchor is None:
            seen = "no training step completed" if trained else "no backward() or optimizer.step() seen"
            self._post({"type": "anchor", "anchor": "none", "detail": seen + ": showing time by line only"})

    def _say_anchor(self, anchor, optimizers, closure, micro):
        # What the detail names only grows (the most optimizers, a closure, accumulation), so a
        # loop whose steps vary (a critic stepped more often than its generator) says it once.
        most, closure_seen, accumulation = self._shape
        if anchor is self._anchor and optimizers <= most and not (closure and not closure_seen) and not (micro > 1 and not accumulation):
            return
        shape = (max(most, optimizers), closure_seen or closure, accumulation or (micro if micro > 1 else 0))
        self._anchor, self._shape = anchor, shape
        seen = {"dataloader": ["steps start at a DataLoader batch"], "optimizer": ["steps end at optimizer.step()"],
                "backward": ["no optimizer.step(): steps end at backward()"]}[anchor]
        if anchor == "dataloader" and not optimizers:
            seen.append("no optimizer.step(): updated by hand")
        if shape[0] > 1:
            seen.append("%d optimizers per step" % shape[0])
        if shape[1]:
            seen.append("%s.step with a closure" % shape[1])
        if shape[2]:
            seen.append("gradient accumulation: %d micro-batches per step" % shape[2])
        self._post({"type": "anchor", "anchor": anchor, "detail": "; ".join(seen)})
