"""For students: ``check`` (your own backprop against scratch, PyTorch and Keras, with hints) and ``explain``.

The Python API: :func:`compare.students.student.check_function` and ``check_file``.
"""

from compare.students.student import check_file, check_function

__all__ = ["check_file", "check_function"]
