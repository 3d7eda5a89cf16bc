"""A DataLoader loop (num_workers=0) whose batches either wait (--load sleep: a sleep per sample,
as loading that waits on disk or on workers) or compute in the main process (--load compute: a
pure-Python transform per sample).

Ground truth: the script splits each step itself into the wait for its batch (from the previous
step's end to the batch in hand) and the rest, and prints the main thread's CPU time in those
waits over their wall time (dataCpuShare: near 0 when loading sleeps; when it computes, near 1 on
an idle core, less where other processes share it), over the steps after the first two. Its
thread-clock reads sit just outside each wall interval.

    python loop_loader_cpu.py --load sleep|compute [--steps N]
"""
import argparse
import json
import math
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

BATCH, FEATURES = 8, 64


class Samples(Dataset):
    def __init__(self, length, load):
        self.length, self.load = length, load

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        if self.load == "sleep":
            time.sleep(0.002)
            values = [float(index)] * FEATURES
        else:
            values = [sum(math.sin(index * k + j) for k in range(40)) for j in range(FEATURES)]
        return torch.tensor(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--load", choices=["sleep", "compute"], required=True)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = nn.Linear(FEATURES, 10)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    waits = []  # (wall s, main-thread CPU s) from each step's end to the next batch in hand
    end_cpu, end_wall = time.thread_time(), time.perf_counter()
    for batch in DataLoader(Samples(args.steps * BATCH, args.load), batch_size=BATCH):
        ready_wall = time.perf_counter()
        ready_cpu = time.thread_time()
        waits.append((ready_wall - end_wall, ready_cpu - end_cpu))
        optimizer.zero_grad()
        model(batch).square().mean().backward()
        optimizer.step()
        end_cpu = time.thread_time()
        end_wall = time.perf_counter()
    steady = waits[2:]
    print("SCRIPT_RESULT " + json.dumps({"steps": len(waits), "dataCpuShare": sum(c for _, c in steady) / sum(w for w, _ in steady)}), flush=True)


if __name__ == "__main__":
    main()
