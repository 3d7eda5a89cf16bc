"""Aggregates stack samples of the main thread into line counts: the innermost user frame is the
"own" line, the library frames between it and the leaf are its call path. Used only by the
channel's background thread."""
from .frames import LIBRARY, USER, classify, path_entry

MAX_PATH = 6


class LineCounts:
    def __init__(self):
        self.samples = 0
        self._counts = {}  # (file, line, stage, path) -> [count, function name]

    def add(self, frame, stage):
        """Counts one sample; `frame` is the main thread's leaf frame (None if it had none)."""
        self.samples += 1
        library = []
        while frame is not None:
            kind, path = classify(frame.f_code.co_filename)
            if kind == USER:
                break
            if kind == LIBRARY:
                library.append(frame)
            frame = frame.f_back
        if frame is None:
            return
        call_path = tuple(path_entry(f) for f in library[: -MAX_PATH - 1 : -1])
        key = (path, frame.f_lineno, stage, call_path)
        counted = self._counts.get(key)
        if counted is None:
            self._counts[key] = [1, frame.f_code.co_name]
        else:
            counted[0] += 1

    def drain(self):
        """(samples, entries of a `lines` event) since the last drain."""
        entries = []
        for (file, line, stage, call_path), (count, fn) in self._counts.items():
            entry = {"file": file, "line": line, "stage": stage, "count": count, "fn": fn}
            if call_path:
                entry["path"] = list(call_path)
            entries.append(entry)
        samples, self.samples, self._counts = self.samples, 0, {}
        return samples, entries
