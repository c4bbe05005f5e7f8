"""``python -m compare bench``: the time of one training step in each implementation, and start-up time."""
