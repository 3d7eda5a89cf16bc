"""Ranks started by multiprocessing's `spawn` (torch.multiprocessing.spawn, a spawn context): fresh
interpreters that inherit none of our instrumentation, since launch.py gives the user's PYTHONPATH
back before the script runs.

Parent side: the command line multiprocessing builds for a spawned child gets one statement in
front (`import trainlens_runner.spawned` from our folder, then the folder leaves sys.path again),
and the preparation data multiprocessing pickles to the child over its pipe carries the run's
options (so the token never shows on a command line, and nothing is added to the environment that
the user's other children would inherit).

Child side: nothing happens until the child initialises a default process group, which makes it a
rank; then it connects to the run's socket and records as a rank. A spawned child that never does
(a spawn-context DataLoader worker, a pool worker) stays silent. A forked child (a DataLoader
worker with fork, the default on Linux) runs none of this: it copies its parent's session, which
switches itself off in the child (session.py).
"""
import os
import sys
import time

_OPTIONS_KEY = "trainlens"
_RUNNER_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---- parent -----------------------------------------------------------------------------------

def pass_to_spawned_children(options, script):
    """Makes multiprocessing's spawned children of this process able to become recorded ranks;
    returns the function that undoes it (instrumentation switched off spawns plain children)."""
    import multiprocessing.spawn as mp_spawn

    child_options = dict(options, script=script)
    child_options.pop("pythonPath", None)
    get_command_line, get_preparation_data = mp_spawn.get_command_line, mp_spawn.get_preparation_data

    def command_line(**kwds):
        command = get_command_line(**kwds)
        try:
            i = command.index("-c")
            command[i + 1] = _BOOTSTRAP % (_RUNNER_ROOT,) + command[i + 1]
        except (ValueError, IndexError, TypeError):
            pass  # a frozen executable: its children go unrecorded
        return command

    def preparation_data(name):
        data = get_preparation_data(name)
        data[_OPTIONS_KEY] = child_options
        return data

    mp_spawn.get_command_line, mp_spawn.get_preparation_data = command_line, preparation_data

    def undo():
        if mp_spawn.get_command_line is command_line:
            mp_spawn.get_command_line = get_command_line
        if mp_spawn.get_preparation_data is preparation_data:
            mp_spawn.get_preparation_data = get_preparation_data
    return undo


# One statement, so that a child whose runner fails to import still runs the user's code.
_BOOTSTRAP = ("import sys\ntry:\n sys.path.insert(0, %r); import trainlens_runner.spawned as _tl; _tl.child()\n"
              "except Exception: pass\nfinally:\n del sys.path[0]\n")


# ---- child ------------------------------------------------------------------------------------

def child():
    """In a spawned child, before multiprocessing prepares it: waits for the run's options."""
    import multiprocessing.spawn as mp_spawn

    origin, origin_epoch_ms = time.perf_counter(), time.time() * 1000.0
    prepare = mp_spawn.prepare

    def prepare_with_options(data):
        options = data.pop(_OPTIONS_KEY, None) if isinstance(data, dict) else None
        mp_spawn.prepare = prepare
        if isinstance(options, dict):
            try:
                _RankWatch(options, origin, origin_epoch_ms).watch()
            except Exception:  # noqa: BLE001 - the child runs unrecorded
                pass
        prepare(data)

    mp_spawn.prepare = prepare_with_options


class _RankWatch:
    """Waits for torch, then for the default process group; the session starts once there is one."""

    def __init__(self, options, origin, origin_epoch_ms):
        self._options = options
        self._origin = origin
        self._origin_epoch_ms = origin_epoch_ms
        self._session = None

    def watch(self):
        if "torch" in sys.modules:
            self._torch_imported(sys.modules["torch"])
        else:
            from .torch_hooks import TorchImportWatcher
            sys.meta_path.insert(0, TorchImportWatcher(self._torch_imported))

    def _torch_imported(self, torch):
        dist = getattr(torch, "distributed", None)
        init = getattr(dist, "init_process_group", None)
        if init is None:
            return
        watch = self

        def init_process_group(*args, **kwargs):
            result = init(*args, **kwargs)
            if dist.init_process_group is init_process_group:
                dist.init_process_group = init
            watch._start(dist, kwargs.get("init_method") or (args[1] if len(args) > 1 else None))
            return result

        dist.init_process_group = init_process_group
        self._report_failures_of_spawned_functions(torch)

    def _start(self, dist, init_method):
        from .ranks import from_process_group
        from .session import Session

        try:
            rank = from_process_group(dist, os.environ, init_method)
        except Exception:  # noqa: BLE001
            return
        if rank is None:
            return
        self._session = Session.connect(self._options, None, self._origin, self._origin_epoch_ms)
        if self._session is not None:
            self._session.start(self._options.get("script") or sys.argv[0], rank)

    def _report_failures_of_spawned_functions(self, torch):
        """torch.multiprocessing.spawn runs the user's function inside `_wrap`, which catches its
        exception and exits 1: the session must see the exception before that to say where."""
        spawn = sys.modules.get("torch.multiprocessing.spawn")  # the package's `spawn` is the function
        wrap = getattr(spawn, "_wrap", None)
        if wrap is None or not callable(wrap):
            return
        watch = self

        def _wrap(fn, i, args, error_queue):
            def reported(*fn_args):
                try:
                    return fn(*fn_args)
                except Exception as exc:
                    watch._failed(exc)
                    raise
            return wrap(reported, i, args, error_queue)

        spawn._wrap = _wrap

    def _failed(self, exc):
        if self._session is None:
            return
        try:
            from .launch import error_location
            self._session.report(exc, False, error_location(exc))
        except Exception:  # noqa: BLE001
            pass
