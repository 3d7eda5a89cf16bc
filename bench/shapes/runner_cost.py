"""Bench: what the whole Python runner costs a training loop's throughput, measured in one process.

Segments of one of loops.py's loops run in turn with a live session and without. A live session is
trainlens_runner.session.Session, started as `python -m trainlens_runner` starts it: the hello,
the hooks and the step recorder, the line sampler at its default rate (choosing its clock at each
flush; with --long-run-hz at a long run's rate, RunnerOptions.longRun, from the first flush on),
the sender thread and its socket, which a reader process on another core drains as the host
would. TrainLens's host itself (its parsing and writing, ~2% of a core at 3,600 steps/s) is
not in these figures: it runs on another core, where paired.ts's whole-process pairs count it.

Why in one process: on the 2-core VM this was built on, whole runs of the same script drift ±8%
from one to the next, so a pair of runs cannot resolve a 1% cost; the machine's speed moves in
steps every second or two (more so while the other core works). So each pair is a recorded
segment and the plain segment right after it, timed alike over whole steps (at least
--segment-s, and MIN_SEGMENT_STEPS steps): under a second apart. The recorded segment starts
after the session's warm-up, unmeasured: at least --warm-s, past the sampler's first choice of
clock, and past the recorder's first HEAD_STEPS steps, which are all timed, so it measures a
run's steady state: its first minute's, or with --long-run-hz the one after it. Each segment builds its optimizer and DataLoader iterator anew, as a script
under the runner builds them after the hooks are in. Every other pair times its plain segment
first: with the recorded segment always first, --control (nothing in either) read 1.007 on the
1,000-call loop, a bias of the order itself, as large as the costs measured.

Prints a SCRIPT_RESULT line: "ratio" (median over pairs of plain / recorded steps per second: 1.01
is 1% slower recorded) with "ratioLow"/"ratioHigh", the median's 95% interval from the pairs'
order statistics, and "coverage" (that interval's probability of holding the median: 0.95 or more
from 6 pairs on), "ratios" (each pair's), "ratioRecordedFirst"/"ratioPlainFirst" (the median of
each order's pairs), "stepMs" (the plain segments' median step time),
"costUs" (median over pairs of the wall time per step added, µs) and "cpuCostUs" (the same in the
main thread's CPU time), "pairs", "segmentS". --control runs both segments without a session: the
method's own bias and spread.

    python runner_cost.py --shape fast|loader|modules|input [--hidden N] [--blocks N] [--pairs P]
                          [--segment-s S] [--warm-s S] [--reader-core C] [--control] [--long-run-hz HZ]
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch

from loops import FastSteps, InputBound, ModuleCalls

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "runners", "python"))
from trainlens_runner import wire  # noqa: E402
from trainlens_runner.session import Session  # noqa: E402
from trainlens_runner.stage_windows import HEAD_STEPS, PAUSE_UNDER_S  # noqa: E402

# Drains the run socket as the host does, one session after another (they never overlap here).
READER = """
import socket, sys
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen(1)
while True:
    conn, _ = server.accept()
    while conn.recv(1 << 16):
        pass
    conn.close()
"""
READER_START_S = 10.0
# Whole steps in a timed segment at the least, so a slow step's rate is not a count of a few.
MIN_SEGMENT_STEPS = 30


def reader(path, core):
    """The draining process, listening at `path` once this returns; on `core` when given."""
    process = subprocess.Popen([sys.executable, "-c", READER, path])
    if core is not None:
        os.sched_setaffinity(process.pid, {core})
    deadline = time.perf_counter() + READER_START_S
    while not os.path.exists(path):
        if process.poll() is not None or time.perf_counter() > deadline:
            process.kill()
            sys.exit("the socket reader did not start")
        time.sleep(0.01)
    return process


def live_session(path, origin, origin_epoch_ms, long_run_hz):
    options = {"v": wire.VERSION, "socket": path, "token": "bench"}  # the runner's defaults for all the rest
    if long_run_hz is not None:  # the long run's rate from the first flush on, before the warm-up ends
        options["longRun"] = {"sampleHz": long_run_hz, "afterS": 0}
    session = Session.connect(options, None, origin, origin_epoch_ms)
    if session is None:
        sys.exit("cannot start a session")
    session.start(os.path.abspath(__file__))
    if not session.on or session.recorder is None:
        sys.exit("the session switched itself off")
    return session


def warm_up(step, warm_s):
    """Steps until the session is in its steady state: past --warm-s (the sampler has chosen its
    clock at a flush) and, in a loop fast enough to have its stages timed in windows, past the
    recorder's first HEAD_STEPS steps, which are all timed (stage_windows.py)."""
    t0 = time.perf_counter()
    step()
    steps = HEAD_STEPS + 50 if time.perf_counter() - t0 < PAUSE_UNDER_S else 0
    end = t0 + warm_s
    while steps > 0 or time.perf_counter() < end:
        step()
        steps -= 1


