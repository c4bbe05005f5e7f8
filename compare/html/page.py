"""One self-contained HTML page: a Jinja2 template, inline CSS, inline SVG plots, MathML equations.

Nothing on the page is fetched: no scripts, no fonts, no stylesheets, no images by address.
Text is escaped (Jinja2's autoescape); only the pieces this package builds itself
(:func:`compare.html.maths.mathml`, :func:`svg`, :func:`recorded`, :func:`table`) go in as markup.
The layout fits a 1280-pixel window: tables and preformatted blocks that are wider
scroll inside their own box, not the page (the browser test checks it).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Equation", "Section", "page", "recorded", "svg", "table"]

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 1em auto; padding: 0 1em; line-height: 1.4;
       color: #1b1b1b; background: #fff; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td.numbers { font-family: ui-monospace, monospace; font-size: 0.85em; overflow-wrap: anywhere; max-width: 30em; }
.pass { color: #1a7f37; } .fail { color: #b3261e; font-weight: bold; }
pre { font-size: 12px; line-height: 1.25; margin: 0.5em 0; }
.equations { list-style: none; padding-left: 0; } .equations li { margin: 0.4em 0; }
.source { color: #555; font-size: 0.85em; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
.meta { color: #444; font-size: 0.85em; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
{% for line in summary %}<p>{{ line }}</p>
{% endfor %}
{% for section in sections %}
<section>
<h2>{{ section.heading }}</h2>
{% for line in section.lines %}<p>{{ line }}</p>
{% endfor %}
{% if section.equations %}<ul class="equations">
{% for eq in section.equations %}<li>{{ eq.markup }}
{%- if eq.source %} <span class="source">({{ eq.source }})</span>{% endif %}</li>
{% endfor %}</ul>{% endif %}
{% for block in section.blocks %}<div class="scroll">{{ block }}</div>
{% endfor %}
{% for caption, picture in section.figures %}<figure>{{ picture }}<figcaption>{{ caption }}</figcaption></figure>
{% endfor %}
</section>
{% endfor %}
<footer class="meta">{% for line in footer %}<p>{{ line }}</p>{% endfor %}</footer>
</body>
</html>
"""


@dataclass
class Equation:
    """One equation in the plain notation (compare.html.maths), shown as MathML, and where it comes from."""

    text: str
    source: str = ""

    @property
    def markup(self) -> Any:
        """The equation as a ``<math>`` element (Markup: not escaped again)."""
        from markupsafe import Markup

        from compare.html.maths import mathml

        return Markup(mathml(self.text))


@dataclass
class Section:
    """A heading and what goes under it: paragraphs, equations, markup blocks (tables), figures (caption, SVG)."""

    heading: str
    lines: Sequence[str] = ()
    equations: Sequence[Equation] = ()
    blocks: list[Any] = field(default_factory=list)
    figures: list[tuple[str, Any]] = field(default_factory=list)


def svg(figure: Any) -> Any:
    """A matplotlib Figure as inline ``<svg>`` markup (text drawn as paths: no font is fetched or needed)."""
    from markupsafe import Markup

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return Markup(text[text.index("<svg") :])  # the XML prolog and DOCTYPE only belong at a file's start


def recorded(draw: Callable[[Any], None], width: int = 150) -> Any:
    """What ``draw(console)`` prints on a rich console (the text reports' tables) as one ``<pre>``: rich's own HTML export."""
    from markupsafe import Markup
    from rich.console import Console

    recorder = Console(record=True, width=width, file=io.StringIO(), color_system="truecolor")
    draw(recorder)
    html = recorder.export_html(inline_styles=True, code_format="<pre>{code}</pre>")
    return Markup(re.sub(r"[ \t]+$", "", html, flags=re.M))  # rich pads every line to the console's width


def table(head: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Sequence[int] = (), code: Sequence[int] = ()) -> Any:
    """A ``<table>``: ``head`` cells, then ``rows``; a cell is escaped text, or Markup as it is.

    ``numeric`` columns are right-aligned; ``code`` columns are monospace and wrap anywhere (long numbers).
    """
    from markupsafe import Markup, escape

    def cell(value: Any, column: int) -> str:
        text = str(escape(value))
        classes = "number" if column in numeric else "numbers" if column in code else ""
        if text.startswith("✓"):
            classes += " pass"
        elif text.startswith("✗"):
            classes += " fail"
        return f'<td class="{classes.strip()}">{text}</td>' if classes else f"<td>{text}</td>"

    lines = ["<table>", "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"]
    lines += ["<tr>" + "".join(cell(value, k) for k, value in enumerate(row)) + "</tr>" for row in rows]
    return Markup("\n".join([*lines, "</table>"]))


def page(title: str, sections: Sequence[Section], summary: Sequence[str] = (), footer: Sequence[str] = ()) -> str:
    """The whole HTML document as text."""
    from jinja2 import Environment

    environment = Environment(autoescape=True, keep_trailing_newline=True)
    return environment.from_string(TEMPLATE).render(title=title, sections=sections, summary=summary, footer=footer)
