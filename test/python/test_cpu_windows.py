"""The main thread's CPU clock is read in windows (trainlens_runner/cpu_windows.py): on fast steps
only some steps carry dataCpuMs, each of them a whole step, micro-batches included; the rest carry
none rather than a wrong figure. The figures themselves are checked against a loop's own thread clock in
test_loop_shapes.DataStageCpu."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SCRIPTS, script_result  # noqa: E402
from test_recording import RecordedExample  # noqa: E402


class CpuWindows(RecordedExample):
    def check_windows(self, argv):
        result, events, steps = self.check_run(argv, cwd=SCRIPTS, unstaged=True)
        self.assertEqual(len(steps), script_result(result.stdout)["steps"])
        measured = [s for s in steps if "dataCpuMs" in s]
        # Steps far shorter than a window's period: some measured, most not.
        self.assertGreater(len(measured), 0)
        self.assertLess(len(measured), len(steps) / 2)
        self.assertTrue(all(s["dataCpuMs"] >= 0 for s in measured))
        return steps, measured

    def test_fast_loader_steps(self):
        self.check_windows(["loop_accumulation.py", "--loader", "--accum", "1", "--steps", "2000"])

    def test_accumulated_steps_are_measured_whole(self):
        steps, measured = self.check_windows(["loop_accumulation.py", "--loader", "--accum", "4", "--steps", "600"])
        self.assertEqual({s["micro"] for s in measured}, {4})


if __name__ == "__main__":
    unittest.main()
