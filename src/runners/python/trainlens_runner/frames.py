"""Which code is the user's: the sampler's "own" lines, the file:line of errors and DataLoaders,
and the frames hidden from tracebacks all come from this one classification.

User code is anything that is not the standard library, an installed package (site-packages,
dist-packages), a pseudo-file such as `<frozen runpy>`, or this runner.
"""
import os
import sysconfig
import types

USER, LIBRARY, RUNNER = "user", "library", "runner"

_RUNNER_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_PACKAGE_MARKERS = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)
# Relative code filenames (Python 3.8 keeps the script path as given) are relative to the
# directory the run started in, even if the script changes directory later.
_START_CWD = os.getcwd()


def _library_roots():
    roots = set()
    paths = sysconfig.get_paths()
    for key in ("stdlib", "platstdlib"):
        path = paths.get(key)
        if path:
            roots.add(os.path.abspath(path) + os.sep)
            roots.add(os.path.realpath(path) + os.sep)
    return tuple(roots)


_LIBRARY_ROOTS = _library_roots()
_cache = {}


def classify(filename):
    """(kind, absolute path) of a code filename; cached, safe to call from any thread."""
    known = _cache.get(filename)
    if known is not None:
        return known
    if filename.startswith("<"):
        result = (LIBRARY, filename)
    else:
        path = os.path.normpath(os.path.join(_START_CWD, filename))
        if path.startswith(_RUNNER_DIR):
            result = (RUNNER, path)
        elif path.startswith(_LIBRARY_ROOTS) or any(m in path for m in _PACKAGE_MARKERS):
            result = (LIBRARY, path)
        else:
            result = (USER, path)
    _cache[filename] = result
    return result


def line_of(frame):
    """The line a frame is on. Python 3.11 gives None for an instruction that has no line of its own
    (a clean-clone run sampled one: the host rejects a line entry without a line, and with it the
    whole batch of samples); the function's own first line stands for it then."""
    line = frame.f_lineno
    return line if line is not None else frame.f_code.co_firstlineno


def innermost_user_frame(frame):
    """(file, line) of the first user frame walking outwards from `frame`, or (None, None)."""
    while frame is not None:
        kind, path = classify(frame.f_code.co_filename)
        if kind == USER:
            return path, line_of(frame)
        frame = frame.f_back
    return None, None


def innermost_user_entry(tb):
    """(file, line) of the innermost user frame of a traceback, or (None, None)."""
    found = (None, None)
    while tb is not None:
        kind, path = classify(tb.tb_frame.f_code.co_filename)
        if kind == USER:
            found = (path, tb.tb_lineno)
        tb = tb.tb_next
    return found


def strip_traceback(tb, entry_codes):
    """The traceback as plain `python script.py` would show it: the frames up to and including
    one running any of `entry_codes` (runpy, this runner's main) are dropped, and so are the
    runner's wrappers around library calls further in."""
    kept = []
    while tb is not None:
        if tb.tb_frame.f_code in entry_codes:
            kept = []
        elif classify(tb.tb_frame.f_code.co_filename)[0] != RUNNER:
            kept.append(tb)
        tb = tb.tb_next
    stripped = None
    for entry in reversed(kept):
        stripped = types.TracebackType(stripped, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return stripped


def strip_exception(exc, entry_codes):
    """Strips the tracebacks of an exception and of the exceptions chained to it."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc.__traceback__ = strip_traceback(exc.__traceback__, entry_codes)
        exc = exc.__cause__ or exc.__context__


def path_entry(frame):
    """A library frame as a call-path entry, `module:function`."""
    return "%s:%s" % (frame.f_globals.get("__name__", "?"), frame.f_code.co_name)

