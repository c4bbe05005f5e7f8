"""``python -m compare [parity]``: one pass through every implementation, compared quantity by quantity with scratch."""
