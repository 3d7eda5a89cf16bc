"""Device-side stage times from CUDA events, without ever synchronizing.

At a stage's host start and end an event is recorded on the current CUDA stream; a step's events
are read with `Event.query()` (non-blocking) when later steps close, so a step reaches the host a
few steps late on CUDA. A stage's device time is the time the stream took from its start marker
to its end marker: kernels of that stage plus any idle gap while the host was still launching.
Work on other streams or other devices is not seen.
"""


class StageTimer:
    def __init__(self, torch):
        self._event = torch.cuda.Event
        self._marks = []  # [stage, start event, end event or None] of the current step

    def begin(self, stage):
        start = self._event(enable_timing=True)
        start.record()
        self._marks.append([stage, start, None])

    def end(self, stage):
        if self._marks and self._marks[-1][0] == stage and self._marks[-1][2] is None:
            end = self._event(enable_timing=True)
            end.record()
            self._marks[-1][2] = end

    def take(self):
        """The current step's marks; the next step starts with none."""
        marks, self._marks = self._marks, []
        return marks

    @staticmethod
    def ready(marks):
        return all(end is None or end.query() for _, _, end in marks)

    @staticmethod
    def resolve(marks):
        """Device ms per stage, for marks that are `ready`."""
        device = {}
        for stage, start, end in marks:
            if end is not None:
                device[stage] = device.get(stage, 0.0) + max(0.0, start.elapsed_time(end))
        return device or None


def probe(torch, on_cuda):
    """A device probe for StepRecorder: a StageTimer once this process has initialised CUDA
    itself (the runner never initialises it), after telling `on_cuda` once."""
    def check():
        if not torch.cuda.is_initialized():
            return None
        on_cuda()
        return StageTimer(torch)
    return check
