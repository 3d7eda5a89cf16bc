"""Bench: what the Python runner's own work adds to a step in instructions and cache misses, counted
by valgrind's callgrind: exact, and the same on any machine, where wall-clock pairs cannot resolve
1% (a VM whose speed moves ±40% from one second to the next).

The script runs itself under callgrind. Inside, one of loops.py's loops runs three segments of
--steps steps, each after --warm steps unmeasured: plain, with a live session (runner_cost.py's),
plain again; the two plain ones bracket the session's, so what the order alone moves shows as their
difference. Callgrind counts only between the segment's start and end (client requests, through a
small C helper built with gcc), and only the main thread (--separate-threads): the training
thread's own cost, with its L1 and last-level misses from callgrind's cache model.

Under callgrind every step takes longer than stage_windows.PAUSE_UNDER_S, so every step has its
stages timed, as on a loop of steps of 10 ms and more: the shapes here are such loops.

What it leaves out: the sampler (the session samples at --hz, 0 by default: under callgrind the
program runs ~50-100× slower while the timers keep their rate, so a sample would come ~50× as often
a step; hook_cost.py measures a sample's cost), the sender thread (its flushes come as much more
often a step), the kernel, and a real CPU's TLB, branch predictors and prefetchers.

Prints a SCRIPT_RESULT line: per step, for each segment ("plain", "session", "plain2"), the
instructions ("ir") and L1 instruction, L1 data read and last-level misses ("i1Miss", "d1ReadMiss",
"llMiss"), and "addedPerStep" / "addedShare": the session's excess over the mean of the two plain
segments, as counts and as shares of them.

    python runner_instructions.py --shape modules|fast|input [--blocks N] [--hidden N] [--steps N] [--warm N] [--hz HZ]
"""
import argparse
import ctypes
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HELPER_C = """
#include <valgrind/callgrind.h>
void trainlens_zero(void) { CALLGRIND_ZERO_STATS; }
void trainlens_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""
SEGMENTS = ("plain", "session", "plain2")
EVENTS = {"Ir": "ir", "I1mr": "i1Miss", "D1mr": "d1ReadMiss", "DLmr": "llMiss"}


def build_helper(folder):
    source, library = os.path.join(folder, "helper.c"), os.path.join(folder, "helper.so")
    with open(source, "w") as f:
        f.write(HELPER_C)
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", library, source], check=True)
    return library


def outer(args, argv):
    missing = [tool for tool in ("valgrind", "gcc") if shutil.which(tool) is None]
    if missing or not os.path.exists("/usr/include/valgrind/callgrind.h"):
        sys.exit("runner_instructions.py needs valgrind and gcc (apt-get install valgrind gcc): missing %s" % (", ".join(missing) or "callgrind.h"))
    folder = tempfile.mkdtemp(prefix="trainlens-instructions-")
    try:
        helper = build_helper(folder)
        out = os.path.join(folder, "callgrind.out")
        command = ["valgrind", "--tool=callgrind", "--cache-sim=yes", "--separate-threads=yes", "--collect-atstart=yes",
                   "--callgrind-out-file=" + out, sys.executable, os.path.abspath(__file__), "--inner", helper] + argv
        run = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        if run.returncode != 0:
            sys.exit("callgrind run failed (%d):\n%s" % (run.returncode, run.stderr[-3000:]))
        counts = {}
        for dump in glob.glob(out + ".*-01"):  # thread 1: the main thread
            name, events, summary = None, None, None
            with open(dump) as f:
                for line in f:
                    if line.startswith("desc: Trigger: Client Request: "):
                        name = line.split(": ", 3)[-1].strip()
                    elif line.startswith("events: "):
                        events = line.split()[1:]
                    elif line.startswith("summary: "):
                        summary = [int(v) for v in line.split()[1:]]
            if name in SEGMENTS and events and summary:
                counts[name] = {key: summary[events.index(event)] / args.steps for event, key in EVENTS.items()}
        if set(counts) != set(SEGMENTS):
            sys.exit("callgrind dumped %s, expected %s" % (sorted(counts), list(SEGMENTS)))
        plain = {key: (counts["plain"][key] + counts["plain2"][key]) / 2 for key in EVENTS.values()}
        added = {key: counts["session"][key] - plain[key] for key in EVENTS.values()}
        print("SCRIPT_RESULT " + json.dumps({
            "shape": args.shape, "steps": args.steps, "hz": args.hz, **{name: rounded(counts[name]) for name in SEGMENTS},
            "addedPerStep": rounded(added), "addedShare": {key: round(added[key] / plain[key], 5) if plain[key] else None for key in added},
            "plainSpread": {key: round(abs(counts["plain"][key] - counts["plain2"][key]) / plain[key], 5) if plain[key] else None for key in plain}}),
            flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def rounded(values):
    return {key: round(value, 1) for key, value in values.items()}


def inner(args, helper):
    import torch
    from loops import FastSteps, InputBound, ModuleCalls
    from runner_cost import reader
    sys.path.insert(0, os.path.join(HERE, "..", "..", "src", "runners", "python"))
    from trainlens_runner import wire
    from trainlens_runner.session import Session

    origin, origin_epoch_ms = time.perf_counter(), time.time() * 1000.0
    control = ctypes.CDLL(helper)
    torch.manual_seed(0)
    torch.set_num_threads(1)
    loop = {"fast": lambda: FastSteps(args.hidden), "modules": lambda: ModuleCalls(args.blocks), "input": InputBound}[args.shape]()
    folder = tempfile.mkdtemp(prefix="trainlens-instructions-run-")
    path = os.path.join(folder, "run.sock")
    drain = reader(path, None)
    try:
        for name in SEGMENTS:
            session = None
            if name == "session":
                session = Session.connect({"v": wire.VERSION, "socket": path, "token": "bench", "sampleHz": args.hz}, None, origin, origin_epoch_ms)
                session.start(os.path.abspath(__file__))
            step = loop.start()
            for _ in range(args.warm):
                step()
            control.trainlens_zero()
            for _ in range(args.steps):
                step()
            control.trainlens_dump(name.encode())
            if session is not None:
                session._finish("exit", 0)  # as at the script's exit
    finally:
        drain.kill()
        drain.wait()
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", choices=("fast", "modules", "input"), required=True)
    parser.add_argument("--blocks", type=int, default=500)
    parser.add_argument("--hidden", type=int, default=768)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warm", type=int, default=10, help="unmeasured steps before each segment")
    parser.add_argument("--hz", type=float, default=0.0, help="the session's sample rate (see the file comment)")
    parser.add_argument("--inner", metavar="HELPER", help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()
    if args.inner:
        inner(args, args.inner)
    else:
        outer(args, sys.argv[1:])


if __name__ == "__main__":
    main()
