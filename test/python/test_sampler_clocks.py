"""The signal sampler's two clocks (signal_sampler.py): a main thread that computes is sampled on
its CPU clock, one that waits on the wall clock, and either way the samples count the wall time of
each phase on the line where it went. Which clock each interval between two watch() calls should
have chosen comes from this test's own reading of the main thread's CPU clock over it."""
import hashlib
import math
import os
import random
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "runners", "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import line_of  # noqa: E402
from trainlens_runner.signal_sampler import SignalSampler  # noqa: E402

PERIOD_S = 0.01
WATCH_S = 0.25  # the channel's flush period, at which it calls watch()
PHASE_S = 2.0
HERE = os.path.abspath(__file__)


def compute(seconds):
    end = time.perf_counter() + seconds
    count = 0
    while time.perf_counter() < end:
        count += 1
    return count


def wait(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        time.sleep(0.003)


def python_then_c(seconds):
    """Steps of a Python stretch of 0.5-1.5 ms, then one C call of 2-4 ms that stays on the CPU
    (hashing, GIL released), their lengths random so that no period lines up with the kernel's
    tick. Returns the Python stretches' share of the time by this loop's own clock."""
    now = time.perf_counter
    started = now()
    hashlib.sha256(bytes(1 << 20))
    per_byte = (now() - started) / (1 << 20)
    blocks = [bytes(int(ms / 1000.0 / per_byte)) for ms in (2.0, 2.5, 3.0, 3.5, 4.0)]
    rng = random.Random(1)
    python_s = c_s = 0.0
    end = now() + seconds
    while now() < end:
        t = now()
        until, block = t + rng.uniform(0.0005, 0.0015), rng.choice(blocks)
        while now() < until:  # PYTHON STRETCH
            pass
        u = now()
        hashlib.sha256(block).digest()  # C CALL
        python_s, c_s = python_s + u - t, c_s + now() - u
    return python_s / (python_s + c_s)


class Watcher(threading.Thread):
    """The channel's part: watch() every WATCH_S; beside it, the main thread's CPU share over each
    interval as this test reads it, and the clock the sampler chose after it."""

    def __init__(self, sampler):
        super().__init__(daemon=True)
        self.sampler = sampler
        self.intervals = []  # (main thread's CPU share, sampler.on_cpu after watch())
        self.stop = threading.Event()
        self._main_clock = time.pthread_getcpuclockid(threading.main_thread().ident)

    def run(self):
        then, cpu_then = time.monotonic(), time.clock_gettime(self._main_clock)
        while not self.stop.wait(WATCH_S):
            now, cpu = time.monotonic(), time.clock_gettime(self._main_clock)
            self.sampler.watch()
            self.intervals.append(((cpu - cpu_then) / (now - then), self.sampler.on_cpu))
            then, cpu_then = now, cpu


class SamplerClocks(unittest.TestCase):
    def test_computing_on_the_cpu_clock_waiting_on_the_wall_clock_both_in_wall_time(self):
        sampler = SignalSampler.install(PERIOD_S, lambda frame: "other")
        if sampler is None:
            self.skipTest("no signal sampler on this platform")
        watcher = Watcher(sampler)
        phases = []  # (function, wall s, samples)
        try:
            watcher.start()
            for work in (compute, wait, compute):
                sampler.samples.clear()
                started = time.monotonic()
                work(PHASE_S)
                phases.append((work.__name__, time.monotonic() - started, list(sampler.samples)))
        finally:
            watcher.stop.set()
            watcher.join()
            sampler.uninstall()

        for function, wall_s, samples in phases:
            with self.subTest(phase=function):
                counted_s = sum(ms for _, _, ms in samples) / 1000.0
                in_function_s = sum(ms for key, _, ms in samples if key is not None and key[0] == HERE and key[3] == function) / 1000.0
                # Every tick of the phase is counted once, give or take the ticks at its two ends.
                self.assertAlmostEqual(counted_s, wall_s, delta=3 * PERIOD_S + 0.02 * wall_s)
                self.assertGreater(in_function_s / wall_s, 0.9, "%.2f s of %.2f in %s()" % (in_function_s, wall_s, function))

        # The CPU clock for an interval with the main thread on its CPU for 99% or more of it, else
        # the wall clock. This reading is a hair apart from watch()'s own, and a preemption of the
        # watcher between the two moves it: so only clear cases count, and most of them must agree.
        computing = [on_cpu for share, on_cpu in watcher.intervals if share >= 0.995]
        waiting = [on_cpu for share, on_cpu in watcher.intervals if share <= 0.98]
        self.assertGreaterEqual(len(waiting), 4, "the wait phase's intervals: %r" % (watcher.intervals,))
        self.assertLessEqual(sum(waiting), len(waiting) // 5, "off the CPU, yet on its clock: %r" % (watcher.intervals,))
        if computing:
            self.assertGreaterEqual(sum(computing), len(computing) * 4 // 5, "on the CPU, yet on the wall clock: %r" % (watcher.intervals,))
        else:
            print("  (the machine kept the main thread off its CPU for over 0.5% of every interval: "
                  "the CPU clock was not exercised)", file=sys.stderr)

    def test_a_cpu_clock_tick_goes_to_the_line_the_kernel_signalled_it_in(self):
        # Ticks every 1 ms: the kernel signals the CPU clock's expiries only at its scheduler tick
        # (every 4 ms at HZ=250), so most handler runs find several expiries. Counted for the line
        # found when the handler runs, they moved the Python stretch's time to the C call after it:
        # its share read 0.04-0.05 under this loop's clock in four runs of this test (two of them
        # past its bound), and 0.001-0.011 apart once counted where the kernel signalled them.
        sampler = SignalSampler.install(0.001, lambda frame: "other")
        if sampler is None:
            self.skipTest("no signal sampler on this platform")
        watcher = Watcher(sampler)
        try:
            watcher.start()
            wall_started = time.monotonic()
            clock_share = python_then_c(12.0)
            wall_s = time.monotonic() - wall_started
        finally:
            watcher.stop.set()
            watcher.join()
            sampler.uninstall()
        samples = [(key, ms) for key, _, ms in sampler.samples if key is not None and key[0] == HERE]
        counted_ms = sum(ms for _, ms in samples)
        stretch_line = line_of(HERE, "# PYTHON STRETCH")
        python_ms = sum(ms for key, ms in samples if key[1] == stretch_line)
        share = python_ms / counted_ms
        on_cpu = sum(on for _, on in watcher.intervals)
        print("  (the CPU clock in %d of %d intervals; %d samples; the Python stretch %.3f of them, %.3f by the clock)"
              % (on_cpu, len(watcher.intervals), len(samples), share, clock_share), file=sys.stderr)
        self.assertAlmostEqual(counted_ms / 1000.0, wall_s, delta=0.02 * wall_s + 0.05)
        # A share of samples: four standard errors of this run's count, plus 0.01 for the ticks
        # that land on the loop's bookkeeping lines, which the clock gives to neither part.
        bound = 4 * math.sqrt(clock_share * (1 - clock_share) / len(samples)) + 0.01
        self.assertAlmostEqual(share, clock_share, delta=bound, msg="%d samples; bound %.3f" % (len(samples), bound))


if __name__ == "__main__":
    unittest.main()
