"""A script with its own SIGPROF handler (the runner's sampling signal): every signal it sends
itself reaches its handler, and none of the runner's does, even after it restores the default
action (a stray SIGPROF would then kill it)."""
import os
import signal
import time


def busy(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


busy(0.3)  # the runner samples before the script takes the signal
received = []
signal.signal(signal.SIGPROF, lambda signum, frame: received.append(signum))
for _ in range(5):
    os.kill(os.getpid(), signal.SIGPROF)
    busy(0.05)
    time.sleep(0.05)
print("handled %d of 5 signals" % len(received))
signal.signal(signal.SIGPROF, signal.SIG_DFL)
busy(0.2)
time.sleep(0.2)
print("still alive with the default action")
