"""Parity probe: prints what a script can observe about how it was started, and what a spawned
child sees, then ends as asked (--exit CODE | --exit-message TEXT | --raise [--hook] | --interrupt).
The tests run it with plain python and under the runner and compare everything it prints."""
import json
import multiprocessing
import os
import pickle
import sys

import probe_helper

FACTS_AT_START = sorted(globals())


class Local:
    pass


def child_facts(queue):
    queue.put({"path": sys.path, "main": getattr(sys.modules["__main__"], "__file__", None),
               "runner_loaded": any(name.startswith("trainlens") for name in sys.modules),
               "env": {k: os.environ.get(k) for k in ("PYTHONPATH", "TRAINLENS_OPTIONS")}})


def user_hook(exc_type, value, tb):
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    print("user hook:", exc_type.__name__, frames, file=sys.stderr)


def main():
    facts = {
        "name": __name__, "file": __file__, "doc": __doc__[:12], "package": __package__, "spec": repr(__spec__),
        "cached": __cached__, "loader": [type(__loader__).__name__, __loader__.name, __loader__.path],
        "builtins": type(__builtins__).__name__, "globals": FACTS_AT_START, "argv": sys.argv, "path": sys.path,
        "cwd": os.getcwd(), "helper": probe_helper.WHERE, "main_is_me": sys.modules["__main__"].__dict__ is globals(),
        "pickle": type(pickle.loads(pickle.dumps(Local()))).__qualname__,
        "env": {k: os.environ.get(k) for k in ("PYTHONPATH", "TRAINLENS_OPTIONS")},
    }
    queue = multiprocessing.get_context("spawn").Queue()
    child = multiprocessing.get_context("spawn").Process(target=child_facts, args=(queue,))
    child.start()
    facts["spawned"] = queue.get(timeout=30)
    child.join()
    print(json.dumps(facts, indent=1, sort_keys=True))
    print("unflushed tail", end="")
    if "--exit" in sys.argv:
        sys.exit(int(sys.argv[sys.argv.index("--exit") + 1]))
    if "--exit-message" in sys.argv:
        sys.exit(sys.argv[sys.argv.index("--exit-message") + 1])
    if "--hook" in sys.argv:
        sys.excepthook = user_hook
    if "--raise" in sys.argv:
        probe_helper.fail()
    if "--interrupt" in sys.argv:
        raise KeyboardInterrupt


if __name__ == "__main__":
    main()
