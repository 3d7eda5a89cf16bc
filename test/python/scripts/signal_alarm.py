"""A script that bounds its own work with signal.alarm: its SIGALRM handler interrupts a pure-Python
loop, and the exit code it chooses is the process's."""
import signal
import sys


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout()


signal.signal(signal.SIGALRM, on_alarm)
signal.alarm(1)
laps = 0
try:
    while True:
        laps += 1
except Timeout:
    print("the alarm stopped the loop:", laps > 0)
sys.exit(3)
