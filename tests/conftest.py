"""Hypothesis profiles for the property-based tests.

- ``ci`` (the default): a bounded, reproducible run -- 50 examples per property,
  derandomized so that every CI run checks the same examples, no deadline
  (Keras's eager first call can take longer than hypothesis's 200 ms default).
- ``large``: 1000 fresh random examples per property, for runs by hand::

      python -m pytest tests/test_properties.py --hypothesis-profile=large

- ``max``: 5000 fresh random examples per property, the largest run recorded in
  docs/numerics.md (about 3 minutes on 2 cores)::

      python -m pytest tests/test_properties.py --hypothesis-profile=max

The ``--hypothesis-profile`` option comes from hypothesis's pytest plugin; it
loads the named profile after this file has registered it.
"""

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=50, deadline=None, derandomize=True, print_blob=True)
settings.register_profile(
    "large",
    max_examples=1000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile("max", parent=settings.get_profile("large"), max_examples=5000)
settings.load_profile("ci")
