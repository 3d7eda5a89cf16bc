"""The main thread samples itself: a POSIX timer sends SIGPROF to the main thread alone, and
Python runs our handler there at the next bytecode boundary. So a sample lands wherever the main
thread is: in pure Python, after a C call that held the GIL (when it returns), or in a wait that
released it (Python's sleeps and lock waits are interrupted and resume, PEP 475; other waits are
sampled when they return).

The ticks follow their own schedule on CLOCK_MONOTONIC (a periodic timer, its phase shifted at
random every REJITTER_TICKS ticks), never restarted from the handler: each tick stands for the
interval of the schedule it starts, and the handler, when it finally runs, counts every tick that
came due since it last ran for the line it finds. A tick that
came due inside a long C call finds that call's line (the frame is still there when the call
returns). Restarting the timer from the handler instead (a sample weighted by the time since the
previous handler ran, Scalene's method) locks the ticks' phase to the program: after each long call
the next tick is a full period away, so the call's line also takes the Python time just before it,
half a period per call on average (measured: backward lines 10–15 points too hot on nanoGPT).

Why not a thread reading sys._current_frames() (the channel's fallback): it needs the GIL to
look, and gets it at the main thread's next voluntary release, i.e. at a torch call, so a
pure-Python stretch shorter than the 5 ms switch interval is never seen. Why not setitimer:
ITIMER_REAL's SIGALRM is the scripts' own (signal.alarm timeouts), ITIMER_PROF counts the CPU
time of every thread and never fires while the process waits.

Two clocks. What a sample costs is mostly the timer's interrupt, not the handler: on the 2-core VM
the benches run on (nested virtualization) a CLOCK_MONOTONIC tick arriving in the middle of torch's
work cost the main thread 110-180 µs of CPU, the handler 13.5 of them (with a trivial stage and a
shallow stack; in a live session, cold after torch's work, 47-103: README). A timer on the main
thread's CPU clock (CLOCK_THREAD_CPUTIME_ID) raises no interrupt of its own: the kernel checks it
at its scheduler tick, which interrupts a busy thread anyway (async-profiler's ctimer mode). But
it is silent while the thread waits. So while the main thread computes, on its CPU for ON_CPU_SHARE
of the last interval between two `watch` calls (the channel's flushes), the ticks follow a schedule
on its CPU clock; as soon as an interval had more waiting, one on CLOCK_MONOTONIC again. A tick of
either stands for its period, which on the CPU clock is the same wall time to within the 1% the
thread spent off its CPU. Each switch may lose up to a period once.

The CPU clock's ticks are counted where the kernel signals them. Its timer expires anywhere, but
the kernel only notices at its next scheduler tick (every 4 ms at HZ=250), and that is where the
signal comes, and where the line is found. So the handler counts the expiries up to the main
thread's CPU time at the kernel's last tick (CLOCK_MONOTONIC_COARSE is the time of that tick), and
leaves any later one to the signal that tick will raise. Counting every tick due by the time the
handler runs instead, as the wall clock's handler can, gives a line the ticks that expired in the
Python just before it whenever its C call delays the handler: on pytorch/examples'
time_sequence_prediction (LBFGS) at 1,000 Hz, where the kernel raised one signal per 4 ms, the
backward line read 0.24 of the time against 0.20 by the tests' own sampler, and the update's line
0.20-0.23 against 0.24-0.27. The kernel's ticks are a grid of their own: a loop whose step is a
whole number of them to within a few µs could alias with it.

Why periodic, and the phase shifted only every few ticks: arming the timer from the handler at each
tick (one-shot, a new jittered time each) cost 21 µs of the handler's 43, a ctypes call and a system
call with the caches cold after the script's work; with the masking around it, 30. The jitter is
what keeps the ticks from aliasing with a periodic loop; a new phase every REJITTER_TICKS ticks
(200 ms at the default 50 Hz) does that too. The shift's few milliseconds are not counted in any tick's
weight: unbiased, as shifts either way are equally likely.

Never break the script: the handler restarts interrupted system calls (SA_RESTART) and never
raises; a script that installs its own SIGPROF handler takes the signal over (our timer is deleted
first) and the channel samples from its thread again; a handler set past Python (sigaction from C)
gets no more of our signals once ours has not run for STALE_S (`watch`, from the channel's thread,
stops the period; our handler starts it again when it runs); forked children have no timer (fork
does not copy it) and get the signal's old disposition back.
"""
import ctypes
import functools
import os
import random
import signal
import threading
import time
from collections import deque

