"""The report console on a pipe or a file: rich's tables without the spaces rich pads each line's end with."""

import contextlib
import io

from compare import registry
from compare.data.cases import get_case
from compare.output import TrimmedLines, console
from compare.parity.harness import run_case
from compare.parity.report import render_table


def test_a_parity_table_on_a_pipe_has_no_line_ending_in_a_space():
    results = [run_case(get_case("worked-2-2-2"), "float64", [])]  # scratch alone: in this process, no framework
    piped = io.StringIO()  # not a terminal, as a pipe or a file is
    with contextlib.redirect_stdout(piped):
        render_table(results, console())
    lines = piped.getvalue().splitlines()
    assert any("worked-2-2-2" in line and registry.REFERENCE in line for line in lines), lines
    assert [line for line in lines if line != line.rstrip(" ")] == []
    assert len({len(line) for line in lines}) > 1  # rich padded them all to one width before


def test_lines_are_written_when_their_newline_arrives_to_whatever_stdout_is_then():
    trimmed, first, second = TrimmedLines(), io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(first):
        trimmed.write("a   \nb ")
        assert first.getvalue() == "a\n"  # "b " waits for its newline
    with contextlib.redirect_stdout(second):  # --output redirects stdout after the console was made
        trimmed.write(" c  \n")
        trimmed.write("tail  ")
        trimmed.flush()  # a partial line is written as it is
    assert second.getvalue() == "b  c\ntail  "
    assert not trimmed.isatty()
