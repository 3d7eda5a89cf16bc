"""The long run's sampling rate (RunnerOptions.longRun): a run samples at sampleHz until afterS
seconds into it, then at the long run's rate, and either way each sample weighs the wall time it
stands for, so the lines still add up to the run's time. The phases are told apart by the
lines events' own clock, and what a sample should weigh comes from the rates the run was given."""
import os
import unittest

from harness import SCRIPTS, Host, of_type, run_recorded

SAMPLE_HZ, LONG_RUN_HZ, AFTER_S = 100, 10, 1.0
SPIN_S = 4.0


class LongRunRate(unittest.TestCase):
    def test_slows_to_the_long_run_rate_after_its_start_and_weighs_each_sample_by_its_interval(self):
        host = Host()
        try:
            options = host.options(sampleHz=SAMPLE_HZ, longRun={"sampleHz": LONG_RUN_HZ, "afterS": AFTER_S})
            result = run_recorded([os.path.join(SCRIPTS, "busy.py"), str(SPIN_S)], options, cwd=SCRIPTS)
            self.assertEqual(result.returncode, 0, result.stderr)
            events = host.events()
        finally:
            host.close()
        hello = events[0]
        self.assertEqual((hello["sampleHz"], hello["longRunSampleHz"], hello["longRunAfterS"]), (SAMPLE_HZ, LONG_RUN_HZ, AFTER_S))

        # A batch's `t` is when it was flushed (ms since the runner's origin): the switch happens at
        # the first flush past AFTER_S, so batches ending before AFTER_S are at the full rate, and
        # those starting a flush period after it at the long run's.
        batches = of_type(events, "lines")
        before = [b for b in batches if b["t"] <= AFTER_S * 1000.0]
        after = [b for b in batches if b["t"] - b["periodMs"] >= AFTER_S * 1000.0 + 250.0]
        self.assertTrue(before and after, "batches at %r" % [b["t"] for b in batches])

        def ms_per_sample(phase):
            samples = sum(b["samples"] for b in phase)
            ms = sum(e["ms"] for b in phase for e in b["entries"])
            period = sum(b["periodMs"] for b in phase)
            # Every sample stands for its interval: together they cover the phase's wall time.
            self.assertAlmostEqual(ms, period, delta=0.1 * period + 2000.0 / LONG_RUN_HZ)
            return ms / samples, samples

        full, full_samples = ms_per_sample(before)
        slow, slow_samples = ms_per_sample(after)
        # A sample covers one period, or more where the handler ran late (a busy machine): never less.
        self.assertGreaterEqual(full, 0.9 * 1000.0 / SAMPLE_HZ, "%d samples before" % full_samples)
        self.assertGreaterEqual(slow, 0.9 * 1000.0 / LONG_RUN_HZ, "%d samples after" % slow_samples)
        self.assertLess(full, slow / 2, "%.1f ms a sample before the long run, %.1f after" % (full, slow))


if __name__ == "__main__":
    unittest.main()
