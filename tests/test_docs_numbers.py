"""Every number the README and docs/ quote from the tool is what its command prints (scripts/docs_numbers.py).

Each quoted number sits in a span ``<!-- n:KEY -->...<!-- /n -->``; the script's registry names the
command behind each KEY. These tests check that the spans and the registry match one to one, that
the script reports and rewrites a drifted number, and then run every command once (one xdist worker
runs it, the others read its output) and compare each span with what the command prints now.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from compare.registry import REFERENCE
from helpers import shared_across_workers

pytestmark = pytest.mark.full  # runs the docs' own commands and code blocks: the full suite only (README, Tests)

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("docs_numbers", ROOT / "scripts" / "docs_numbers.py")
assert SPEC is not None and SPEC.loader is not None
docs_numbers = importlib.util.module_from_spec(SPEC)
sys.modules["docs_numbers"] = docs_numbers  # its dataclasses look their module up there
SPEC.loader.exec_module(docs_numbers)

SPANS = docs_numbers.all_spans()
SOURCES = docs_numbers.SOURCES
QUICK = [name for name, s in SOURCES.items() if not s.slow and not s.write_only]
SLOW = [name for name, s in SOURCES.items() if s.slow]
_PRODUCED: dict[str, Any] = {}  # without xdist, each source still runs once per session


def produced(name: str, tmp_path_factory, worker_id: str) -> Any:
    """Source ``name``'s output, computed once for all the xdist workers."""
    if name not in _PRODUCED:
        compute = SOURCES[name].produce
        _PRODUCED[name] = shared_across_workers(tmp_path_factory, worker_id, f"docs_numbers_{name}", compute)
    return _PRODUCED[name]


def checked_by(name: str) -> list[Any]:
    """The spans that source ``name``'s output checks (a pasted block: the source its ``checked_by`` names)."""
    out = []
    for span in SPANS:
        key = docs_numbers.KEYS[span.key]
        if (key.checked_by[0] if key.checked_by else key.source) == name:
            out.append(span)
    return out


# --- the spans and the registry ----------------------------------------------------------------------------------------


def test_every_span_has_a_key_and_every_key_a_span():
    unknown, unused = docs_numbers.unknown_and_unused(SPANS)
    assert not unknown, [f"{s.path}:{s.line} {s.key}" for s in unknown]
    assert not unused, f"registered but quoted nowhere: {unused}"
    pages = {s.path for s in SPANS}
    assert {"README.md", "docs/training.md", "docs/tolerances.md", "docs/numerics.md", "docs/benchmarks.md"} <= pages
    assert "docs/students.md" in pages
    assert not pages & {"docs/lecture-examples.md", "docs/rosetta.md"}  # their own tests check those pages
    assert len(SPANS) >= 80


def test_every_source_is_checked_by_a_test_here():
    for name, source in SOURCES.items():
        if source.write_only:  # a block pasted from it is checked through another source's numbers
            keys = [k for k in docs_numbers.KEYS.values() if k.source == name]
            assert keys and all(k.checked_by and k.checked_by[0] in QUICK for k in keys), name
        else:
            assert name in QUICK + SLOW and checked_by(name), name


def test_each_check_run_of_the_students_page_is_quoted_once_with_its_command():
    """docs/students.md's ``check`` blocks: each key's span shows ``$ COMMAND`` of the run behind it, once."""
    runs = {key: cmd for group in docs_numbers.STUDENT_RUNS for key, cmd in group}
    quoted = [s for s in SPANS if s.key in runs]
    assert sorted(s.key for s in quoted) == sorted(runs) and {s.path for s in quoted} == {"docs/students.md"}
    for span in quoted:
        assert span.text.startswith(f"\n```\n$ {runs[span.key]}\n"), span.key


def test_the_spans_of_one_key_all_quote_the_same_text():
    texts = defaultdict(set)
    for span in SPANS:
        texts[span.key].add(span.text)
    assert {key: found for key, found in texts.items() if len(found) > 1} == {}


