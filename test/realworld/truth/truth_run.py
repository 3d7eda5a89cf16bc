"""Runs a training script as `python3 script.py args` would, under the real-world tests' own clock,
and writes what the clock saw as JSON: when each optimizer step, backward, DataLoader fetch and
no-grad forward began and ended, and when the script switched between train and eval mode. With
--lines it also samples the main thread's wall time per line of the script's own files, by
SIGALRM: inside a TrainLens run that is one more signal handler of the script's own, which the
runner (its own timer and signal) must live with anyway.

  /usr/bin/python3 truth_run.py --out CLOCK.json [--lines LINES.json] script.py [args...]

The hooks are loaded from clock_hooks.py under a pseudo-filename, so a profiler in the same process
counts their frames as library code, as it would count torch's own.
"""
import argparse
import json
import os
import runpy
import sys

HOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "clock_hooks.py")


def load_hooks():
    namespace = {"__name__": "realworld_truth"}
    with open(HOOKS) as f:
        exec(compile(f.read(), "<realworld truth>", "exec"), namespace)
    return namespace


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--lines")
    parser.add_argument("script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args()

    hooks = load_hooks()
    import torch  # the script imports it too; the clock must be in place before its first use

    clock = hooks["Clock"]()
    clock.install(torch)
    script = os.path.abspath(options.script)
    sampler = hooks["LineSampler"](clock, os.path.dirname(script)) if options.lines else None
    sys.argv = [script] + options.args
    sys.path[0] = os.path.dirname(script)
    code = 0
    if sampler:
        sampler.start()
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit:
        code = exit.code
    finally:
        if sampler:
            sampler.stop()
            with open(options.lines, "w") as f:
                json.dump(sampler.report(), f)
        with open(options.out, "w") as f:
            json.dump(clock.report(), f)
    sys.exit(code)


if __name__ == "__main__":
    main()
