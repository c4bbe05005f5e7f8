"""``python -m compare explain CASE --format html``: the steps as one self-contained HTML page.

One table per pass (forward, loss, backward, update): the lecture's symbol and formula as
MathML, the formula with scratch's numbers put in, scratch's value, each framework's with
✓/✗ and, for the slides' own cases, the slide's printed number; then the network drawn
(compare.students.network_plot) as inline SVG.
"""

from __future__ import annotations

from collections.abc import Sequence

from compare.data.cases import Case
from compare.output import MARK
from compare.registry import REFERENCE
from compare.students.slides import SLIDE_NUMBERS
from compare.students.steps import Step, fmt

__all__ = ["render_html"]


def render_html(case: Case, steps: list[Step], frameworks: Sequence[str], sample: int = 0) -> str:
    """The steps as an HTML document, with the network of sample ``sample`` (0-based) drawn at the end."""
    from markupsafe import Markup

    from compare import registry
    from compare.html.maths import mathml, split_remarks
    from compare.html.page import Section, page, svg, table
    from compare.students.explain import header_lines
    from compare.students.network_plot import plot_network

    others = [fw for fw in frameworks if fw != REFERENCE]
    has_slide = case.name in SLIDE_NUMBERS
    head = ["symbol", "formula", "numbers put in", REFERENCE] + (["frameworks"] if others else [])
    head += ["slide", "note"] if has_slide else []
    sections: list[Section] = []
    for name in dict.fromkeys(step.section for step in steps):
        rows = []
        for step in (s for s in steps if s.section == name):
            formula, remarks = split_remarks(step.formula)
            shown = Markup(mathml(formula)) + (Markup("<br>") + " ".join(remarks) if remarks else "")
            row = [Markup(mathml(step.symbol)), shown, step.numbers, fmt(step.values[REFERENCE])]
            if others:  # one line each: the table stays within the page
                lines = [f"{MARK[step.agrees[fw]]} {fw} {fmt(step.values[fw])}" for fw in others if fw in step.values]
                row.append(Markup("<br>").join(lines) if lines else "·")
            if has_slide:
                row += ["" if step.slide is None else f"{MARK[bool(step.slide_agrees)]} {step.slide}", step.note]
            rows.append(row)
        sections.append(Section(name, blocks=[table(head, rows, numeric=(3,), code=(2,))]))
    trace = registry.get(REFERENCE).evaluate(case.spec, case.params, case.X, case.y, "float64")
    picture = svg(plot_network(trace, case.name, sample, case.params))
    caption = f"sample {sample + 1}: z, a and the weights; delta and the gradients of the batch"
    sections.append(Section("The network", figures=[(caption, picture)]))
    lines = header_lines(case, frameworks)
    return page(f"explain {case.name}", sections, summary=lines[:-1], footer=lines[-1:])
