"""A script that blocks with the GIL released: sleeps, a queue wait, an event wait, select on a
pipe and a read from one. Each returns as plain Python returns it, after the full time asked for,
whatever signals arrive meanwhile. The last line is the time the sleep itself took."""
import json
import os
import queue
import select
import threading
import time

SLEEP_S = 0.5
WAIT_S = 0.2

t0 = time.perf_counter()
time.sleep(SLEEP_S)  # SLEEP LINE
sleep_s = time.perf_counter() - t0
print("slept the full time:", sleep_s >= SLEEP_S)

items = queue.Queue()
threading.Timer(WAIT_S, items.put, args=("item",)).start()
print("queue gave:", items.get(timeout=5))

t0 = time.perf_counter()
print("event wait timed out:", threading.Event().wait(WAIT_S) is False, time.perf_counter() - t0 >= WAIT_S)

read_end, write_end = os.pipe()
t0 = time.perf_counter()
print("select timed out:", select.select([read_end], [], [], WAIT_S) == ([], [], []), time.perf_counter() - t0 >= WAIT_S)
threading.Timer(WAIT_S, os.write, args=(write_end, b"bytes")).start()
print("pipe read gave:", os.read(read_end, 5))
print("SCRIPT_RESULT " + json.dumps({"sleepS": sleep_s}))
