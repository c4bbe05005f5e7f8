"""For students: ``check`` (your own backprop against scratch, PyTorch and Keras, with hints) and ``explain``.

The Python API: :func:`compare.students.student.check_function` (a function of this process)
and ``check_file`` (a file, run in a sandbox process), both importable from here; they
return a ``CheckResult`` that renders as a table in a terminal and in a notebook.
"""

from compare.students.student import check_file, check_function

__all__ = ["check_file", "check_function"]
