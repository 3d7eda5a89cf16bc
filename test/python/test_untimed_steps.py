"""A DataLoader gap's untimed steps go out as one queue item (step_records.UntimedSteps) and the
sender formats them in one go: the lines must be byte for byte those of the same steps posted one
by one as step tuples (the wire format the host decodes), whatever the gap's marks."""
import random
import unittest

from harness import ROOT  # noqa: F401 - puts the runner on sys.path
from trainlens_runner.ceiling import WARMUP_STEPS, CeilingProbe
from trainlens_runner.channel import encode
from trainlens_runner.step_records import UNTIMED, UntimedSteps


def random_gap(rng):
    """(UntimedSteps, the step tuples the hooks posted one by one before): boundaries at random
    times, sizes including None (a batch with no tensor) and a last batch still loading."""
    origin = 1000.0 + rng.random()
    index, t0, samples = rng.randrange(10 ** 6), origin + rng.random() * 100, rng.choice([32, 7, None])
    marks, records, start, size = [], [], t0, samples
    for _ in range(rng.randrange(1, 300)):
        t = start + rng.random() * rng.choice([1e-5, 1e-3, 1.0])
        marks.append(t)
        records.append((index + len(records), (start - origin) * 1000.0, (t - start) * 1000.0, size) + UNTIMED)
        start, size = t, rng.choice([32, 32, 32, 5, 0, None])
        marks.append(size)
    if rng.random() < 0.5:
        marks.pop()  # the gap ended while its next batch loaded
    return UntimedSteps(index, t0, samples, tuple(marks), origin), records


class UntimedStepLines(unittest.TestCase):
    def test_a_gaps_lines_are_those_of_its_steps_one_by_one(self):
        rng = random.Random(13)
        for _ in range(500):
            steps, records = random_gap(rng)
            self.assertEqual(steps.records(), records)
            self.assertEqual(len(steps), len(records))
            self.assertEqual(encode(steps), "".join(encode(record) for record in records))

    def test_the_compute_probe_counts_each_of_a_gaps_steps(self):
        # A compute-only ceiling probe past the first steps (stage_windows.HEAD_STEPS): its steps
        # come from a DataLoader gap, and it ends on the step it needs, from their own times.
        steps, records = random_gap(random.Random(5))
        self.assertGreater(len(records), WARMUP_STEPS + 3)
        ended, posted = [], []
        probe = CeilingProbe("compute-only", 3, lambda event, note: ended.append(event))
        probe.watch_steps(posted.append)(steps)
        self.assertEqual(posted, [steps])
        seconds = sum(record[2] for record in records[WARMUP_STEPS:WARMUP_STEPS + 3]) / 1000.0
        self.assertEqual(len(ended), 1)
        self.assertAlmostEqual(ended[0]["batchesPerSec"], 3 / seconds)


if __name__ == "__main__":
    unittest.main()