def timed(step, seconds):
    """(wall s, main-thread CPU s, steps) of whole steps for `seconds`."""
    steps, wall0, cpu0 = 0, time.perf_counter(), time.thread_time()
    end = wall0 + seconds
    while steps == 0 or time.perf_counter() < end:
        step()
        steps += 1
    return time.perf_counter() - wall0, time.thread_time() - cpu0, steps


def median_interval(values):
    """The median's 95% confidence interval from order statistics (no assumption on the spread):
    the narrowest k-th lowest and k-th highest values that hold the median with at least 95%
    probability, 1 - 2·P(Binomial(n, 1/2) < k), and that probability (node_runner_cost.ts's
    medianInterval). Under 6 pairs even the lowest and highest hold it less often: they come with
    their lower coverage."""
    ordered, n = sorted(values), len(values)
    below = lambda k: sum(math.comb(n, i) for i in range(k)) / 2 ** n  # noqa: E731
    k = 1
    while k + 1 <= n / 2 and 1 - 2 * below(k + 1) >= 0.95:
        k += 1
    return ordered[k - 1], ordered[n - k], 1 - 2 * below(k)


def main():
    origin, origin_epoch_ms = time.perf_counter(), time.time() * 1000.0
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", choices=("fast", "loader", "modules", "input"), required=True)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--blocks", type=int, default=100)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--segment-s", type=float, default=0.3)
    parser.add_argument("--warm-s", type=float, default=0.35, help="past the sender's first flush, where the sampler picks its clock")
    parser.add_argument("--reader-core", type=int, default=None)
    parser.add_argument("--control", action="store_true", help="no session in either segment: the method's own spread and bias")
    parser.add_argument("--long-run-hz", type=float, default=None,
                        help="a long run's state: the session samples at this rate (the host's longRunSampleHz) from its first flush on")
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    loop = {"fast": lambda: FastSteps(args.hidden), "loader": lambda: FastSteps(args.hidden, loader=True),
            "modules": lambda: ModuleCalls(args.blocks), "input": InputBound}[args.shape]()
    folder = tempfile.mkdtemp(prefix="trainlens-runner-cost-")
    path = os.path.join(folder, "run.sock")
    drain = reader(path, args.reader_core)
    try:
        step = loop.start()
        warm_up(step, args.warm_s)  # the process's own warm-up
        wall, _, steps = timed(step, args.segment_s)
        seconds = max(args.segment_s, MIN_SEGMENT_STEPS * wall / steps)
        ratios, cost, cpu_cost, plain_ms = [], [], [], []
        for pair in range(args.pairs):
            plain_first = pair % 2 == 1
            if plain_first:
                plain_wall, plain_cpu, plain_steps = timed(loop.start(), seconds)
            session = None if args.control else live_session(path, origin, origin_epoch_ms, args.long_run_hz)
            step = loop.start()
            warm_up(step, args.warm_s)
            wall, cpu, steps = timed(step, seconds)
            if session is not None:
                session._finish("exit", 0)  # as at the script's exit (Session._at_exit)
            if not plain_first:
                plain_wall, plain_cpu, plain_steps = timed(loop.start(), seconds)
            ratios.append((plain_steps / plain_wall) / (steps / wall))
            cost.append((wall / steps - plain_wall / plain_steps) * 1e6)
            cpu_cost.append((cpu / steps - plain_cpu / plain_steps) * 1e6)
            plain_ms.append(plain_wall / plain_steps * 1e3)
    finally:
        drain.kill()
        drain.wait()
        os.unlink(path)
        os.rmdir(folder)
    low, high, coverage = median_interval(ratios)
    print("SCRIPT_RESULT " + json.dumps({
        "shape": args.shape, "control": args.control, "longRunHz": args.long_run_hz, "pairs": args.pairs, "segmentS": round(seconds, 3), "ratio": round(statistics.median(ratios), 4),
        "ratioLow": round(low, 4), "ratioHigh": round(high, 4), "coverage": round(coverage, 3), "ratios": [round(r, 4) for r in ratios],
        # Each order's own median: how far the order alone moves a pair (the median above cancels it).
        "ratioRecordedFirst": round(statistics.median(ratios[0::2]), 4), "ratioPlainFirst": round(statistics.median(ratios[1::2]), 4) if len(ratios) > 1 else None,
        "stepMs": round(statistics.median(plain_ms), 3), "costUs": round(statistics.median(cost), 2),
        "cpuCostUs": round(statistics.median(cpu_cost), 2)}), flush=True)


if __name__ == "__main__":
    main()
