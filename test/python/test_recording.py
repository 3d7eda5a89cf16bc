"""Real PyTorch runs of the examples under the runner, checked against each script's own figure
and constructed ground truth."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (EXAMPLES, SCRIPTS, WARNING, Host, hot_lines, line_of, of_type, recorded_rate,  # noqa: E402
                     run_plain, run_recorded, script_result, stage_shares)

STAGES = ["data", "forward", "backward", "optimizer", "other"]
# Absolute, in share of the step: the runner starts a step at the DataLoader's __next__, the loop's
# own clock where its body ended, a few Python statements apart.
SHARE_TOLERANCE = 0.05


def record(argv, cwd=EXAMPLES, **options):
    host = Host()
    try:
        result = run_recorded(argv, host.options(**options), cwd=cwd)
        return result, host.events()
    finally:
        host.close()


class RecordedExample(unittest.TestCase):
    """Checks every recorded run shares: handshake, framework, steps adding up, a clean bye."""

    def check_run(self, argv, exit_code=0, cwd=EXAMPLES, unstaged=False):
        """`unstaged`: steps may come without stages (a fast loop timed in windows, stage_windows.py)."""
        result, events = record(argv, cwd=cwd)
        self.assertEqual(result.returncode, exit_code, result.stderr)
        self.assertNotIn(WARNING, result.stderr)
        hello = events[0]
        self.assertEqual((hello["script"], hello["argv"], hello["cwd"]), (os.path.join(cwd, argv[0]), argv, cwd))
        framework, = of_type(events, "framework")
        self.assertEqual((framework["name"], framework["device"], framework["stages"]), ("pytorch", "cpu", STAGES))
        steps = of_type(events, "step")
        self.assertEqual([s["index"] for s in steps], list(range(len(steps))))
        for step in steps:
            if unstaged and not step["stages"]:
                self.assertGreater(step["ms"], 0.0)
                continue
            self.assertEqual(sorted(step["stages"]), sorted(STAGES))
            self.assertAlmostEqual(sum(step["stages"].values()), step["ms"], delta=0.01)
        bye = events[-1]
        self.assertEqual((bye["type"], bye["exitCode"], bye["steps"]), ("bye", exit_code, len(steps)))
        return result, events, steps

    def check_throughput(self, result, steps):
        script = script_result(result.stdout)
        self.assertEqual(len(steps), script["steps"])
        self.assertAlmostEqual(recorded_rate(steps) / script["batchesPerSec"], 1.0, delta=0.05)

    def check_data_share(self, result, steps):
        """The data stage's share matches the loop's own split of its steps (same steps, 2 on)."""
        own = script_result(result.stdout)["dataShare"]
        self.assertAlmostEqual(stage_shares(steps[2:])["data"], own, delta=SHARE_TOLERANCE)


class Examples(RecordedExample):
    def test_input_bound(self):
        result, events, steps = self.check_run(["input_bound.py"])
        self.check_throughput(result, steps)
        self.check_data_share(result, steps)
        self.assertEqual({s["samples"] for s in steps}, {8})
        loader, = of_type(events, "loader")
        path = os.path.join(EXAMPLES, "input_bound.py")
        self.assertEqual((loader["file"], loader["line"]), (path, line_of(path, "loader = DataLoader(")))
        self.assertEqual((loader["batchSize"], loader["numWorkers"], loader["pinMemory"]), (8, 0, False))
        # The top line of the training loop: start-up (`import torch`) can outweigh it on a slow CPU.
        (file, line), (count, stages) = next(item for item in hot_lines(events) if set(item[1][1]) != {"startup"})
        self.assertEqual((file, line, max(stages, key=stages.get)), (path, line_of(path, "time.sleep"), "data"))

    def test_compute_bound(self):
        result, events, steps = self.check_run(["compute_bound.py"])
        self.check_throughput(result, steps)
        self.check_data_share(result, steps)
        self.assertTrue(all(sum(s["stages"][stage] for s in steps) > 0 for stage in ("forward", "backward", "optimizer")))

    def test_no_dataloader(self):
        result, events, steps = self.check_run(["no_dataloader.py"])
        self.check_throughput(result, steps)
        self.assertEqual(of_type(events, "loader"), [])
        self.assertEqual({s["samples"] for s in steps}, {32})
        self.assertEqual({s["stages"]["data"] for s in steps}, {0})

    def test_hot_line(self):
        result, events, steps = self.check_run(["hot_line.py"])
        self.check_throughput(result, steps)
        path = os.path.join(EXAMPLES, "hot_line.py")
        (file, line), (count, stages) = hot_lines(events)[0]
        self.assertEqual((file, line), (path, line_of(path, "# HOT LINE")))
        self.assertEqual(max(stages, key=stages.get), "other")
        self.assertGreaterEqual(count, 30)

    def test_crash_at_step_keeps_n_steps_and_reports_the_line(self):
        argv = ["crash_at_step.py", "--crash-at", "6"]
        result, events, steps = self.check_run(argv, exit_code=1)
        self.assertEqual(len(steps), 6)
        path = os.path.join(EXAMPLES, "crash_at_step.py")
        error, = of_type(events, "error")
        self.assertEqual(error, {"type": "error", "message": "bad batch at step 6", "excType": "ValueError",
                                 "file": path, "line": line_of(path, "# CRASH LINE")})
        self.assertEqual(events[-1]["reason"], "exception")
        self.assertEqual(result.stderr, run_plain(argv).stderr)  # the very traceback plain python prints
        self.assertTrue(result.stderr.startswith("Traceback (most recent call last):\n  File \"%s\"" % path))


class Workers(RecordedExample):
    """DataLoader workers inherit nothing that can write to the socket (one connection, every
    line valid) and neither crash nor hang."""

    def test_fork_and_spawn_workers(self):
        for context in ("fork", "spawn"):
            with self.subTest(context=context):
                result, events, steps = self.check_run(["parallel_loader.py", "--steps", "20", "--workers", "2", "--mp-context", context], cwd=SCRIPTS)
                self.assertEqual(len(steps), script_result(result.stdout)["steps"])
                self.assertEqual(of_type(events, "loader")[0]["numWorkers"], 2)
                self.check_data_share(result, steps)


class InternalFailure(unittest.TestCase):
    def test_a_failing_hook_switches_off_once_and_training_goes_on(self):
        result, events = record(["broken_batch.py"], cwd=SCRIPTS)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "trained on 40 samples; __next__ from torch.utils.data.dataloader\n")
        warning, = result.stderr.splitlines()
        self.assertTrue(warning.startswith(WARNING + "hook failed: RuntimeError("), warning)
        log, = of_type(events, "log")
        self.assertEqual((log["level"], events[-1]), ("warn", log))
        self.assertEqual(of_type(events, "bye"), [])


if __name__ == "__main__":
    unittest.main()