from . import signal_safe_streams
from .lines import line_key

SIGNAL = getattr(signal, "SIGPROF", None)
_CLOCK_MONOTONIC = 1  # time.monotonic() reads the same clock on Linux
_TIMER_ABSTIME = 1
# After a long suspension (SIGSTOP, a debugger) the missed ticks are counted in one go past this.
_MAX_TICKS_COUNTED_ONE_BY_ONE = 10000
_CLOCK_THREAD_CPUTIME_ID = 3  # the CPU time of the thread that creates the timer
_CLOCK_MONOTONIC_COARSE = 6  # CLOCK_MONOTONIC as of the kernel's last scheduler tick
_SIGEV_THREAD_ID = 4  # Linux: the signal goes to one thread, named by its kernel id
# A main thread on its CPU for this share of a watch interval or more is sampled on its CPU clock.
ON_CPU_SHARE = 0.99
# A flush period's worth of samples at any sane rate; only a stalled sender thread can fill it.
MAX_PENDING = 100000
REJITTER_TICKS = 10
# A main thread that has not run our handler for this long (a long C call, or a handler not ours):
# the timer stops repeating until it does.
STALE_S = 1.0


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _Itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


class _Sigevent(ctypes.Structure):
    # struct sigevent is 64 bytes; the padding only has to cover the union's other members.
    _fields_ = [("value", ctypes.c_void_p), ("signo", ctypes.c_int), ("notify", ctypes.c_int),
                ("thread_id", ctypes.c_int), ("_pad", ctypes.c_int * 12)]


def _timer_functions():
    """libc's POSIX timer functions (librt's before glibc 2.34), or None. PyDLL keeps the GIL
    across the call: arming from the handler must not let other threads run in between."""
    for name in (None, "librt.so.1"):
        try:
            lib = ctypes.PyDLL(name, use_errno=True)
            lib.timer_create.argtypes = (ctypes.c_int, ctypes.POINTER(_Sigevent), ctypes.POINTER(ctypes.c_void_p))
            lib.timer_settime.argtypes = (ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(_Itimerspec), ctypes.c_void_p)
            lib.timer_delete.argtypes = (ctypes.c_void_p,)
            return lib
        except (OSError, AttributeError):
            continue
    return None


def _kernel_tick_readable():
    """Whether the CPU clock's ticks can be counted where the kernel signals them (see above)."""
    try:
        time.clock_gettime(_CLOCK_MONOTONIC_COARSE)
        return hasattr(time, "pthread_getcpuclockid")
    except OSError:
        return False


class _Schedule:
    """Ticks every `period` s on one clock (the main thread's CPU clock when `on_cpu`, else
    CLOCK_MONOTONIC), the first a jittered period after `start`. Replaced whole, never edited
    from another thread: the handler reads the one in use once."""

    def __init__(self, on_cpu, period, start, rng):
        self.on_cpu = on_cpu
        self.period = period
        self.due = start + self.jittered(rng)  # the next tick

    def jittered(self, rng):
        return self.period * rng.uniform(0.8, 1.2)  # jitter: no aliasing with a periodic loop

    def seconds_until(self, now, rng):
        """Seconds stood for by the ticks due by `now`, moving the schedule past it."""
        due, period = self.due, self.period
        if due > now:
            return 0.0
        ticks = int((now - due) / period) + 1
        if ticks > _MAX_TICKS_COUNTED_ONE_BY_ONE:  # a long suspension: the schedule goes on from now
            self.due = now + self.jittered(rng)
            return now - due + period
        self.due = due + ticks * period
        return ticks * period


