"""One instrumented run: the socket, the hooks, and every way the process can end.

Any failure of ours switches instrumentation off for good with one warning line on stderr (and a
`log` event when the socket still works); the script runs on untouched. A forked child (DataLoader
workers with fork) switches it off silently and never writes to the socket it inherited.
"""
import atexit
import os
import platform
import signal
import sys
import threading
import time

from . import wire
from .ceiling import probe_from_options
from .channel import Channel, connect
from .collectives import CommClock
from .cuda import probe
from .spawned import pass_to_spawned_children
from .overrides import Overrides
from .steps import StepRecorder
from .torch_hooks import TorchHooks, TorchImportWatcher

WARNING_PREFIX = "trainlens: instrumentation disabled: "
DEFAULT_SAMPLE_HZ = 50.0  # the host's DEFAULT_PYTHON_SAMPLE_HZ, which says why
DEFAULT_FLUSH_MS = 250.0


def warn(reason):
    sys.stderr.write(WARNING_PREFIX + reason + "\n")
    sys.stderr.flush()


def _number(value, default, low, high):
    if isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high:
        return float(value)
    return default


def _long_run(value, sample_hz):
    """(rate, after s) of RunnerOptions.longRun, or None: sampling at `sample_hz` throughout."""
    if not isinstance(value, dict) or not sample_hz:
        return None
    hz, after_s = _number(value.get("sampleHz"), None, 0.01, sample_hz), _number(value.get("afterS"), None, 0, 1e9)
    return None if hz is None or after_s is None else (hz, after_s)


