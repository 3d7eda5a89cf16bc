"""Loops whose top-level modules change, with a probe module nested in each model that looks at
torch's module hooks while it runs: the runner must leave nested calls hook-free.

Shapes (--shape): `loss` a model then a loss module, both at top level; `gan` G(z), D(G(z)), D(real);
`eval` training with an evaluation pass under no_grad and eval() every --eval-every steps;
`encoder` an encoder trained alone, then inside a bigger model; `thread` training while another
thread keeps calling a module of its own.

Ground truth: --steps optimizer rounds (one step each; a GAN's two optimizers make one), the wall
time spent in top-level module calls on training steps (forwardS, timed around each call), and
what the probes saw on the main thread: the most global forward pre- and post-hooks registered,
and the most hooks of their own.

    python loop_hooks.py --shape S [--steps N]
"""
import argparse
import os
import sys
import threading
import time

import torch
from torch import nn
from torch.nn.modules import module as module_mod

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples", "pytorch"))
from _measure import StepClock  # noqa: E402

BATCH, FEATURES, CLASSES = 256, 64, 8
SEEN = {"globalPre": 0, "globalPost": 0, "ownHooks": 0, "probeCalls": 0}


class Probe(nn.Module):
    """Passes its input through; on the main thread, records the hooks a nested call finds."""

    def forward(self, x):
        if threading.current_thread() is threading.main_thread():
            SEEN["globalPre"] = max(SEEN["globalPre"], len(module_mod._global_forward_pre_hooks))
            SEEN["globalPost"] = max(SEEN["globalPost"], len(module_mod._global_forward_hooks))
            SEEN["ownHooks"] = max(SEEN["ownHooks"], len(self._forward_pre_hooks) + len(self._forward_hooks))
            SEEN["probeCalls"] += 1
        return x


def mlp(inputs, outputs):
    return nn.Sequential(nn.Linear(inputs, 512), Probe(), nn.ReLU(), nn.Linear(512, outputs))


class Forward:
    """Times top-level module calls: the script's own measure of the forward stage."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, module, *args):
        t0 = time.perf_counter()
        out = module(*args)
        self.seconds += time.perf_counter() - t0
        return out


def loss_shape(steps, clock, fwd):
    model, criterion = mlp(FEATURES, CLASSES), nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = torch.randn(BATCH, FEATURES), torch.randint(0, CLASSES, (BATCH,))
    for _ in range(steps):
        optimizer.zero_grad()
        fwd(criterion, fwd(model, x), y).backward()
        optimizer.step()
        clock.step_done()


def gan_shape(steps, clock, fwd):
    net_g, net_d, criterion = mlp(16, FEATURES), mlp(FEATURES, 1), nn.BCEWithLogitsLoss()
    opt_d, opt_g = torch.optim.Adam(net_d.parameters(), lr=2e-4), torch.optim.Adam(net_g.parameters(), lr=2e-4)
    real, ones, zeros = torch.randn(BATCH, FEATURES), torch.ones(BATCH, 1), torch.zeros(BATCH, 1)
    for _ in range(steps):
        net_d.zero_grad()
        fwd(criterion, fwd(net_d, real), ones).backward()
        fake = fwd(net_g, torch.randn(BATCH, 16))
        fwd(criterion, fwd(net_d, fake.detach()), zeros).backward()
        opt_d.step()
        net_g.zero_grad()
        fwd(criterion, fwd(net_d, fake), ones).backward()
        opt_g.step()
        clock.step_done()


def eval_shape(steps, clock, fwd, eval_every=10, eval_batches=4):
    model = mlp(FEATURES, CLASSES)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = torch.randn(BATCH, FEATURES), torch.randint(0, CLASSES, (BATCH,))
    for step in range(steps):
        if step % eval_every == 0:
            model.eval()
            with torch.no_grad():
                for _ in range(eval_batches):
                    model(x)
            model.train()
        optimizer.zero_grad()
        nn.functional.cross_entropy(fwd(model, x), y).backward()
        optimizer.step()
        clock.step_done()


def encoder_shape(steps, clock, fwd):
    encoder = mlp(FEATURES, 32)
    model = nn.Sequential(encoder, nn.ReLU(), nn.Linear(32, CLASSES))
    x, y = torch.randn(BATCH, FEATURES), torch.randint(0, CLASSES, (BATCH,))
    pretrain = torch.optim.SGD(encoder.parameters(), lr=0.01)
    for _ in range(steps // 2):
        pretrain.zero_grad()
        fwd(encoder, x).square().mean().backward()
        pretrain.step()
        clock.step_done()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for _ in range(steps - steps // 2):
        optimizer.zero_grad()
        nn.functional.cross_entropy(fwd(model, x), y).backward()
        optimizer.step()
        clock.step_done()


def thread_shape(steps, clock, fwd):
    done = threading.Event()
    side = mlp(FEATURES, CLASSES)

    def other_thread():
        with torch.no_grad():
            while not done.is_set():
                side(torch.randn(4, FEATURES))
                time.sleep(0.0005)

    worker = threading.Thread(target=other_thread, daemon=True)
    worker.start()
    try:
        loss_shape(steps, clock, fwd)
    finally:
        done.set()
        worker.join()


SHAPES = {"loss": loss_shape, "gan": gan_shape, "eval": eval_shape, "encoder": encoder_shape, "thread": thread_shape}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", choices=sorted(SHAPES), required=True)
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(1)
    clock, fwd = StepClock(), Forward()
    t0 = time.perf_counter()
    SHAPES[args.shape](args.steps, clock, fwd)
    clock.report(forwardS=fwd.seconds, loopS=time.perf_counter() - t0, **SEEN)


if __name__ == "__main__":
    main()
