"""The comparison harness and its CLI (``python -m compare``).

Frameworks are imported lazily, only for the implementations a command runs.
"""
