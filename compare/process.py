"""A process that loads the frameworks: how it imports them and how it ends.

Both are costs of the interpreter, not of the frameworks, measured on the benchmark machine
(``docs/benchmarks.md``, start-up; ``/usr/bin/time``, user + sys):

- Importing torch and Keras on TensorFlow creates millions of Python objects, and the cyclic
  garbage collector walks all of them again and again while they are being created: 0.8 to 1.0 s
  of the 4.6 to 5.3 s that ``import torch, keras`` takes. Nothing an import creates is garbage,
  so :func:`importing` pauses the collector for the import, then freezes what it created
  (``gc.freeze``: later collections leave those objects out) and lets the collector run again
  for the work that follows, whose cycles it still collects.
- Once they are imported, Python's finalization at exit (clearing every module, collecting what
  is left) takes 1.5 to 1.8 s. :func:`finish` ends the process without it, once the report is
  written: the standard streams flushed, the ``atexit`` handlers run (the workers' shutdown among
  them, and the libraries' own), then ``os._exit``.

``python -m compare bench --startup`` imports the floor's frameworks the same way and ends the
same way, so that the floor stays what no run can beat.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

# the floor's command line in bench --startup: the same pause around the same imports, the same end
FLOOR_CODE = "import gc, os; gc.disable(); import {modules}; gc.freeze(); os._exit(0)"


@contextmanager
def importing() -> Iterator[None]:
    """The garbage collector paused inside the block; afterwards what exists then is frozen and it runs again.

    Nested blocks leave the collector to the outermost one.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


def finish(code: int) -> NoReturn:
    """Flush stdout and stderr, run the exit handlers, and end the process with exit status ``code``."""
    for stream in (sys.stdout, sys.stderr):
        # a reader that went away, or a stream already closed: nothing more to say there
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(code)
