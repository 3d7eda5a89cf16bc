"""A sibling module: importable only if sys.path[0] is the probe's directory."""
import os

WHERE = os.path.basename(os.path.dirname(os.path.abspath(__file__)))


def fail():
    raise ValueError("probe failed on purpose")
