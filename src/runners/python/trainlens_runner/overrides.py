"""Settings a tuning trial applies without editing the script: `options["overrides"]`, e.g.
{"numWorkers": 2, "prefetchFactor": 4, "persistentWorkers": true, "pinMemory": false,
 "numThreads": 1, "cudnnBenchmark": true}. Each key is optional; unknown keys and values of the wrong
type are ignored (the host checks what took effect in the `loader` event, which reports the
DataLoader's own attributes after its __init__).

  numThreads       the thread pools' size: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS
                   set in the environment when the runner starts (the BLAS and OpenMP libraries read
                   them once, when torch loads them; torch.set_num_threads does not reach OpenBLAS's
                   own pool, whose threads spin after each call and starve DataLoader workers on a
                   small machine), and torch.set_num_threads(n) right after torch is imported
  cudnnBenchmark   torch.backends.cudnn.benchmark, set then too; only where CUDA is available
  DataLoader       num_workers, pin_memory, persistent_workers, prefetch_factor, given to every
                   DataLoader.__init__ in place of the script's values. With no workers in effect,
                   persistent_workers, prefetch_factor and multiprocessing_context are dropped: torch
                   rejects them without workers, whatever set them.
"""
import functools
import inspect
import os

_LOADER_KEYS = (("numWorkers", "num_workers", int), ("pinMemory", "pin_memory", bool),
                ("persistentWorkers", "persistent_workers", bool), ("prefetchFactor", "prefetch_factor", int))
_WORKER_ONLY = ("persistent_workers", "prefetch_factor", "multiprocessing_context")
# Read by libgomp, OpenBLAS and MKL when they load; the same names tuning writes into a script.
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _valid(value, kind):
    if kind is bool:
        return isinstance(value, bool)
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class Overrides:
    @classmethod
    def from_options(cls, options):
        """The overrides the host asked for, or None when there are none."""
        raw = options.get("overrides") if isinstance(options, dict) else None
        if not isinstance(raw, dict) or not raw:
            return None
        return cls(raw)

    def __init__(self, raw):
        self.loader = {name: raw[key] for key, name, kind in _LOADER_KEYS if _valid(raw.get(key), kind)}
        if self.loader.get("prefetch_factor") == 0:
            del self.loader["prefetch_factor"]  # torch wants at least one batch ahead per worker
        threads = raw.get("numThreads")
        self.threads = threads if _valid(threads, int) and threads > 0 else None
        benchmark = raw.get("cudnnBenchmark")
        self.cudnn_benchmark = benchmark if isinstance(benchmark, bool) else None

    def at_start(self, environ=os.environ):
        """Before the script runs, so before torch loads its thread pools. DataLoader workers and
        other children inherit the setting, as they would a script's own."""
        if self.threads is not None:
            for name in THREAD_ENV:
                environ[name] = str(self.threads)

    def at_torch_import(self, torch):
        if self.threads is not None:
            torch.set_num_threads(self.threads)
        if self.cudnn_benchmark is not None and torch.cuda.is_available():
            torch.backends.cudnn.benchmark = self.cudnn_benchmark

    def wrap_loader_init(self, original):
        """DataLoader.__init__ with the loader settings put in place of the script's arguments."""
        if not self.loader:
            return original
        signature = inspect.signature(original)

        @functools.wraps(original)
        def init(*args, **kwargs):
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                return original(*args, **kwargs)  # torch itself reports the script's own mistake
            self.apply_to(bound.arguments)
            return original(*bound.args, **bound.kwargs)
        return init

    def apply_to(self, arguments):
        """Rewrites a bound DataLoader.__init__ call's arguments (a name -> value mapping) in place."""
        arguments.update(self.loader)
        if not arguments.get("num_workers"):
            for name in _WORKER_ONLY:
                arguments.pop(name, None)
