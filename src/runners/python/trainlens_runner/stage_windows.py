"""Which steps have their stages timed: on a fast loop, a sample of them.

Each stage hook is a Python call around torch's, and on a step of a fraction of a millisecond
their cost shows: four pass-through wrappers alone (zero_grad, forward, backward, step) cost a
fast_steps.py step 6-7 µs of main-thread time after torch's work left the caches cold, timed and
logged ones 13, and with the recorder's replay, 22. So once the loop's shape is known, the stage
hooks are taken off between short windows: the window times WINDOW_STEPS whole steps, then for
GAP_S only the one call that ends a step stays hooked (the DataLoader iterator's __next__, or the
optimizer.step that ends a round), and each step is posted with its time and no stages. The next
window opens at the first step boundary after the gap. So the stage table, the stage findings and
each hot line's stage come from the windows' steps, and every step's time from all of them.

Only loops that keep one shape pause (steps.py's StepRecorder.gap_anchor decides): one batch per
step, no evaluation pass inside the window, no second iterator read in a step, one optimizer
ending each round; and only steps shorter than PAUSE_UNDER_S, where the hooks' cost is worth
saving. A run's first HEAD_STEPS steps are all timed. Runs on CUDA or across ranks never pause:
their stage boundaries must be marked as they happen (device markers, collectives).

During a gap, anything the anchor alone cannot place (another iterator or DataLoader, another
optimizer, a new one built, the loader running out) opens a window at once (TorchHooks.interrupt);
the sampler takes a sample's stage from the main thread's frames there (stage_in_stack).
"""
WINDOW_STEPS = 2
# A window costs the main thread ~0.45-0.75 ms whatever the step time (the hooks put back and taken
# off, two timed steps and the log's replay, all with cold caches: a DataLoader loop of ~0.4 ms
# steps), so the gap sets its share of the loop: ~1 µs a step at 0.25 s (0.7-1.4 in 18 runs), 1.9-2.4
# at 0.1 s. Four windows a second still time ~480 steps a minute for the stage table, besides a
# run's first HEAD_STEPS, all timed.
GAP_S = 0.25
PAUSE_UNDER_S = 0.01
HEAD_STEPS = 200
# A boundary where the loop cannot pause yet (its first steps, a step broken by an evaluation pass)
# asks again this much later; one of the other kind (an optimizer's step in a DataLoader loop), this.
RETRY_S = 0.05
OTHER_KIND_RETRY_S = 1.0
# StageWindows.samples while the open step's batch has not arrived (its size is not marked yet).
FETCHING = object()


class StageWindows:
    """State the hooks share: `paused` while the stage hooks are off, `anchor` (the iterator, or
    the optimizer, whose call ends a step meanwhile; None while the hooks are on) and `by_loader`
    (it is an iterator), when the gap ends (`resume_at`), and when a batch's or an optimizer step's
    boundary may next try to pause (`try_batch_at`, `try_step_at`). While paused, the hooks post
    the untimed steps themselves: `index` is the next one's, `t0` the open one's start, `samples`
    its batch size in a DataLoader loop (None until its batch arrives, FETCHING while it is read);
    in a DataLoader's gap, `marks` holds what comes after them until the gap ends: each boundary's
    time, then its batch's size. `skip_tries`: how many of the anchor's boundaries after a resume
    need not try to pause (`by_loader` says which kind).
    `codes`: torch's entry points' (and our wrappers') code objects -> their stage, for
    stage_in_stack."""
    __slots__ = ("paused", "anchor", "by_loader", "index", "t0", "samples", "marks", "resume_at", "try_batch_at", "try_step_at",
                 "skip_tries", "codes")

    def __init__(self):
        self.paused = False
        self.anchor = self.samples = None
        self.by_loader = False
        self.marks = []
        self.index, self.t0 = 0, 0.0
        self.codes = {}
        self.resume_at = self.try_batch_at = self.try_step_at = 0.0
        self.skip_tries = 0


def stage_in_stack(frame, codes):
    """The stage a sample lands in while the stage hooks are off, from the code on the main
    thread's stack: the innermost of torch's entry points (`codes`: code object -> stage), as the
    hooks' innermost stage wins; a module called while a batch loads stays data, as with the hooks.
    "other" when none is on the stack: a gap lies inside steps, which tile the loop."""
    stage = None
    while frame is not None:
        found = codes.get(frame.f_code)
        if found is not None:
            if stage is None:
                stage = found
            elif found == "data":
                return "data"
        frame = frame.f_back
    return stage or "other"
