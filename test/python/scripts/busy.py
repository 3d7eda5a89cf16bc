"""No torch: half a second of pure Python on one line, then a known exit code."""
import sys
import time


def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end: pass  # BUSY LINE  # noqa: E701


spin(float(sys.argv[1]) if len(sys.argv) > 1 else 0.5)
print("done", flush=True)
if "--term" in sys.argv:
    import os
    import signal

    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10)
