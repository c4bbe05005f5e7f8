"""One JSON writer for every report (compare.output.dumps): RFC 8259 whatever the numbers, and never a false pass.

JSON has no NaN or infinity: they are written as null, the report says why and where
(JSON Pointers, RFC 6901), and every ``"passed"`` above such a number is false. The domain
agrees: a run with a non-finite number does not pass, so the exit code is 1 as well.
"""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path

import numpy as np
import pytest

from compare import registry
from compare.data.cases import Case
from compare.output import NON_FINITE_LISTED, dumps, json_number
from compare.parity.harness import run_case
from core.spec import parse_spec

ROOT = Path(__file__).resolve().parents[1]


def reject_constant(text: str) -> float:
    raise AssertionError(f"not RFC 8259 JSON: {text}")


def loads(text: str) -> dict:
    return json.loads(text, parse_constant=reject_constant)


def test_finite_numbers_pass_through_exactly():
    report = {"passed": True, "x": [0.1, 1e308, -5e-324, 3], "a": np.array([[1.5, 2.0]]), "n": np.float32(0.25), "i": np.int64(7)}
    back = loads(dumps(report))
    assert back == {"passed": True, "x": [0.1, 1e308, -5e-324, 3], "a": [[1.5, 2.0]], "n": 0.25, "i": 7}
    assert "non_finite" not in back


def test_nan_and_infinity_become_null_with_where_and_why():
    report = {
        "passed": True,
        "cases": [{"passed": True, "loss": math.nan}, {"passed": True, "loss": 1.0}],
        "grads": {"W/1": np.array([1.0, np.inf, -np.inf])},
    }
    text = dumps(report)
    back = loads(text)
    assert ": NaN" not in text and "Infinity," not in text and "NaN," not in text
    assert back["cases"][0]["loss"] is None and back["grads"]["W/1"] == [1.0, None, None]
    assert back["non_finite"]["count"] == 3
    assert back["non_finite"]["paths"] == ["/cases/0/loss", "/grads/W~11/1", "/grads/W~11/2"]
    assert "RFC 8259" in back["non_finite"]["why"]
    assert back["passed"] is False and back["cases"][0]["passed"] is False
    assert back["cases"][1]["passed"] is True  # a case without non-finite numbers keeps its verdict


@pytest.mark.parametrize("value, written", [(1.5, 1.5), (math.inf, None), (-math.inf, None), (math.nan, None)])
def test_json_number_is_a_float_or_null(value, written):
    assert json_number(value) == written if written is not None else json_number(value) is None


def test_the_paths_listed_are_capped_but_the_count_is_not():
    back = loads(dumps({"values": np.full(1000, np.nan)}))
    assert back["non_finite"]["count"] == 1000 and len(back["non_finite"]["paths"]) == NON_FINITE_LISTED


def test_a_run_whose_numbers_overflow_does_not_pass():
    """Reference only, so no check can fail: X = 1e308 through a relu layer overflows, and the run still does not pass."""
    spec = parse_spec("2-3-2:relu,softmax:cce")
    params = {"W1": np.ones((3, 2)), "b1": np.zeros(3), "W2": np.ones((2, 3)), "b2": np.zeros(2)}
    case = Case("overflow", spec, params, np.full((2, 2), 1e308), np.array([0, 1]))
    with np.errstate(all="ignore"):
        result = run_case(case, "float64", [])
    assert result.checks == [] and result.finite is False and result.passed is False
    assert "scratch:z1" in result.non_finite


def test_the_same_net_on_finite_input_passes():
    spec = parse_spec("2-3-2:relu,softmax:cce")
    params = {"W1": np.ones((3, 2)), "b1": np.zeros(3), "W2": np.ones((2, 3)), "b2": np.zeros(2)}
    result = run_case(Case("finite", spec, params, np.full((2, 2), 1.0), np.array([0, 1])), "float64", [])
    assert result.finite and result.passed


def _json_dumps_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("dumps", "dump")
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "json"
    ]


# Messages between the tool's own processes, one JSON line each, read back by json.loads at the
# other end (a NaN there is Python's NaN again); never shown to a user, so not reports.
PROCESS_MESSAGES = {"compare/workers.py", "compare/students/worker.py", "compare/students/sandbox.py"}


def test_no_report_writes_json_but_through_the_one_writer():
    files = [
        p
        for p in sorted((ROOT / "compare").rglob("*.py"))
        if p != ROOT / "compare" / "output.py" and str(p.relative_to(ROOT)) not in PROCESS_MESSAGES
    ]
    found = {str(p.relative_to(ROOT)): lines for p in files if (lines := _json_dumps_calls(p))}
    assert found == {}
    assert _json_dumps_calls(ROOT / "compare" / "output.py")  # the check sees a call where there is one


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_the_writer_refuses_to_write_invalid_json_even_if_a_value_slips_past(value, monkeypatch):
    """allow_nan=False is the last line: were the cleaning skipped, json.dumps raises instead of writing NaN."""
    import compare.output as output

    monkeypatch.setattr(output, "_plain", lambda v, pointer, found: (v, False))
    with pytest.raises(ValueError):
        output.dumps({"x": value})


def test_the_process_messages_exempted_are_messages_between_processes():
    for name in PROCESS_MESSAGES:
        text = (ROOT / name).read_text(encoding="utf-8")
        assert _json_dumps_calls(ROOT / name), name  # stale entries fail here
        assert "json.loads" in text, name  # it reads the other end's messages too


def test_a_differing_implementation_makes_the_json_say_not_passed():
    """The top-level and the case's "passed" follow the checks (an implementation far off at z1)."""
    import copy

    from compare.data.cases import get_case
    from compare.parity.harness import CaseResult, compare_traces
    from compare.parity.report import to_json

    case = get_case("worked-2-2-2")
    scratch = registry.get(registry.REFERENCE).evaluate(case.spec, case.params, case.X, case.y, "float64")
    off = copy.deepcopy(scratch)
    off.z[1] = off.z[1] + 1e-6  # far outside float64's tolerance
    other = registry.OTHERS[0]
    result = CaseResult(case.name, case.spec, "float64", {registry.REFERENCE: scratch, other: off})
    result.checks = compare_traces(other, off, scratch, "float64")
    report = to_json([result])
    assert report["passed"] is False and report["cases"][0]["passed"] is False
    agreeing = CaseResult(case.name, case.spec, "float64", {registry.REFERENCE: scratch, other: scratch})
    agreeing.checks = compare_traces(other, scratch, scratch, "float64")
    assert to_json([agreeing])["passed"] is True  # the control: the same report with agreeing traces passes
