"""The signal sampler's two clocks (signal_sampler.py): a main thread that computes is sampled on
its CPU clock, one that waits on the wall clock, and either way the samples count the wall time of
each phase on the line where it went. Which clock each interval between two watch() calls should
have chosen comes from this test's own reading of the main thread's CPU clock over it."""
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "runners", "python"))
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

if __name__ == "__main__":
    unittest.main()
