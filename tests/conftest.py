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

import pytest
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


QUICK_MARKS = "not slow"  # pyproject.toml's addopts: a bare run's -m


def pytest_addoption(parser):
    parser.addoption("--full", action="store_true", help="also run the tests marked full (the whole suite CI runs)")


def _quick(config) -> bool:
    """A bare ``python -m pytest``: no test path, no ``-m`` of the caller's, no ``--full``. Only then are full tests left out."""
    return (
        config.args_source == pytest.Config.ArgsSource.TESTPATHS
        and config.option.markexpr == QUICK_MARKS
        and not config.getoption("full")
    )


def pytest_report_header(config):
    if _quick(config):
        return "the quick suite: tests marked full are left out (python -m pytest --full runs them)"
    return None


def pytest_collection_modifyitems(config, items):
    """The quick suite leaves out the tests marked full; naming a file or a ``-m`` expression selects as usual."""
    if not _quick(config):
        return
    full = [item for item in items if item.get_closest_marker("full")]
    if full:
        items[:] = [item for item in items if not item.get_closest_marker("full")]
        config.hook.pytest_deselected(items=full)


def pytest_itemcollected(item):
    """A test run with an implementation that needs a process of its own (a Keras backend other
    than this process's) is in the full suite only: each pytest worker would start that backend's
    worker process (5 to 8 s) for it. ``python -m pytest -m 'not slow'`` runs them (README, Tests).
    """
    from compare import registry

    params = getattr(getattr(item, "callspec", None), "params", {})
    if any(isinstance(v, str) and v in registry.NAMES and not registry.get(v).runs_here() for v in params.values()):
        item.add_marker(pytest.mark.full)
