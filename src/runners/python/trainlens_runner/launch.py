"""`python -m trainlens_runner script.py args...`: runs the script exactly as `python script.py`
would (`__main__`, argv, cwd, sys.path[0], stdout/stderr, exit code, tracebacks), and records it
over the run socket when the host asked for it. Instrumentation can only ever switch itself off.
"""
import io
import json
import os
import signal
import sys
import time
import types
from importlib.machinery import SourceFileLoader

from . import wire
from .frames import innermost_user_entry, strip_exception
from .ranks import from_environment
from .session import Session

OPTIONS_ENV = "TRAINLENS_OPTIONS"
# The folder that holds this package: the host put it first on PYTHONPATH for `-m` to find us.
_RUNNER_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    origin = time.perf_counter()
    origin_epoch_ms = time.time() * 1000.0
    parent = os.getppid()
    if len(sys.argv) < 2:
        sys.stderr.write("usage: python -m trainlens_runner script.py [args...]\n")
        sys.exit(2)
    sys.argv[:] = sys.argv[1:]
    script = sys.argv[0]
    options, problem = read_options(os.environ)
    _fix_sys_path(script)
    if options is not None:
        _exit_with_parent(parent)
    session = Session.connect(options, problem, origin, origin_epoch_ms)
    if session is not None:
        session.start(os.path.abspath(script), from_environment(os.environ))
    try:
        module, code = _load_main(script)
        _execute(code, module)
    except SystemExit as exc:
        if session is not None:
            session.exiting("exit", exit_status(exc.code))
        raise
    except BaseException as exc:
        interrupted = isinstance(exc, KeyboardInterrupt)
        if session is not None:
            session.report(exc, interrupted, error_location(exc))
        _strip_when_printed()
        raise
    if session is not None:
        session.exiting("exit", 0)


def _execute(code, module):
    exec(code, module.__dict__)


def read_options(environ):
    """(options, None) or (None, why not). Removes our variable and puts PYTHONPATH back as the
    user had it, so child processes inherit nothing of ours."""
    raw = environ.pop(OPTIONS_ENV, None)
    if raw is None:
        return None, OPTIONS_ENV + " is not set"
    try:
        options = json.loads(raw)
    except (ValueError, RecursionError):
        return None, OPTIONS_ENV + " is not JSON"
    if not isinstance(options, dict):
        return None, OPTIONS_ENV + " is not a JSON object"
    if "pythonPath" in options:
        if isinstance(options["pythonPath"], str):
            environ["PYTHONPATH"] = options["pythonPath"]
        else:
            environ.pop("PYTHONPATH", None)
    if options.get("v") != wire.VERSION:
        return None, "options version %r, this runner speaks %d" % (options.get("v"), wire.VERSION)
    if not isinstance(options.get("socket"), str) or not isinstance(options.get("token"), str):
        return None, OPTIONS_ENV + " lacks socket or token"
    return options, None


def exit_status(code):
    """The exit status plain Python gives SystemExit(code)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    return 1


def _fix_sys_path(script):
    # Under -m, sys.path[0] is the cwd and our folder follows it; `python script.py` has the
    # script's real directory there and no trace of us.
    for i, entry in enumerate(sys.path[1:], 1):
        if os.path.abspath(entry or ".") == _RUNNER_ROOT:
            del sys.path[i]
            break
    sys.path[0] = os.path.dirname(os.path.realpath(script))


def _load_main(script):
    """A fresh `__main__` module for the script, built as Python builds it for a file."""
    path = os.path.abspath(script)
    try:
        with io.open_code(path) as source_file:
            source = source_file.read()
    except OSError as exc:
        program = getattr(sys, "orig_argv", [sys.executable])[0]
        sys.stderr.write("%s: can't open file %r: [Errno %d] %s\n" % (program, path, exc.errno, exc.strerror))
        sys.exit(2)
    # Python 3.9+ gives __main__ an absolute __file__; 3.8 keeps the path as typed.
    filename = path if sys.version_info >= (3, 9) else script
    module = types.ModuleType("__main__")
    module.__dict__.update(__file__=filename, __cached__=None, __builtins__=sys.modules["builtins"],
                           __annotations__={}, __loader__=SourceFileLoader("__main__", filename))
    # multiprocessing's spawn finds the script again through __main__.__file__ (and __spec__ None).
    sys.modules["__main__"] = module
    return module, compile(source, filename, "exec", dont_inherit=True)


def _strip_when_printed():
    """Python prints an uncaught exception through sys.excepthook; this shows it without the
    runner's and runpy's frames, then hands it to whatever hook the user had."""
    user_hook = sys.excepthook

    def hook(exc_type, value, tb):
        sys.excepthook = user_hook
        try:
            value.__traceback__ = tb
            strip_exception(value, _ENTRY_CODES)
            tb = value.__traceback__
        except Exception:  # noqa: BLE001 - printing the original is better than printing nothing
            pass
        user_hook(exc_type, value, tb)

    sys.excepthook = hook


def _exit_with_parent(parent):
    """Asks Linux to SIGTERM us when the host dies, so a crashed host leaves no training behind."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the host died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def error_location(exc):
    """(file, line) of the innermost user frame of an exception, or where a SyntaxError is."""
    file, line = innermost_user_entry(exc.__traceback__)
    if isinstance(exc, SyntaxError) and exc.filename and not exc.filename.startswith("<") and exc.lineno:
        file, line = os.path.abspath(exc.filename), exc.lineno
    return file, line


# Frames up to these are the runner's (and runpy's) own, never shown in a traceback.
_ENTRY_CODES = frozenset((_execute.__code__, _load_main.__code__))