class Session:
    @classmethod
    def connect(cls, options, problem, origin, origin_epoch_ms):
        """A connected session, or None after the one warning line saying why not."""
        if options is None:
            warn(problem)
            return None
        try:
            sock = connect(options["socket"])
        except OSError as exc:
            warn("cannot reach %s: %s" % (options["socket"], exc.strerror or exc))
            return None
        return cls(sock, options, origin, origin_epoch_ms)

    def __init__(self, sock, options, origin, origin_epoch_ms):
        self.on = True
        self.recorder = None
        self._options = options
        self._origin = origin
        self._origin_epoch_ms = origin_epoch_ms
        self._pid = os.getpid()
        self._hooks = None
        self._comm = None  # a rank's clock of its collectives
        self._undo_spawn = None  # puts multiprocessing's spawn back (spawned.py)
        self._rank = None  # the hello's rank fields, when this process is a rank (ranks.py)
        self._script = None
        self._watcher = None
        self._end = ("exit", None)  # bye reason and exit code, once known
        self._off = threading.Lock()
        self._probe = probe_from_options(options, self._end_probe)  # None unless this is a ceiling probe
        self._sample_hz = _number(options.get("sampleHz"), DEFAULT_SAMPLE_HZ, 0, 10000)
        self._long_run = _long_run(options.get("longRun"), self._sample_hz)
        self.channel = Channel(sock, time.perf_counter, origin, self._sample_hz, _number(options.get("flushMs"), DEFAULT_FLUSH_MS, 10, 60000),
                               self._stage_of_main, lambda exc: self.disable("sender failed: %r" % (exc,)), self._long_run)

    def start(self, script, rank=None):
        """`rank`: the hello's rank fields when this process is a rank of a distributed job."""
        try:
            self._rank, self._script = rank, script
            hello = {"type": "hello", "v": wire.VERSION, "token": self._options["token"], "runner": "python", "pid": self._pid,
                     "runtime": "%s %s" % (platform.python_implementation(), platform.python_version()), "script": script,
                     "argv": list(sys.argv), "cwd": os.getcwd(), "sampleHz": self._sample_hz, "timeOriginMs": self._origin_epoch_ms}
            if self._long_run is not None:
                hello["longRunSampleHz"], hello["longRunAfterS"] = self._long_run
            hello.update(rank or {})
            self.channel.send_now(hello)
            os.register_at_fork(after_in_child=self._forked)
            atexit.register(self._at_exit)
            if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
                signal.signal(signal.SIGTERM, self._on_sigterm)
            overrides = Overrides.from_options(self._options)
            if overrides is not None:
                overrides.at_start()
            if "torch" in sys.modules:
                self._torch_imported(sys.modules["torch"])
            else:
                self._watcher = TorchImportWatcher(self._torch_imported)
                sys.meta_path.insert(0, self._watcher)
            self.channel.start()
        except Exception as exc:  # noqa: BLE001
            self.disable("startup failed: %r" % (exc,))

    # ---- how the script ended -----------------------------------------------------------------

    def exiting(self, reason, exit_code):
        self._end = (reason, exit_code)

    def report(self, exc, interrupted, location):
        if interrupted:
            # Python dies of SIGINT here after finalizing: no exit code, and no error either.
            self._end = ("interrupt", None)
            return
        self._end = ("exception", 1)
        if self.on:
            file, line = location
            self.channel.queue.append({"type": "error", "message": str(exc), "excType": type(exc).__name__,
                                       "file": file, "line": line})

    def _at_exit(self):
        # Registered before the script ran, so it runs after the script's own atexit handlers.
        self._finish(*self._end)

    def _on_sigterm(self, signum, frame):
        self._finish("signal", None)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    def _finish(self, reason, exit_code):
        if self._switch_off():
            self._say_last(lambda: self._exit_events(reason, exit_code))

    def _exit_events(self, reason, exit_code):
        if self.recorder is not None:
            self.recorder.finish()
        partial = self._probe.at_exit() if self._probe is not None else None
        return ([partial] if partial else []) + [self._bye(reason, exit_code)]

    def _end_probe(self, event, note):
        """A ceiling probe is done (with its event, or a note why not): tell the host, end at once."""
        if self._switch_off():
            last = event or {"type": "log", "level": "info", "message": "ceiling probe: " + note}
            self._say_last(lambda: [last, self._bye("exit", 0)])
        os._exit(0)

    def _bye(self, reason, exit_code):
        steps = self.recorder.steps if self.recorder is not None else 0
        return {"type": "bye", "exitCode": exit_code, "reason": reason, "steps": steps}

    # ---- switching off ------------------------------------------------------------------------

    def disable(self, reason):
        """The one path for our own failures: warn once, undo the hooks, tell the host if possible."""
        if not self._switch_off():
            return
        warn(reason)
        self._say_last(lambda: [{"type": "log", "level": "warn", "message": "instrumentation disabled: " + reason}])
        if self._probe is not None:
            os._exit(1)  # a probe without instrumentation could only run the whole script for nothing

    def _say_last(self, events):
        """After _switch_off: stops the sender thread, sends `events()` from this one once it may
        write, and closes the socket. Never raises: the socket may be what failed, or the process
        is ending and there is no one left to tell."""
        try:
            if self.channel.stop():
                self.channel.flush(events())
        except Exception:  # noqa: BLE001
            pass
        finally:
            self.channel.close()

    def _switch_off(self):
        """True for the one caller that turns a live session off (in this process)."""
        if os.getpid() != self._pid or not self._off.acquire(blocking=False):
            return False
        self.on = False
        self._unhook()
        return True

    def _unhook(self):
        if self._watcher is not None and self._watcher in sys.meta_path:
            sys.meta_path.remove(self._watcher)
        if self._hooks is not None:
            self._hooks.uninstall()
        if self._comm is not None:
            self._comm.uninstall()
        if self._undo_spawn is not None:
            self._undo_spawn()
        if signal.getsignal(signal.SIGTERM) == self._on_sigterm and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def _forked(self):
        # The child shares our socket: it must never write to it, nor keep any hook.
        self.on = False
        self._off.acquire(blocking=False)
        try:
            self._unhook()
        except Exception:  # noqa: BLE001 - a worker must start whatever happens here
            pass

    # ---- torch --------------------------------------------------------------------------------

    def _stage_of_main(self, frame):
        recorder = self.recorder
        return recorder.tag(frame) if recorder is not None else "startup"  # no step before torch is imported

    def _torch_imported(self, torch):
        if not self.on:
            return
        try:
            post = self.channel.queue.append
            hooks = TorchHooks(torch, post, lambda exc: self.disable("hook failed: %r" % (exc,)))
            on_cuda = lambda: post(hooks.framework_event(on_cuda=True))  # noqa: E731
            post_steps = post if self._probe is None else self._probe.watch_steps(post)
            if self._rank is not None:
                self._comm = CommClock(time.perf_counter)
                self._comm.install(torch)
                post_steps = self._comm.with_comm(post_steps)
            elif self._probe is None:
                self._undo_spawn = pass_to_spawned_children(self._options, self._script)
            recorder = StepRecorder(post_steps, time.perf_counter, self._origin,
                                    hooks.leading_dim, hooks.token_count, time.thread_time, probe(torch, on_cuda))
            post(hooks.framework_event())
            self._hooks = hooks
            overrides = Overrides.from_options(self._options)
            if overrides is not None:
                overrides.at_torch_import(torch)
            if self._probe is not None:
                self._probe.install(torch)  # first, so the hooks wrap it
            hooks.install(recorder, overrides)
            self.recorder = recorder
        except Exception as exc:  # noqa: BLE001
            self.disable("cannot hook torch: %r" % (exc,))