class SignalSampler:
    """Queues (line key, stage, ms) samples of the main thread in `samples`, for the channel's
    thread to count. `active` turns False for good when the script takes the signal or sampling
    fails; `stopped_because` then says which."""

    @classmethod
    def install(cls, period_s, stage_of_main):
        """A running sampler, or None where one cannot run here (then the channel's thread samples)."""
        if (SIGNAL is None or not hasattr(threading, "get_native_id") or not hasattr(os, "register_at_fork")
                or threading.current_thread() is not threading.main_thread()
                or signal.getsignal(SIGNAL) != signal.SIG_DFL):  # someone else's already
            return None
        lib = _timer_functions()
        if lib is None:
            return None
        timer = ctypes.c_void_p()
        event = _Sigevent(signo=SIGNAL, notify=_SIGEV_THREAD_ID, thread_id=threading.get_native_id())
        if lib.timer_create(_CLOCK_MONOTONIC, ctypes.byref(event), ctypes.byref(timer)) != 0:
            return None
        cpu_timer = ctypes.c_void_p()
        if not _kernel_tick_readable() or lib.timer_create(_CLOCK_THREAD_CPUTIME_ID, ctypes.byref(event),
                                                           ctypes.byref(cpu_timer)) != 0:
            cpu_timer = None  # the wall clock only
        sampler = cls(lib, timer, cpu_timer, period_s, stage_of_main)
        try:
            signal.signal(SIGNAL, sampler._on_signal)
            signal.siginterrupt(SIGNAL, False)  # SA_RESTART: C extensions' system calls see no EINTR
        except (OSError, ValueError, RuntimeError):
            sampler.uninstall()
            return None
        signal.signal = sampler._guarded_signal
        os.register_at_fork(after_in_child=sampler._forked)
        signal_safe_streams.protect(SIGNAL)
        sampler._arm()
        return sampler

    def __init__(self, lib, timer, cpu_timer, period_s, stage_of_main):
        self.samples = deque(maxlen=MAX_PENDING)
        self.active = True
        self.stopped_because = None
        self._lib = lib
        self._timer = timer
        self._cpu_timer = cpu_timer  # None where the main thread's CPU clock has no timer
        self._timer_live = True
        self._armed = None  # the timer armed now: _timer, _cpu_timer or None
        self._main_cpu_clock = time.pthread_getcpuclockid(threading.get_ident()) if cpu_timer is not None else None
        self._watched = self._clocks()
        self._stage_of_main = stage_of_main
        self._rng = random.Random()  # the script's own random sequence must not depend on our sampling
        self._spec = _Itimerspec()
        # The wall clock's to begin with; `watch` moves it to the CPU clock while the main thread computes.
        self._schedule = _Schedule(False, period_s, time.monotonic(), self._rng)
        self._until_rejitter = REJITTER_TICKS
        self._ran = time.monotonic()  # when the handler last ran
        # Held while the timer is armed or deleted, so no thread arms a deleted timer. The handler
        # only tries it: it may run on the main thread while that thread holds it in uninstall().
        self._timer_lock = threading.Lock()
        self._original_signal = signal.signal
        self._guarded_signal = self._guard(signal.signal)

    @property
    def on_cpu(self):
        """Whether the ticks come from the main thread's CPU clock now."""
        return self._schedule.on_cpu

    def uninstall(self):
        """Stops sampling for good; from any thread. On the main thread the signal also gets its
        default disposition back, through SIG_IGN so that a signal still pending is discarded."""
        self.active = False
        self._delete_timers()
        if signal.signal is self._guarded_signal:
            signal.signal = self._original_signal
        if threading.current_thread() is threading.main_thread() and signal.getsignal(SIGNAL) == self._on_signal:
            self._original_signal(SIGNAL, signal.SIG_IGN)
            self._original_signal(SIGNAL, signal.SIG_DFL)

    # ---- the main thread ----------------------------------------------------------------------

    def _on_signal(self, signum, frame):
        if not self.active:
            return
        try:
            now = time.monotonic()
            schedule = self._schedule
            if schedule.on_cpu:  # its expiries up to the kernel's last tick, the one that signalled them
                reading = time.thread_time() - (now - time.clock_gettime(_CLOCK_MONOTONIC_COARSE))
            else:
                reading = now
            ms = schedule.seconds_until(reading, self._rng) * 1000.0
            stale, self._ran = now - self._ran > STALE_S, now
            self._until_rejitter -= 1
            if self._until_rejitter <= 0 or stale:
                self._until_rejitter = REJITTER_TICKS
                schedule.due += schedule.period * self._rng.uniform(-0.2, 0.2)  # a new phase
                # The next tick may already be due when the timer is set (a preempted handler): it then
                # fires at once, and were it handled right here, nested, it would find the timer lock
                # held and never arm again. Blocked, it waits until the timer is set and the lock free.
                unblock = signal.pthread_sigmask(signal.SIG_BLOCK, (SIGNAL,))
                try:
                    self._arm()  # before anything that could raise: even a KeyboardInterrupt keeps sampling going
                finally:
                    signal.pthread_sigmask(signal.SIG_SETMASK, unblock)
            if ms > 0.0:  # 0: a SIGPROF someone else sent, or a CPU tick the kernel has yet to signal
                self.samples.append((line_key(frame), self._stage_of_main(frame), ms))
        except Exception as exc:  # noqa: BLE001 - the script must never see an error of ours
            self._fail(exc)

    def watch(self):
        """From the channel's thread, at each flush: the ticks from the main thread's CPU clock
        when it was on its CPU for ON_CPU_SHARE of the time since the last call, else from the wall
        clock. A handler that has not run for STALE_S stops the period (the timer fires once more
        at its next tick, and our handler, when it runs, starts it again)."""
        if not self.active:
            return
        (now, cpu), (then, cpu_then) = self._clocks(), self._watched
        self._watched = now, cpu
        on_cpu = self._cpu_timer is not None and cpu - cpu_then >= ON_CPU_SHARE * (now - then)
        stale = now - self._ran > STALE_S
        if on_cpu != self.on_cpu:
            # The new clock's ticks count from the handler's last run, so the time since then (a C
            # call that kept the handler waiting, or the wait that made this interval fall short)
            # goes to the line the handler finds next, as it would have on the old clock. On the CPU
            # clock that is as much CPU time earlier: the thread was on its CPU all but 1% of it.
            start = cpu - (now - self._ran) if on_cpu else self._ran
            self._schedule = _Schedule(on_cpu, self._schedule.period, start, self._rng)
            self._arm(periodic=not stale, wait=True)
        elif stale:
            self._arm(periodic=False, wait=True)

    def set_period(self, period_s):
        """From the channel's thread: ticks every `period_s` from now on (the long run's rate). The
        next tick is a jittered new period away; the one the handler counts then may stand for up
        to an old period more or less than it did, once."""
        if not self.active:
            return
        on_cpu = self.on_cpu
        now, cpu = self._clocks()
        self._schedule = _Schedule(on_cpu, period_s, cpu if on_cpu else now, self._rng)
        self._arm(wait=True)

    def _clocks(self):
        """(wall, the main thread's CPU time) now, in seconds."""
        return time.monotonic(), time.clock_gettime(self._main_cpu_clock) if self._main_cpu_clock is not None else 0.0

    def _arm(self, periodic=True, wait=False):
        """Arms the timer of the schedule in use for its next tick (an absolute time on its clock),
        and every period after it unless not `periodic`, and disarms the other. From the handler the
        lock is only tried (`wait` False): it may have interrupted its own thread's holder."""
        if not self._timer_lock.acquire(blocking=wait):
            return  # being deleted, or armed from another thread right now
        try:
            if self._timer_live:
                schedule = self._schedule
                timer = self._cpu_timer if schedule.on_cpu else self._timer
                spec, period, at = self._spec, schedule.period if periodic else 0.0, schedule.due
                spec.it_interval.tv_sec = int(period)
                spec.it_interval.tv_nsec = int((period - int(period)) * 1e9)
                # A time already past fires at once, so no tick is lost.
                spec.it_value.tv_sec = int(at)
                spec.it_value.tv_nsec = int((at - int(at)) * 1e9)
                self._settime(timer, _TIMER_ABSTIME, spec)
                if self._armed is not None and self._armed is not timer:
                    self._settime(self._armed, 0, _Itimerspec())
                self._armed = timer
        finally:
            self._timer_lock.release()

    def _settime(self, timer, flags, spec):
        if self._lib.timer_settime(timer, flags, ctypes.byref(spec), None) != 0:
            raise OSError(ctypes.get_errno(), "timer_settime failed")

    def _guard(self, original):
        @functools.wraps(original)
        def guarded_signal(signalnum, handler):
            # The script takes SIGPROF: our timer goes first, so its handler never sees our signal.
            if signalnum == SIGNAL and self.active:
                self.active = False
                self.stopped_because = "the script installed its own SIGPROF handler"
                self._delete_timers()
            return original(signalnum, handler)

        return guarded_signal

    def _fail(self, exc):
        self.active = False
        self.stopped_because = "the signal sampler failed: %r" % (exc,)
        self._delete_timers()

    def _delete_timers(self):
        with self._timer_lock:
            if self._timer_live:
                self._timer_live = False
                self._lib.timer_delete(self._timer)
                if self._cpu_timer is not None:
                    self._lib.timer_delete(self._cpu_timer)

    def _forked(self):
        # The child has no timer (fork does not copy POSIX timers) and no pending signal; the lock
        # may have been copied held by a thread the child does not have.
        self.active = False
        self._timer_live = False
        self._timer_lock = threading.Lock()
        try:
            self.uninstall()
        except Exception:  # noqa: BLE001 - a DataLoader worker must start whatever happens here
            pass
