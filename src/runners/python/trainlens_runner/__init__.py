"""TrainLens's Python runner: `python -m trainlens_runner script.py args...` (stdlib only, Python
3.8+). launch runs the script as Python would; session owns the socket and the hooks; the rest is
protocol (wire, validate), timing (steps, cuda), sampling (lines, frames) and torch's hooks."""
