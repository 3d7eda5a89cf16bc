"""Bench shape: a loop of fast steps (loops.FastSteps: Adam on a small MLP, batches made in the
loop, no DataLoader), the step rate of small-model and RL training: ~0.2 ms a step with the default
hidden width on a 2-core Xeon VM, ~0.5 ms with --hidden 768. Runs for a fixed time so the plain and
the recorded run measure over the same span whatever their speed.

    python fast_steps.py [--seconds S] [--hidden N]
"""
import argparse
import time

import torch

from loops import FastSteps
from _measure import StepClock  # the examples' own clock (loops put their folder on the path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--hidden", type=int, default=128)
    args = parser.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(1)
    step = FastSteps(args.hidden).start()
    clock = StepClock()
    deadline = time.perf_counter() + args.seconds
    while time.perf_counter() < deadline:
        step()
        clock.step_done()
    clock.report()


if __name__ == "__main__":
    main()
