"""The input-bound example's dataset and training loop behind a DataLoader with worker processes,
for the tests of workers (fork, spawn) and of stopping a run whose workers are alive.

    python parallel_loader.py [--steps N] [--workers N] [--mp-context fork|spawn|forkserver]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples", "pytorch"))

from torch.utils.data import DataLoader  # noqa: E402

from input_bound import BATCH_SIZE, SlowDataset, train  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mp-context", default=None, choices=["fork", "spawn", "forkserver"])
    args = parser.parse_args()
    loader = DataLoader(SlowDataset(args.steps * BATCH_SIZE), batch_size=BATCH_SIZE, num_workers=args.workers,
                        multiprocessing_context=args.mp_context)
    train(loader)


if __name__ == "__main__":
    main()
