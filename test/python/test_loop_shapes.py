"""Real PyTorch loops of every common shape under the runner, each checked against the script's
own count and clock: GANs (two optimizers per step), LBFGS (a closure), gradient accumulation over
token batches, updates by hand, evaluation passes, and the data stage's main-thread CPU time."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SCRIPTS, line_of, of_type, script_result, stage_shares  # noqa: E402
from test_recording import RecordedExample  # noqa: E402

# Absolute, in share of the step: the script's own timers and the runner's stages sit a few
# Python statements apart (LBFGS's zero_grad is in the script's closure time, the runner's optimizer).
SHARE_TOLERANCE = 0.1
# Relative: an evaluation pass and the training time, timed by the script around its loops and
# by the runner from the first to the last batch.
TIME_TOLERANCE = 0.15


class LoopShapes(RecordedExample):
    def test_a_gan_steps_two_optimizers_per_step(self):
        path = os.path.join(SCRIPTS, "loop_gan.py")
        for argv, anchor in ((["loop_gan.py"], "optimizer"), (["loop_gan.py", "--loader"], "dataloader")):
            with self.subTest(argv=argv):
                result, events, steps = self.check_run(argv, cwd=SCRIPTS)
                self.check_throughput(result, steps)
                self.assertEqual({s["samples"] for s in steps}, {script_result(result.stdout)["batch"]})
                self.assertEqual([(a["anchor"], "2 optimizers per step" in a["detail"]) for a in of_type(events, "anchor")], [(anchor, True)])
                self.assertEqual([(o["kind"], o["file"], o["line"], o["closure"], o["foreach"]) for o in of_type(events, "optimizer")],
                                 [("torch.optim.adam.Adam", path, line_of(path, "opt_d = "), False, False),
                                  ("torch.optim.adam.Adam", path, line_of(path, "opt_g = "), False, None)])

    def test_lbfgs_counts_its_closure_as_forward_and_backward(self):
        result, events, steps = self.check_run(["loop_lbfgs.py"], cwd=SCRIPTS)
        self.check_throughput(result, steps)
        closure_share = script_result(result.stdout)["closureShare"]
        shares = stage_shares(steps[2:])
        self.assertGreater(min(shares["forward"], shares["backward"]), 0.0)
        self.assertAlmostEqual(shares["forward"] + shares["backward"], closure_share, delta=SHARE_TOLERANCE)
        self.assertAlmostEqual(shares["optimizer"], 1.0 - closure_share, delta=SHARE_TOLERANCE)
        path = os.path.join(SCRIPTS, "loop_lbfgs.py")
        self.assertEqual(of_type(events, "optimizer"), [{"type": "optimizer", "kind": "torch.optim.lbfgs.LBFGS", "file": path,
                                                         "line": line_of(path, "# OPTIMIZER LINE"), "closure": True, "foreach": None}])
        self.assertIn("LBFGS.step with a closure", of_type(events, "anchor")[0]["detail"])

    def test_gradient_accumulation_is_one_step_of_micro_batches_with_their_tokens(self):
        for argv in (["loop_accumulation.py"], ["loop_accumulation.py", "--loader"]):
            with self.subTest(argv=argv):
                result, events, steps = self.check_run(argv, cwd=SCRIPTS)
                self.check_throughput(result, steps)
                own = script_result(result.stdout)
                micro, b, t = own["accum"], own["B"], own["T"]
                self.assertEqual({(s["micro"], s["samples"], s["tokens"]) for s in steps}, {(micro, micro * b, micro * b * t)})
                self.assertEqual(sum(s["tokens"] for s in steps), b * t * micro * own["steps"])

    def test_updates_by_hand_make_a_step_per_backward(self):
        result, events, steps = self.check_run(["loop_manual.py"], cwd=SCRIPTS)
        self.check_throughput(result, steps)
        own = script_result(result.stdout)
        self.assertEqual({s["tokens"] for s in steps}, {own["T"] * own["B"]})
        self.assertEqual(of_type(events, "optimizer"), [])
        self.assertEqual([a["anchor"] for a in of_type(events, "anchor")], ["backward"])

    def test_evaluation_passes_are_reported_apart_from_the_steps(self):
        for argv in (["loop_eval.py"], ["loop_eval.py", "--loader"]):
            with self.subTest(argv=argv):
                result, events, steps = self.check_run(argv, cwd=SCRIPTS)
                own = script_result(result.stdout)
                self.assertEqual(len(steps), own["steps"])
                passes = of_type(events, "eval")
                self.assertEqual([(e["batches"], e["samples"]) for e in passes], [(own["evalBatches"], own["evalSamples"])] * len(own["evalMs"]))
                for recorded, measured in zip(passes, own["evalMs"]):
                    self.assertAlmostEqual(recorded["ms"] / measured, 1.0, delta=TIME_TOLERANCE)
                self.assertAlmostEqual(sum(s["ms"] for s in steps) / 1000.0 / own["trainS"], 1.0, delta=TIME_TOLERANCE)


class DataStageCpu(RecordedExample):
    def test_data_cpu_time_is_the_main_threads_own(self):
        """A loader that sleeps reads near 0, one that computes in the main process near its wall
        time: as the loop's own thread clock splits its wait for the batch (same steps, 2 on)."""
        for load in ("sleep", "compute"):
            with self.subTest(load=load):
                # Steps enough for several of the runner's CPU windows (cpu_windows.py) past the first two steps.
                result, events, steps = self.check_run(["loop_loader_cpu.py", "--load", load, "--steps", "200"], cwd=SCRIPTS)
                own = script_result(result.stdout)
                self.assertEqual(len(steps), own["steps"])
                own = own["dataCpuShare"]
                measured = [s for s in steps[2:] if "dataCpuMs" in s]
                self.assertGreater(len(measured), 0)
                recorded = sum(s["dataCpuMs"] for s in measured) / sum(s["stages"]["data"] for s in measured)
                self.assertAlmostEqual(recorded, own, delta=SHARE_TOLERANCE)


if __name__ == "__main__":
    unittest.main()
