"""Ceiling probes (`trainlens record --ceilings`): how fast could the input pipeline alone, and the
training step alone, go? The host runs the user's command twice more, with `probe` in the options.
A probe process measures once, sends one `ceiling` event and ends itself at once (os._exit), so the
user's code never runs past the measurement; its output is discarded, and the user's own run is a
separate process that no probe touches.

  data-only     the first `iter(DataLoader)` iterates that loader with no training: warm-up
                batches (enough to drain what workers prefetched), then `probeSteps` timed batches,
                starting a new epoch whenever one ends. A script that completes a training step
                before iterating any DataLoader has no data ceiling: the probe ends with a note.
  compute-only  every DataLoader iterator yields its first batch for real and then that same batch
                forever (no StopIteration), so the script's own training step runs with loading
                taken out. The runner's own step boundaries time it: `probeSteps` steps after
                warm-up. Without a DataLoader, steps (optimizer.step to optimizer.step) are compute.

Both patch torch before TorchHooks install, so the hooks wrap the replay and see replayed batches
as ordinary steps. A script that ends first sends what compute steps it measured after warm-up
(its `steps` says how many), else nothing; the host then says why.
"""
import os
import threading
import time
import weakref

from .step_records import UntimedSteps

WARMUP_STEPS = 5
DEFAULT_PROBE_STEPS = 30
MAX_PROBE_STEPS = 10000
MODES = ("data-only", "compute-only")


def probe_from_options(options, end):
    """The probe the host asked for, or None for a normal run. `end(event, note)` never returns."""
    mode = options.get("probe")
    if mode not in MODES:
        return None
    steps = options.get("probeSteps")
    if not (isinstance(steps, int) and not isinstance(steps, bool) and 1 <= steps <= MAX_PROBE_STEPS):
        steps = DEFAULT_PROBE_STEPS
    return CeilingProbe(mode, steps, end)


class CeilingProbe:
    def __init__(self, mode, steps, end, clock=time.perf_counter):
        self.mode = mode
        self._steps = steps
        self._end = end
        self._clock = clock
        self._pid = os.getpid()
        self._main = threading.main_thread().ident
        self._loader_iterated = False
        self._step_ms = []
        self._first_batches = weakref.WeakKeyDictionary()  # iterator -> the batch it replays

    def install(self, torch):
        data = torch.utils.data
        iterator_cls = data.dataloader._BaseDataLoaderIter
        if self.mode == "data-only":
            data.DataLoader.__iter__ = self._iterate_instead(data.DataLoader.__iter__, iterator_cls.__next__)
        else:
            iterator_cls.__next__ = self._replaying(iterator_cls.__next__)

    def watch_steps(self, post):
        """The recorder's `post`, also counting the step records (tuples) it carries."""
        def post_and_count(event):
            post(event)
            if type(event) is tuple:
                self._stepped(event[2])
            elif type(event) is UntimedSteps:  # a DataLoader gap's steps (stage_windows.py)
                for record in event.records():
                    self._stepped(record[2])
        return post_and_count

    # ---- data-only ----------------------------------------------------------------------------

    def _iterate_instead(self, original_iter, original_next):
        probe = self

        def __iter__(loader):
            if not probe._live():
                return original_iter(loader)
            probe._loader_iterated = True
            try:
                event = probe._time_loader(loader, original_iter, original_next)
                note = None if event is not None else "the first DataLoader yielded no batch"
            except Exception as exc:  # noqa: BLE001 - the user's dataset failed: that is the note
                event, note = None, "the data-only probe failed while loading: %r" % (exc,)
            probe._end(event, note)
        return __iter__

    def _time_loader(self, loader, original_iter, original_next):
        warmup = WARMUP_STEPS + _prefetched(loader)
        iterator, fresh, loaded, t0 = original_iter(loader), True, 0, None
        try:
            while loaded < warmup + self._steps:
                if loaded == warmup and t0 is None:
                    t0 = self._clock()
                try:
                    original_next(iterator)
                except StopIteration:
                    if fresh:
                        return None
                    _shut_down(iterator)
                    iterator, fresh = original_iter(loader), True
                    continue
                fresh = False
                loaded += 1
            seconds = self._clock() - t0
        finally:
            _shut_down(iterator)
        return _ceiling("data", self._steps, seconds)

    # ---- compute-only -------------------------------------------------------------------------

    def _replaying(self, original_next):
        probe = self

        def __next__(iterator):
            if not probe._live():
                return original_next(iterator)
            batch = probe._first_batches.get(iterator, _NONE)
            if batch is _NONE:
                probe._loader_iterated = True
                batch = original_next(iterator)
                probe._first_batches[iterator] = batch
            return batch
        return __next__

    # ---- both ---------------------------------------------------------------------------------

    def _stepped(self, ms):
        if self.mode == "data-only":
            if not self._loader_iterated:
                self._end(None, "a training step ran before any DataLoader was iterated: no data ceiling")
            return
        self._step_ms.append(ms)
        if len(self._step_ms) == WARMUP_STEPS + self._steps:
            for iterator in list(self._first_batches.keys()):
                _shut_down(iterator)
            self._end(_ceiling("compute", self._steps, sum(self._step_ms[WARMUP_STEPS:]) / 1000.0), None)

    def at_exit(self):
        """The script ended first (a short loop): the compute steps measured so far, if any."""
        measured = self._step_ms[WARMUP_STEPS:]
        if self.mode != "compute-only" or not measured:
            return None
        return _ceiling("compute", len(measured), sum(measured) / 1000.0)

    def _live(self):
        # DataLoader workers inherit the patches through fork; only the probed process measures.
        return os.getpid() == self._pid and threading.get_ident() == self._main


_NONE = object()


def _ceiling(kind, steps, seconds):
    return {"type": "ceiling", "kind": kind, "batchesPerSec": steps / max(seconds, 1e-9), "steps": steps}


def _prefetched(loader):
    """Batches worker processes load ahead: the first ones come at once, whatever loading costs."""
    workers = getattr(loader, "num_workers", 0)
    if not isinstance(workers, int) or workers <= 0:
        return 0
    factor = getattr(loader, "prefetch_factor", None)
    return workers * (factor if isinstance(factor, int) and factor > 0 else 2)


def _shut_down(iterator):
    # os._exit skips the iterator's cleanup; its workers would linger until their watchdog noticed.
    shutdown = getattr(iterator, "_shutdown_workers", None)
    if shutdown is not None:
        try:
            shutdown()
        except Exception:  # noqa: BLE001 - best effort; the process is about to end anyway
            pass
