"""Compute threads for NumPy: every BLAS and OpenMP pool threadpoolctl finds (NumPy's OpenBLAS, SciPy's, OpenMP runtimes).

The same function as torch_impl.threads and keras_impl.threads; compare.bench calls
each implementation's before it times anything.
"""

from __future__ import annotations

import os


def set_threads(threads: int) -> dict[str, object]:
    """Limit every pool to ``threads`` (for the rest of the process); return what each now reports."""
    from threadpoolctl import threadpool_info, threadpool_limits

    threadpool_limits(limits=threads)
    return {
        "threadpools": [
            {k: pool.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "threading_layer")}
            for pool in threadpool_info()
        ],
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
    }
