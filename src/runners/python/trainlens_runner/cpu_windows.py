"""Which DataLoader batches read the main thread's CPU clock (a step's `dataCpuMs`).

Reading a thread's CPU clock is a system call, and a contended core tends to switch to another task
right there: read at each batch, those switches pile up just outside the data stage, where the
runner keeps them (beside `yes` on one core, compute_bound.py's recorded data share read 0.05
against the loop's own 0.25-0.49; with no reads, the two agreed), and the two reads cost a fast
step 1-3 µs. So the clock is read in windows: from the first batch EVERY_S after the last window
ended, through two step boundaries (optimizer.step calls, or backward calls where no optimizer was
built), so that one whole step, all its micro-batches, is measured. A step with a batch read
outside a window reports no data CPU time; the findings take the share over the steps that do.
"""
UNREAD = -1.0  # a CPU time not read (a thread's CPU clock is never negative)
EVERY_S = 0.2


class CpuWindows:
    """State the hooks share: `on` while batches read the CPU clock, `due` when the next window
    opens, and the step boundaries counted since this one opened."""
    __slots__ = ("on", "due", "steps", "backwards", "optimizers")

    def __init__(self):
        self.on = False
        self.due = 0.0  # the first batch opens a window
        self.steps = self.backwards = 0
        self.optimizers = False  # an optimizer was built: its steps are the boundaries

    def open(self):
        self.on = True
        self.steps = self.backwards = 0

    @property
    def covered(self):
        """Two boundaries passed: a whole step was measured, and the window may close."""
        return (self.steps if self.optimizers else self.backwards) >= 2

    def close(self, t):
        self.on = False
        self.due = t + EVERY_S
