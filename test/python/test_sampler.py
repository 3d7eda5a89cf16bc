"""The main thread's signal sampler: hot lines of real runs against each script's own clock, and
scripts that use signals or block run under the runner exactly as they run plainly."""
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (EXAMPLES, SCRIPTS, TORCH_PYTHON, Host, line_of, of_type, oldest_python, run_plain,  # noqa: E402
                     run_recorded, script_result)

STEP_STAGES = ("data", "forward", "backward", "optimizer", "other")


def record(argv, cwd, python=TORCH_PYTHON):
    host = Host()
    try:
        result = run_recorded(argv, host.options(), python=python, cwd=cwd)
        return result, host.events()
    finally:
        host.close()


def line_ms(events, stages=None):
    """(file, line) -> {stage: ms} over every `lines` batch, for the given stages (None: all)."""
    lines = {}
    for batch in of_type(events, "lines"):
        for entry in batch["entries"]:
            if stages is None or entry["stage"] in stages:
                by_stage = lines.setdefault((entry["file"], entry["line"]), {})
                by_stage[entry["stage"]] = by_stage.get(entry["stage"], 0.0) + entry["ms"]
    return lines


class PythonTransform(unittest.TestCase):
    """The thread sampler never saw this transform (it ran between two GIL-releasing torch calls,
    in stretches shorter than the switch interval); the signal sampler must."""

    def test_the_transform_is_the_top_data_line_with_its_share_of_the_steps(self):
        # 400 steps give ~350 samples in steps: enough for the share's sampling error to stay well
        # inside the bound below (150 steps gave ~135 samples and failed one CI run in many).
        result, events = record(["python_transform.py", "--steps", "400"], EXAMPLES)
        self.assertEqual(result.returncode, 0, result.stderr)
        truth = script_result(result.stdout)
        path = os.path.join(EXAMPLES, "python_transform.py")
        in_steps = line_ms(events, STEP_STAGES)
        in_data = sorted(((by_stage["data"], where) for where, by_stage in in_steps.items() if "data" in by_stage), reverse=True)
        self.assertEqual(in_data[0][1], (path, line_of(path, "# TRANSFORM LINE")))
        steps_ms = sum(sum(by_stage.values()) for by_stage in in_steps.values())
        transform_ms = sum(in_steps[(path, line_of(path, "# TRANSFORM LINE"))].values())
        # The share is a proportion of samples, so its error is binomial: allow four standard errors
        # of this run's own sample count, plus 0.03 for what the ticks and the script's clock see
        # differently (ticks land on the next line the interpreter checks for signals; measured over
        # 10 runs on a 2-core VM, quiet and beside a busy core: the share was 0.01 to 0.09 low).
        samples = sum(e["count"] for batch in of_type(events, "lines") for e in batch["entries"] if e["stage"] in STEP_STAGES)
        share = truth["transformShare"]
        bound = 4 * math.sqrt(share * (1 - share) / samples) + 0.03
        self.assertAlmostEqual(transform_ms / steps_ms, share, delta=bound,
                               msg=f"{samples} samples in steps; bound {bound:.3f}")
        # Weighted samples stand for wall time: those taken in steps add up to the loop's own time.
        self.assertAlmostEqual(steps_ms / 1000.0 / truth["loopS"], 1.0, delta=0.1)


class ScriptsRunUnchanged(unittest.TestCase):
    """Same stdout, stderr and exit code as plain Python, on the torch interpreter and the oldest
    supported one."""

    def pythons(self):
        return [TORCH_PYTHON] + ([oldest_python()] if oldest_python() else [])

    def check_unchanged(self, script, python):
        plain = run_plain([script], python=python, cwd=SCRIPTS)
        recorded, events = record([script], SCRIPTS, python=python)
        self.assertEqual((recorded.returncode, recorded.stderr), (plain.returncode, plain.stderr))
        return plain, recorded, events

    def test_a_script_with_its_own_sigprof_handler(self):
        for python in self.pythons():
            with self.subTest(python=python):
                plain, recorded, events = self.check_unchanged("signal_own_handler.py", python)
                self.assertEqual(recorded.stdout, plain.stdout)
                self.assertEqual(plain.stdout, "handled 5 of 5 signals\nstill alive with the default action\n")
                log, = of_type(events, "log")
                self.assertIn("the script installed its own SIGPROF handler", log["message"])
                # The channel's thread samples on after the hand-over.
                path = os.path.join(SCRIPTS, "signal_own_handler.py")
                after = [line for (file, line) in line_ms(events) if file == path and line > line_of(path, "signal.signal(signal.SIGPROF, lambda")]
                self.assertTrue(after, line_ms(events))

    def test_a_script_using_signal_alarm(self):
        for python in self.pythons():
            with self.subTest(python=python):
                plain, recorded, _ = self.check_unchanged("signal_alarm.py", python)
                self.assertEqual(recorded.stdout, plain.stdout)
                self.assertEqual((plain.returncode, plain.stdout), (3, "the alarm stopped the loop: True\n"))

    def test_a_script_that_forks(self):
        for python in self.pythons():
            with self.subTest(python=python):
                plain, recorded, _ = self.check_unchanged("signal_fork.py", python)
                self.assertEqual(recorded.stdout, plain.stdout)
                self.assertNotIn("False", plain.stdout)

    def test_a_script_blocking_with_the_gil_released(self):
        for python in self.pythons():
            with self.subTest(python=python):
                plain, recorded, events = self.check_unchanged("signal_blocking.py", python)
                lines = recorded.stdout.splitlines()
                self.assertEqual(lines[:-1], plain.stdout.splitlines()[:-1])
                self.assertNotIn("False", recorded.stdout)
                # The sleep, taken with the GIL released, is measured on its own line.
                path = os.path.join(SCRIPTS, "signal_blocking.py")
                sleep_ms = sum(line_ms(events)[(path, line_of(path, "# SLEEP LINE"))].values())
                self.assertAlmostEqual(sleep_ms / 1000.0 / script_result(recorded.stdout)["sleepS"], 1.0, delta=0.1)


if __name__ == "__main__":
    unittest.main()