@pytest.mark.parametrize(
    "text",
    [
        "a <!-- n:rows-iris-2-4-3 -->150 and no end",
        "<!-- n:cases -->9<!-- n:cases-plain -->7<!-- /n --><!-- /n -->",
        "x<!-- /n -->",
    ],
    ids=["unclosed", "nested", "stray-end"],
)
def test_a_span_left_open_nested_or_stray_is_refused(text):
    with pytest.raises(ValueError, match="page.md"):
        docs_numbers.spans(text, "page.md")


# --- what the script does with a drifted number -----------------------------------------------------------------------

OTHER = "torch"  # against REFERENCE (compare.registry), scratch
REPORT = {  # the smallest parity report the tolerance keys read: one plain case, one check
    "cases": [
        {
            "name": "spiral-2-4-3",
            "spec": "2-4-3:relu,softmax:cce",
            "dtype": "float64",
            "mode": "train",
            "results": {
                REFERENCE: {"grads": {"b2": [0.5, -0.001]}},
                OTHER: {
                    "grads": {"b2": [0.5, -0.001 - 2.5e-16]},
                    "max_rel_err_at": {"db2": {"index": [1], "actual": -0.001 - 2.5e-16, "expected": -0.001}},
                },
            },
            "checks": [{"framework": OTHER, "quantity": "db2", "max_abs_err": 2.5e-16, "max_rel_err": 2.5e-13, "passed": True}],
        }
    ]
}
PAGE = (
    "worst\n<!-- n:tol-f64-rel -->9.9e-13<!-- /n --> relative, "
    "an entry of size <!-- n:tol-f64-rel-entry-size -->1.0e-3<!-- /n -->\n"
)


def test_a_drifted_number_is_reported_with_its_place_and_rewritten():
    outputs = {"parity": {"report": REPORT, "stderr": ""}}
    found = docs_numbers.spans(PAGE, "README.md")
    assert [str(d) for d in docs_numbers.drifts(found, outputs)] == [  # the entry size (1.0e-3) is right
        "README.md:2 tol-f64-rel: docs say 9.9e-13, command prints 2.5e-13"
    ]
    fixed = docs_numbers.rewrite(PAGE, "README.md", outputs)
    assert fixed == PAGE.replace("9.9e-13", "2.5e-13")
    assert docs_numbers.drifts(docs_numbers.spans(fixed, "README.md"), outputs) == []
    assert docs_numbers.rewrite(PAGE, "README.md", {"train": {}}) == PAGE  # spans of other sources are left alone


def test_the_command_line_checks_and_writes_a_page(tmp_path, monkeypatch, capsys):
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("iris has <!-- n:rows-iris-2-4-3 -->149<!-- /n --> rows\n", encoding="utf-8")
    (tmp_path / "docs" / "page.md").write_text("nothing quoted\n", encoding="utf-8")
    monkeypatch.setattr(docs_numbers, "ROOT", tmp_path)
    assert docs_numbers.main(["--check", "--source", "project"]) == 1
    printed = capsys.readouterr().out
    assert "README.md:1 rows-iris-2-4-3: docs say 149, command prints 150\n" in printed
    assert "cases: registered in scripts/docs_numbers.py, quoted nowhere" in printed  # this page quotes one key only
    assert docs_numbers.main(["--write", "--source", "project"]) == 0
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "iris has <!-- n:rows-iris-2-4-3 -->150<!-- /n --> rows\n"
    (tmp_path / "README.md").write_text("<!-- n:no-such-key -->1<!-- /n -->\n", encoding="utf-8")
    assert docs_numbers.main(["--check", "--source", "project"]) == 1
    assert "README.md:1 no-such-key: no such key in scripts/docs_numbers.py" in capsys.readouterr().out


def test_the_list_names_every_source_and_the_regeneration_commands(capsys):
    assert docs_numbers.main(["--list"]) == 0
    printed = capsys.readouterr().out
    for source in SOURCES.values():
        assert source.shown in printed
    assert "python scripts/suite_time.py --write" in printed and "python -m compare bench --train" in printed
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for regenerate in ("python scripts/docs_numbers.py --write", "python -m compare bench --startup --runs 5"):
        assert regenerate in contributing


