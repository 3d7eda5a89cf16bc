"""Data-parallel training on CPU: DistributedDataParallel over gloo on 127.0.0.1, one process per rank.

Two ways to start it, as users do:
    python ddp_spawn.py [--world-size 2] [--steps N] [--slow-rank R]           # ranks from torch.multiprocessing.spawn
    RANK=r WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=P python ddp_spawn.py [--steps N] [--slow-rank R]   # one rank per command

Ground truth: every rank clocks its own steps (_measure.StepClock) and prints its own SCRIPT_RESULT line
with its rank. `--slow-rank R` makes rank R do extra real work in each forward (matrix products whose
result is thrown away), so that rank is the straggler and the others wait for it in DDP's gradient
all-reduce. Each rank's SCRIPT_RESULT also has the median ms of its model's forward call and of its
backward call (which holds the wait for the other ranks' gradients). `--uneven` gives the last rank a
smaller batch than the others; `--workers N` gives each rank N (forked) DataLoader workers; `--explicit-all-reduce` trains without DDP,
all-reducing each gradient after backward (the backward call's time then holds that wait); `--crash-rank R --crash-at N` makes rank R raise at its step N.
"""
import argparse
import contextlib
import io
import os
import socket
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset

from _measure import StepClock

BATCH_SIZE = 32
FEATURES = 256


class Net(nn.Module):
    def __init__(self, extra_products):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(FEATURES, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
        self.extra_products = extra_products
        self.scratch = torch.randn(FEATURES, FEATURES)

    def forward(self, x):
        with torch.no_grad():
            waste = x
            for _ in range(self.extra_products):
                waste = torch.tanh(waste @ self.scratch)  # SLOW RANK: extra work only this rank does
        return self.body(x)


def train(rank, world_size, args):
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    torch.set_num_threads(1)  # ranks share the machine's cores
    torch.manual_seed(rank)
    batch = BATCH_SIZE - 8 if args.uneven and rank == world_size - 1 else BATCH_SIZE
    count = args.steps * batch
    loader = DataLoader(TensorDataset(torch.randn(count, FEATURES), torch.randint(0, 10, (count,))), batch_size=batch, num_workers=args.workers)
    net = Net(args.extra_products if rank == args.slow_rank else 0)
    model = net if args.explicit_all_reduce else DistributedDataParallel(net)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    clock = StepClock()
    forward_ms, backward_ms = [], []
    for step, (inputs, targets) in enumerate(loader):
        clock.batch_ready()
        optimizer.zero_grad()
        start = time.perf_counter()
        outputs = model(inputs)
        forward_ms.append((time.perf_counter() - start) * 1000)
        if rank == args.crash_rank and step == args.crash_at:
            raise RuntimeError("rank %d crashed at step %d" % (rank, step))
        start = time.perf_counter()
        F.cross_entropy(outputs, targets).backward()
        if args.explicit_all_reduce:
            for parameter in net.parameters():
                dist.all_reduce(parameter.grad)
                parameter.grad /= world_size
        backward_ms.append((time.perf_counter() - start) * 1000)
        optimizer.step()
        clock.step_done()
    # The ranks share one output pipe: the line goes out in one write (atomic up to PIPE_BUF, 4 KiB),
    # so two ranks' lines never interleave.
    line = io.StringIO()
    with contextlib.redirect_stdout(line):
        clock.report(rank=rank, worldSize=world_size, batchSize=batch, forwardMsMedian=median(forward_ms), backwardMsMedian=median(backward_ms))
    os.write(sys.stdout.fileno(), line.getvalue().encode())
    dist.destroy_process_group()


def median(values):
    return sorted(values)[len(values) // 2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--world-size", type=int, default=2)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--slow-rank", type=int, default=-1)
    parser.add_argument("--extra-products", type=int, default=12)
    parser.add_argument("--uneven", action="store_true")
    parser.add_argument("--workers", type=int, default=0, help="DataLoader workers per rank (forked)")
    parser.add_argument("--explicit-all-reduce", action="store_true", help="no DDP: all_reduce each gradient after backward")
    parser.add_argument("--crash-rank", type=int, default=-1)
    parser.add_argument("--crash-at", type=int, default=-1)
    args = parser.parse_args()
    if "RANK" in os.environ:
        train(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), args)
        return
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", str(free_port()))
    mp.spawn(train, args=(args.world_size, args), nprocs=args.world_size)


if __name__ == "__main__":
    main()
