"""Where a sample or a DataLoader is placed: frames.line_of and lines.line_key."""
import types
import unittest

import harness  # noqa: F401 - puts the runner on sys.path
from trainlens_runner.frames import line_of
from trainlens_runner.lines import line_key


def frame(filename, lineno, firstlineno, back=None, name="step"):
    code = types.SimpleNamespace(co_filename=filename, co_firstlineno=firstlineno, co_name=name)
    return types.SimpleNamespace(f_code=code, f_lineno=lineno, f_back=back, f_globals={"__name__": "user"})


class LineOf(unittest.TestCase):
    def test_an_instruction_without_a_line_is_placed_on_its_functions_first_line(self):
        # Python 3.11's f_lineno is None on an instruction with no line of its own.
        self.assertEqual(line_of(frame("/work/train.py", None, 12)), 12)
        self.assertEqual(line_of(frame("/work/train.py", 40, 12)), 40)

    def test_a_sample_there_still_has_a_line(self):
        self.assertEqual(line_key(frame("/work/train.py", None, 12))[:2], ("/work/train.py", 12))


if __name__ == "__main__":
    unittest.main()
