"""The runner's side of the run socket: newline-delimited JSON events.

The main thread only appends to a deque. Line samples come from the main thread's own signal
sampler (signal_sampler.py); where it cannot run, or once the script takes its signal, a daemon
thread samples the main thread's stack at `sample_hz` (with jitter, so periodic work in the loop
is not aliased). That thread also sends, every `flush_ms`, the queued events plus one `lines`
batch, and at the first flush past `long_run`'s seconds into the run slows sampling to its rate
(RunnerOptions.longRun). A slow host stalls that thread, never the training loop.
"""
import json
import random
import socket
import sys
import threading
import time
from collections import deque

from .lines import LineCounts, line_key
from .signal_sampler import SignalSampler
from .step_records import UntimedSteps

CONNECT_TIMEOUT_S = 5.0
# A host that has not read for this long is gone; instrumentation stops rather than pile up.
SEND_TIMEOUT_S = 10.0
JOIN_TIMEOUT_S = 2.0
# Far above any real step rate for one flush period; only a stalled host can fill it.
MAX_QUEUED = 100000


def connect(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(CONNECT_TIMEOUT_S)
        sock.connect(path)
        sock.settimeout(SEND_TIMEOUT_S)
    except BaseException:
        sock.close()
        raise
    return sock


def encode(event):
    """One wire line, or a DataLoader gap's untimed steps' lines. Step records come from the main
    thread as tuples, or as UntimedSteps (cheap to build there)."""
    if type(event) is tuple:
        return _step_line(event)
    if type(event) is UntimedSteps:
        return _untimed_lines(event)
    return json.dumps(event, separators=(",", ":"), allow_nan=False) + "\n"


# A step event formatted in one C call: at thousands of steps a second, building a dict and
# json.dumps-ing it took ~6 µs a step of the GIL the training loop waits for (a quarter of that now).
_STEP_LINE = ('{"type":"step","index":%d,"t":%.3f,"ms":%.3f,"samples":%s,'
              '"stages":{"data":%.3f,"forward":%.3f,"backward":%.3f,"optimizer":%.3f,"other":%.3f}')
_UNSTAGED_STEP_LINE = '{"type":"step","index":%d,"t":%.3f,"ms":%.3f,"samples":%s,"stages":{}'


_UNTIMED_LINE = _UNSTAGED_STEP_LINE + "}\n"


def _untimed_lines(steps):
    # Each line as _step_line writes an untimed step's (a size is an int or None; %s writes an int
    # as %d does), the gap's steps in one %-format: this runs on the sender thread, holding the GIL.
    origin = steps.origin
    values = [value for index, t0, t, samples in steps.spans()
              for value in (index, (t0 - origin) * 1000.0, (t - t0) * 1000.0, "null" if samples is None else samples)]
    return (_UNTIMED_LINE * len(steps)) % tuple(values)


def _step_line(record):
    # As step_records.StepPoster.post builds it; a rank's steps also carry their collectives' ms (collectives.py).
    index, t, ms, samples, data, forward, backward, optimizer, device, tokens, micro, data_cpu = record[:12]
    samples = "null" if samples is None else "%d" % samples
    if data is None:  # a step whose stages were not timed (stage_windows.py)
        line = _UNSTAGED_STEP_LINE % (index, t, ms, samples)
    else:
        # Stage times add up to the step: `other` is what no measured stage covers.
        other = ms - data - forward - backward - optimizer
        line = _STEP_LINE % (index, t, ms, samples, data, forward, backward, optimizer, other if other > 0.0 else 0.0)
    if device:
        line += ',"device":' + json.dumps({k: round(v, 3) for k, v in device.items()}, separators=(",", ":"), allow_nan=False)
    if tokens is not None:
        line += ',"tokens":%d' % tokens
    if micro is not None:
        line += ',"micro":%d' % micro
    if data_cpu is not None:
        line += ',"dataCpuMs":%.3f' % data_cpu
    if len(record) > 12 and record[12] is not None:
        line += ',"commMs":%.3f,"commExposedMs":%.3f' % (record[12], record[13])
    return line + "}\n"


class Channel:
    def __init__(self, sock, clock, origin, sample_hz, flush_ms, stage_of_main, on_failure, long_run=None):
        self.queue = deque(maxlen=MAX_QUEUED)
        self._sock = sock
        self._clock = clock
        self._origin = origin
        self._interval_s = 1.0 / sample_hz if sample_hz > 0 else 0.0
        # (interval, clock time) of the long run's rate, until it is in use
        self._long_run = (1.0 / long_run[0], origin + long_run[1]) if long_run is not None and self._interval_s else None
        self._flush_s = flush_ms / 1000.0
        self._stage_of_main = stage_of_main  # stage_of_main(frame): the stage tag of a sample of the main thread at `frame`
        self._on_failure = on_failure
        self._lines = LineCounts()
        self._sampler = None  # the main thread's signal sampler, once installed
        self._thread_samples = True  # False while the signal sampler samples
        self._last_flush = clock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="trainlens-sampler", daemon=True)

    def send_now(self, event):
        """Writes from the calling thread; only before start() or after stop()."""
        self._sock.sendall(encode(event).encode("utf-8"))

    def start(self):
        if self._interval_s:
            self._sampler = SignalSampler.install(self._interval_s, self._stage_of_main)
            self._thread_samples = self._sampler is None
        self._thread.start()

    def stop(self):
        """Stops sampling and the background thread; True if it stopped, so the caller may write."""
        if self._sampler is not None:
            self._sampler.uninstall()
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(JOIN_TIMEOUT_S)
        return not self._thread.is_alive() or self._thread is threading.current_thread()

    def flush(self, extra=()):
        """Sends the queued events, the pending line counts and `extra`, in one write."""
        self._count_signal_samples()
        events = []
        while self.queue:
            events.append(self.queue.popleft())
        now = self._clock()
        samples, entries = self._lines.drain()
        if samples:
            events.append({"type": "lines", "t": round((now - self._origin) * 1000.0, 3),
                           "periodMs": round((now - self._last_flush) * 1000.0, 3), "samples": samples, "entries": entries})
            # Only here: a flush with no samples (the handler held off by a long C call) leaves its
            # time to the next batch, whose samples count it (signal_sampler.py), so shares of
            # periodMs stay shares of the time the samples cover.
            self._last_flush = now
        events.extend(extra)
        if events:
            self._sock.sendall("".join(encode(e) for e in events).encode("utf-8"))

    def close(self):
        self._sock.close()

    def _count_signal_samples(self):
        sampler = self._sampler
        if sampler is None or self._thread_samples:
            return
        sampler.watch()
        while sampler.samples:
            self._lines.add(*sampler.samples.popleft())
        if not sampler.active and sampler.stopped_because is not None:
            self._thread_samples = True
            self.queue.append({"type": "log", "level": "info", "message": "hot lines: %s; sampling from a thread from now on, "
                               "which misses short pure-Python stretches between library calls" % sampler.stopped_because})

    def _run(self):
        try:
            main_id = threading.main_thread().ident
            rng = random.Random()  # the script's own random sequence must not depend on our sampling
            last = self._clock()
            next_flush = last + self._flush_s
            while not self._stop.wait(self._wait_s(rng, next_flush)):
                now = self._clock()
                if self._interval_s and self._thread_samples:
                    frame = sys._current_frames().get(main_id)
                    self._lines.add(line_key(frame), self._stage_of_main(frame), (now - last) * 1000.0)
                    del frame  # never keep the user's frames (and their tensors) alive
                last = now
                if now >= next_flush:
                    self.flush()
                    next_flush = self._clock() + self._flush_s
                    if self._long_run is not None and now >= self._long_run[1]:
                        self._slow_down()
        except Exception as exc:  # noqa: BLE001 - any failure here must only stop instrumentation
            self._on_failure(exc)

    def _slow_down(self):
        self._interval_s = self._long_run[0]
        self._long_run = None
        if self._sampler is not None and not self._thread_samples:
            self._sampler.set_period(self._interval_s)

    def _wait_s(self, rng, next_flush):
        if self._interval_s and self._thread_samples:
            return self._interval_s * rng.uniform(0.8, 1.2)
        return max(0.0, next_flush - self._clock())
