"""Ceiling probes without torch: the step counting and the ways a probe ends (ceiling.py)."""
import unittest

import harness  # noqa: F401 - puts the runner on sys.path
from trainlens_runner.ceiling import WARMUP_STEPS, probe_from_options


class Ended(Exception):
    """Stands in for os._exit: `end` never returns."""


def probe(mode, steps=3):
    ends = []

    def end(event, note):
        ends.append((event, note))
        raise Ended()
    return probe_from_options({"probe": mode, "probeSteps": steps}, end), ends


def step(ms):
    return (0, 0.0, ms, None, 0.0, 0.0, 0.0, 0.0, None)  # a recorder step record: ms is third


class CeilingProbeTest(unittest.TestCase):
    def test_no_probe_for_a_normal_run(self):
        self.assertIsNone(probe_from_options({}, None))
        self.assertIsNone(probe_from_options({"probe": None}, None))

    def test_compute_rate_from_the_steps_after_warm_up(self):
        ceiling, ends = probe("compute-only", steps=3)
        posted = []
        post = ceiling.watch_steps(posted.append)
        for _ in range(WARMUP_STEPS):
            post(step(1000.0))  # slow warm-up steps are left out
        post({"type": "loader"})
        post(step(20.0))
        post(step(20.0))
        with self.assertRaises(Ended):
            post(step(20.0))
        self.assertEqual(ends, [({"type": "ceiling", "kind": "compute", "batchesPerSec": 50.0, "steps": 3}, None)])
        self.assertEqual(len(posted), WARMUP_STEPS + 4, "every event still reaches the channel")

    def test_a_short_script_reports_what_it_measured_at_exit(self):
        ceiling, _ = probe("compute-only", steps=30)
        post = ceiling.watch_steps(lambda event: None)
        for _ in range(WARMUP_STEPS):
            post(step(1000.0))
        self.assertIsNone(probe("compute-only")[0].at_exit())
        post(step(10.0))
        self.assertEqual(ceiling.at_exit(), {"type": "ceiling", "kind": "compute", "batchesPerSec": 100.0, "steps": 1})

    def test_data_only_ends_with_a_note_at_a_step_before_any_loader(self):
        ceiling, ends = probe("data-only")
        with self.assertRaises(Ended):
            ceiling.watch_steps(lambda event: None)(step(5.0))
        self.assertIsNone(ends[0][0])
        self.assertIn("no data ceiling", ends[0][1])
        self.assertIsNone(ceiling.at_exit())

    def test_bad_step_counts_fall_back_to_the_default(self):
        self.assertEqual(probe_from_options({"probe": "data-only", "probeSteps": True}, None)._steps, 30)
        self.assertEqual(probe_from_options({"probe": "data-only", "probeSteps": 0}, None)._steps, 30)


if __name__ == "__main__":
    unittest.main()
