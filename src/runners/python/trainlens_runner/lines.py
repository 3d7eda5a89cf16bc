"""Aggregates stack samples of the main thread into line entries: the innermost user frame is the
"own" line, the library frames between it and the leaf are its call path. Each sample carries the
wall time it stands for (the time since the sample before it), sent as the entry's `ms`."""
from .frames import LIBRARY, USER, classify, line_of, path_entry

MAX_PATH = 6


def line_key(frame):
    """(file, line, call path, function) of a leaf frame's innermost user line, or None when the
    stack holds no user code. Plain strings and ints: a key never keeps a frame alive."""
    library = []
    while frame is not None:
        kind, path = classify(frame.f_code.co_filename)
        if kind == USER:
            break
        if kind == LIBRARY:
            library.append(frame)
        frame = frame.f_back
    if frame is None:
        return None
    call_path = tuple(path_entry(f) for f in library[: -MAX_PATH - 1 : -1])
    return (path, line_of(frame), call_path, frame.f_code.co_name)


class LineCounts:
    """Touched by one thread at a time: the channel's sender, or the main thread once it stopped."""

    def __init__(self):
        self.samples = 0
        self._counts = {}  # (file, line, stage, path) -> [count, ms, function name]

    def add(self, key, stage, ms):
        """Counts one sample of `ms` wall time; `key` is a line_key (None: no user frame)."""
        self.samples += 1
        if key is None:
            return
        file, line, call_path, fn = key
        counted = self._counts.get((file, line, stage, call_path))
        if counted is None:
            self._counts[(file, line, stage, call_path)] = [1, ms, fn]
        else:
            counted[0] += 1
            counted[1] += ms

    def drain(self):
        """(samples, entries of a `lines` event) since the last drain."""
        entries = []
        for (file, line, stage, call_path), (count, ms, fn) in self._counts.items():
            entry = {"file": file, "line": line, "stage": stage, "count": count, "ms": round(ms, 3), "fn": fn}
            if call_path:
                entry["path"] = list(call_path)
            entries.append(entry)
        samples, self.samples, self._counts = self.samples, 0, {}
        return samples, entries
