"""A script that forks: the child finds SIGPROF with its default action and signal.signal as
Python's own, whatever ran in the parent."""
import os
import signal

pid = os.fork()
if pid == 0:
    print("child: SIGPROF default:", signal.getsignal(signal.SIGPROF) == signal.SIG_DFL, flush=True)
    print("child: signal.signal is Python's own:", signal.signal.__code__.co_filename == signal.__file__, flush=True)
    os._exit(7)
_, status = os.waitpid(pid, 0)
print("parent: child exit code", os.WEXITSTATUS(status))
