"""Bench shape: what the runner's hooks cost the main thread, measured inside one process by
alternating blocks with the hooks installed (as the session installs them, events kept in a
deque; a hooked block's time includes the recorder's finish, so whatever the hooks logged and the
recorder had not replayed yet counts too) and with torch's own methods put back. Each pair's difference is the cost; the medians are
printed as a SCRIPT_RESULT line, in µs:

  nestedCall   per nested module call: a top-level Sequential of --modules Identity modules
  step         per step of fast_steps.py's loop (~0.2 ms steps, batches made in the loop)
  loaderStep   per step of the same loop over a DataLoader of the same batches
each as CpuUs (main-thread CPU time, time.thread_time), WallUs, and PlainCpuUs (the unit itself).
A step figure is the steady state: timed over --steps steps after --warm (past the first steps,
whose stages are all timed, so that the stages are timed in windows as on any long fast loop:
trainlens_runner/stage_windows.py).

    python hook_cost.py [--pairs P] [--steps N] [--warm N] [--modules M]
"""
import argparse
import json
import os
import statistics
import sys
import time
from collections import deque

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "runners", "python"))
from trainlens_runner.steps import StepRecorder  # noqa: E402
from trainlens_runner.torch_hooks import TorchHooks  # noqa: E402

BATCH_SIZE = 32


def install():
    events = deque(maxlen=100000)
    hooks = TorchHooks(torch, events.append, lambda exc: sys.exit("hook failed: %r" % (exc,)))
    recorder = StepRecorder(events.append, time.perf_counter, time.perf_counter(), hooks.leading_dim, hooks.token_count,
                            time.thread_time)
    hooks.install(recorder)
    return hooks, recorder


def timed(block, then=None):
    """(CPU, wall) seconds from where `block` says its timed part started (its return value) or
    from its start, to after `then`."""
    cpu0, wall0 = time.thread_time(), time.perf_counter()
    cpu0, wall0 = block() or (cpu0, wall0)
    if then is not None:
        then()
    return time.thread_time() - cpu0, time.perf_counter() - wall0


def nested_calls(modules, calls):
    model = nn.Sequential(*[nn.Identity() for _ in range(modules)])
    x = torch.zeros(1)

    def block():
        for _ in range(calls):
            model(x)
    return block


def fast_steps(steps, loader, warm=0):
    """A block of `warm` + `steps` steps that returns when its last `steps` began."""
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 8))
    inputs, targets = torch.randn(BATCH_SIZE, 64), torch.randint(0, 8, (BATCH_SIZE,))
    dataset = TensorDataset(inputs.repeat(warm + steps, 1), targets.repeat(warm + steps))

    def block():
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)  # built in the block: hooked when the block is
        batches = DataLoader(dataset, batch_size=BATCH_SIZE) if loader else ((inputs, targets) for _ in range(warm + steps))
        started = None
        for i, (x, y) in enumerate(batches):
            if i == warm:
                started = time.thread_time(), time.perf_counter()
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        return started
    return block


def paired_cost(block, pairs, per):
    """Medians over pairs, in µs per unit: (hooked - plain) main-thread CPU and wall time, and the
    plain block's CPU time. Which block of a pair runs first alternates."""
    cpu, wall, plain = [], [], []
    for pair in range(pairs):
        results = {}
        for hooked in ((True, False) if pair % 2 == 0 else (False, True)):
            hooks, recorder = install() if hooked else (None, None)
            results[hooked] = timed(block, recorder.finish if hooked else None)
            if hooks is not None:
                hooks.uninstall()
        cpu.append((results[True][0] - results[False][0]) / per * 1e6)
        wall.append((results[True][1] - results[False][1]) / per * 1e6)
        plain.append(results[False][0] / per * 1e6)
    return [round(statistics.median(values), 2) for values in (cpu, wall, plain)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--warm", type=int, default=1000)
    parser.add_argument("--modules", type=int, default=200)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    calls = max(1, args.steps // 10)
    for warm_up in (nested_calls(args.modules, calls), fast_steps(50, False), fast_steps(50, True)):
        warm_up()
    figures = {"pairs": args.pairs, "steps": args.steps, "warm": args.warm, "modules": args.modules}
    for name, block, per in (("nestedCall", nested_calls(args.modules, calls), calls * args.modules),
                             ("step", fast_steps(args.steps, False, args.warm), args.steps),
                             ("loaderStep", fast_steps(args.steps, True, args.warm), args.steps)):
        figures[name + "CpuUs"], figures[name + "WallUs"], figures[name + "PlainCpuUs"] = paired_cost(block, args.pairs, per)
    print("SCRIPT_RESULT " + json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