# --- every quoted number against its command, run now -------------------------------------------------------------------


@pytest.mark.parametrize("name", QUICK)
def test_the_quoted_numbers_are_what_their_command_prints(name, tmp_path_factory, worker_id):
    spans = checked_by(name)
    assert spans, f"no span reads {name}"
    drifted = docs_numbers.drifts(spans, {name: produced(name, tmp_path_factory, worker_id)})
    assert not drifted, "regenerate with: python scripts/docs_numbers.py --write --source ...\n" + "\n".join(map(str, drifted))


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_the_slow_commands_quoted_numbers_are_what_they_print(name, tmp_path_factory, worker_id):
    drifted = docs_numbers.drifts(checked_by(name), {name: produced(name, tmp_path_factory, worker_id)})
    assert checked_by(name) and not drifted, "\n".join(map(str, drifted))


def test_the_readme_sample_is_checked_number_by_number(tmp_path_factory, worker_id):
    """The pasted parity excerpt: all 12 rows agree with the parity report, and one changed digit is caught."""
    (span,) = [s for s in SPANS if s.key == "readme-parity-sample"]
    parity = produced("parity", tmp_path_factory, worker_id)
    assert docs_numbers.verify_sample(span.text, parity) == []
    case, dtype, framework = docs_numbers.SAMPLE[1]  # the excerpt's second block
    row = next(line for line in span.text.splitlines() if framework in line and "output" in line)
    changed = row.rsplit("e-0", 1)[0] + "e-09" + row.rsplit("e-0", 1)[1][1:]
    problems = docs_numbers.verify_sample(span.text.replace(row, changed), parity)
    assert len(problems) == 1 and problems[0].startswith(f"{case} {dtype} {framework} output:")
    assert docs_numbers.verify_sample(span.text.replace("4 of 4 case", "3 of 4 case"), parity) == [
        "no line '4 of 4 case x dtype runs agree'"
    ]


# --- what the new readings compute, on reports built by hand ------------------------------------------------------------


def test_the_spike_is_the_largest_rise_above_the_lowest_loss_before_it():
    losses = [1.0, 0.5, 0.6, 0.3, 0.45, 0.2]  # rises: 0.1 at step 300, 0.15 at step 500
    report = {"runs": [{"results": {"scratch": {"loss_history": losses, "loss_steps": [1, 100, 300, 400, 500, 600]}}}]}
    assert docs_numbers.spike(report) == {"to": 0.45, "step": 500, "from": 0.3}
    falling = {"runs": [{"results": {"scratch": {"loss_history": [1.0, 0.5], "loss_steps": [1, 2]}}}]}
    with pytest.raises(ValueError, match="never rises"):
        docs_numbers.spike(falling)


def test_the_normwise_drift_takes_every_final_parameter_together():
    from compare.registry import OTHERS, REFERENCE

    reference = {"W1": [[3.0]], "b1": [4.0]}  # ||theta|| = 5
    other = OTHERS[0]
    run = {"results": {REFERENCE: {"final_params": reference}, other: {"final_params": {"W1": [[3.0]], "b1": [4.5]}}}}
    assert docs_numbers.normwise(run, other) == pytest.approx(0.1, rel=1e-12)


def test_a_worst_entry_that_moved_elsewhere_asks_for_the_prose_to_be_rewritten():
    check = {"framework": "keras-jax", "quantity": "dW1", "max_abs_err": 1e-15, "max_rel_err": 1e-9, "passed": True}
    moved = {"cases": [{**REPORT["cases"][0], "checks": [check]}]}
    with pytest.raises(ValueError, match="rewrite the prose"):
        docs_numbers.cancelled(moved)
    with pytest.raises(ValueError, match="rewrite the prose"):  # REPORT's worst absolute error is in db2, not the logits
        docs_numbers.logits({"cases": [{**REPORT["cases"][0], "dtype": "float32"}]}, "float32")
