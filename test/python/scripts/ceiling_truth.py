"""Constructed costs for the ceiling probes: loading a batch sleeps 4 x SAMPLE_LOAD_S = 40 ms, a
training step sleeps COMPUTE_S = 25 ms inside the model's forward (the tiny model adds well under a
millisecond). Truth: data-only 25 batches/s, compute-only 40 batches/s; the real loop, which does
both one after the other (num_workers=0), about 15 batches/s.

    python ceiling_truth.py [--steps N] [--result FILE] [--no-loader]

--no-loader trains on in-memory tensors instead (no data ceiling; compute is still 40/s). At the
end the script prints SCRIPT_RESULT and writes FILE: what the ceiling probes must never produce.
"""
import argparse
import json
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

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
    step_ends = []
    for inputs, targets in batches(args):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        optimizer.step()
        step_ends.append(time.perf_counter())
    result = {"steps": len(step_ends), "batchesPerSec": (len(step_ends) - 2) / (step_ends[-1] - step_ends[1]), "loss": float(loss)}
    print("SCRIPT_RESULT " + json.dumps(result), flush=True)
    if args.result:
        with open(args.result, "a", encoding="utf-8") as f:
            f.write(json.dumps({"steps": result["steps"], "loss": result["loss"]}) + "\n")


if __name__ == "__main__":
    main()
