"""Bench shape: a model of many small modules (loops.ModuleCalls), so each step makes many nested
module calls, as a transformer does (--blocks 100: 200 calls of Linear and ReLU per forward;
--blocks 500: 1,000). Runs for a fixed time so the plain and the recorded run measure over the
same span.

    python module_calls.py --blocks N [--seconds S]
"""
import argparse
import time

import torch

from loops import ModuleCalls
from _measure import StepClock  # the examples' own clock (loops put their folder on the path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(1)
    step = ModuleCalls(args.blocks).start()
    clock = StepClock()
    deadline = time.perf_counter() + args.seconds
    while time.perf_counter() < deadline:
        step()
        clock.step_done()
    clock.report()


if __name__ == "__main__":
    main()
