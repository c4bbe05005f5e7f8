"""Compute threads for torch: ``torch.set_num_threads`` (the intra-op pool)."""

from __future__ import annotations

import torch


def set_threads(threads: int) -> dict[str, object]:
    """Use ``threads`` intra-op threads; return what torch now reports."""
    torch.set_num_threads(threads)
    return {"torch_intra_op": torch.get_num_threads()}
