"""Constructed costs for the ceiling probes: loading a batch sleeps 4 x SAMPLE_LOAD_S = 40 ms, a
training step sleeps COMPUTE_S = 25 ms inside the model's forward; the tiny model and the wake-ups
add a little, more on a slow or busy CPU. Truth, from the loop's own clock (examples' StepClock):
data-only batches/s = 1 / the mean wait for a batch, compute-only = 1 / the mean rest of a step
(about 25 and 40); the real loop does both one after the other (num_workers=0).

    python ceiling_truth.py [--steps N] [--result FILE] [--no-loader]

--no-loader trains on in-memory tensors instead (no data ceiling; compute is still about 40/s). At
the end the script prints SCRIPT_RESULT (with `dataShare`) and writes FILE: what the ceiling probes
must never produce.
"""
import argparse
import json
import os
import sys
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples", "pytorch"))
from _measure import StepClock  # noqa: E402

BATCH_SIZE = 4
SAMPLE_LOAD_S = 0.010
COMPUTE_S = 0.025


class SlowDataset(Dataset):
    def __init__(self, length):
        self.length = length

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        time.sleep(SAMPLE_LOAD_S)
        return torch.full((8,), float(index % 5)), torch.tensor([float(index % 3)])


class SlowModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(8, 1)

    def forward(self, x):
        time.sleep(COMPUTE_S)
        return self.linear(x)


def batches(args):
    if args.no_loader:
        inputs, targets = torch.randn(BATCH_SIZE, 8), torch.randn(BATCH_SIZE, 1)
        return ((inputs, targets) for _ in range(args.steps))
    return DataLoader(SlowDataset(args.steps * BATCH_SIZE), batch_size=BATCH_SIZE, num_workers=0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--result")
    parser.add_argument("--no-loader", action="store_true")
    args = parser.parse_args()
    torch.manual_seed(0)
    model = SlowModel()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    clock = StepClock()
    steps = 0
    for inputs, targets in batches(args):
        clock.batch_ready()
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        optimizer.step()
        clock.step_done()
        steps += 1
    clock.report(loss=float(loss))
    if args.result:
        with open(args.result, "a", encoding="utf-8") as f:
            f.write(json.dumps({"steps": steps, "loss": float(loss)}) + "\n")


if __name__ == "__main__":
    main()
