"""Bench shape: what the runner's hooks cost the main thread, measured inside one process by
alternating blocks with the hooks installed (as the session installs them, events kept in a
deque; a hooked block's time includes the recorder's finish, so whatever the hooks logged and the
recorder had not replayed yet counts too) and with torch's own methods put back. Each pair's difference is the cost; the medians are
printed as a SCRIPT_RESULT line, in µs:

  nestedCall   per nested module call: a top-level Sequential of --modules Identity modules
  step         per step of fast_steps.py's loop (~0.2 ms steps, batches made in the loop)
  loaderStep   per step of the same loop over a DataLoader of the same batches
each as CpuUs (main-thread CPU time, time.thread_time), WallUs, and PlainCpuUs (the unit itself).
And the line sampler's cost (segments of steps with the signal sampler installed and without, in
turn): samplerFastUs per sample on the fast_steps loop, samplerModulesUs on a training loop of
--blocks Linear+ReLU blocks (module_calls.py's shape), both ticking on the main thread's CPU clock
as the sampler does in a loop that never waits, and samplerWallFastUs on the fast loop with the
wall clock's ticks (a loop that waits); each measured at SAMPLER_COST_RATE times the runner's
default rate, with the share of the main thread's CPU it makes at the default rate (...Pct). A
wall-clock sample's cost on this VM is mostly its timer's interrupt: signal_sampler.py.
A step figure is the steady state: timed over --steps steps after --warm (past the first steps,
whose stages are all timed, so that the stages are timed in windows as on any long fast loop:
trainlens_runner/stage_windows.py).

    python hook_cost.py [--pairs P] [--steps N] [--warm N] [--modules M] [--blocks B] [--sampler-s S] [--segment-s S]
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

from loops import FastSteps

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "runners", "python"))
from trainlens_runner.session import DEFAULT_SAMPLE_HZ  # noqa: E402
from trainlens_runner.signal_sampler import SignalSampler  # noqa: E402
from trainlens_runner.steps import StepRecorder  # noqa: E402
from trainlens_runner.torch_hooks import TorchHooks  # noqa: E402

BATCH_SIZE = FastSteps.BATCH_SIZE
# The sampler's cost is measured at this multiple of its default rate: at the default rate itself
# it is under 1% of a segment's time, within the VM's segment-to-segment noise (three 30 s runs of
# the ~0.2 ms loop at 50 Hz gave 188, 46 and -39 µs a sample). Measured per sample at 100 Hz it
# came out 146-154 µs on that loop, at 1,000 Hz 145 (a no-op handler): about the same cost.
SAMPLER_COST_RATE = 10
WATCH_S = 0.05
WATCH_TRIES = 20


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


def fast_model():
    """fast_steps.py's model and batch (loops.FastSteps)."""
    loop = FastSteps()
    return loop.model, loop.inputs, loop.targets


def fast_steps(steps, loader, warm=0):
    """A block of `warm` + `steps` steps that returns when its last `steps` began."""
    model, inputs, targets = fast_model()
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


def module_model(blocks):
    """module_calls.py's model of `blocks` Linear+ReLU pairs, and a batch."""
    model = nn.Sequential(*[layer for _ in range(blocks) for layer in (nn.Linear(16, 16), nn.ReLU())])
    return model, torch.randn(16, 16), torch.randint(0, 16, (16,))


def training_step(model, inputs, targets):
    """One Adam step of `model` on the batch, as a function."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(inputs), targets).backward()
        optimizer.step()
    return step


def sampler_cost(step, seconds, segment_s, hz, clock):
    """The sampler at `hz`, on and off in turn every `segment_s` of steps for `seconds`: the
    machine's own drift (this VM's blocks of the same steps vary by ±9% over seconds) is shared by
    neighbouring segments. `clock`: "cpu", the sampler choosing its clock as in a recorded run (a
    first WATCH_S of steps, then its watch: these loops never wait, so the main thread's CPU
    clock), or "wall", never asked. Returns the (sampled - plain) main-thread CPU per sample taken,
    in µs, from the medians over pairs of neighbouring segments of CPU time per step."""
    per_sample = []
    until = time.perf_counter() + seconds
    pair = 0
    while time.perf_counter() < until:
        cpu, steps, samples = {}, {}, 0
        for sampled in ((True, False) if pair % 2 == 0 else (False, True)):
            sampler = sampling(step, hz, clock) if sampled else None
            cpu0 = time.thread_time()
            steps[sampled] = run_for(step, segment_s)
            cpu[sampled] = time.thread_time() - cpu0
            if sampler is not None:
                sampler.uninstall()
                samples = len(sampler.samples)
        pair += 1
        if samples:
            per_sample.append((cpu[True] / steps[True] - cpu[False] / steps[False]) * steps[True] / samples * 1e6)
    return statistics.median(per_sample)


def sampling(step, hz, clock):
    """A signal sampler at `hz` with no samples yet, on the clock `clock` names (sampler_cost)."""
    sampler = SignalSampler.install(1.0 / hz, lambda frame: "other")
    if sampler is None:
        sys.exit("the signal sampler cannot run here")
    if clock == "cpu":
        for _ in range(WATCH_TRIES):  # another process may take the core for a while
            run_for(step, WATCH_S)
            sampler.watch()
            if sampler.on_cpu:
                break
        else:
            sampler.uninstall()
            sys.exit("the main thread was off its CPU for over 1%% of every %.2f s: too busy a machine" % WATCH_S)
    sampler.samples.clear()
    return sampler


def run_for(step, seconds):
    """Steps for `seconds`; how many."""
    steps, end = 0, time.perf_counter() + seconds
    while steps == 0 or time.perf_counter() < end:
        step()
        steps += 1
    return steps


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
    parser.add_argument("--blocks", type=int, default=500)
    parser.add_argument("--sampler-s", type=float, default=30.0, help="seconds of each sampler-cost measure")
    parser.add_argument("--segment-s", type=float, default=0.2, help="seconds of one sampled or plain segment")
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    calls = max(1, args.steps // 10)
    for warm_up in (nested_calls(args.modules, calls), fast_steps(50, False), fast_steps(50, True)):
        warm_up()
    figures = {"pairs": args.pairs, "steps": args.steps, "warm": args.warm, "modules": args.modules, "blocks": args.blocks,
               "segmentS": args.segment_s}
    for name, block, per in (("nestedCall", nested_calls(args.modules, calls), calls * args.modules),
                             ("step", fast_steps(args.steps, False, args.warm), args.steps),
                             ("loaderStep", fast_steps(args.steps, True, args.warm), args.steps)):
        figures[name + "CpuUs"], figures[name + "WallUs"], figures[name + "PlainCpuUs"] = paired_cost(block, args.pairs, per)
    figures["sampleHz"], figures["samplerCostHz"] = DEFAULT_SAMPLE_HZ, DEFAULT_SAMPLE_HZ * SAMPLER_COST_RATE
    fast, modules = training_step(*fast_model()), training_step(*module_model(args.blocks))
    for name, step, clock in (("samplerFast", fast, "cpu"), ("samplerModules", modules, "cpu"), ("samplerWallFast", fast, "wall")):
        step()
        us = sampler_cost(step, args.sampler_s, args.segment_s, figures["samplerCostHz"], clock)
        figures[name + "Us"], figures[name + "Pct"] = round(us, 1), round(us * DEFAULT_SAMPLE_HZ / 1e4, 2)
    print("SCRIPT_RESULT " + json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
