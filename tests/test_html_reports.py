"""``--format html`` for parity, explain and train: one self-contained page each, checked in a real headless browser.

The browser part needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them with
apt-get) and selenium (the [test] extra); without them those tests skip and say why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.helpers import shared_across_workers

pytestmark = pytest.mark.full  # every test runs the CLI in a fresh process: the full suite only (README, Tests)

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "parity": ["--arch", "worked-2-2-2", "--arch", "spiral-2-4-3", "--frameworks", "torch"],
    "explain": ["explain", "worked-2-2-2", "--frameworks", "torch"],
    "train": ["train", "--arch", "spiral-2-4-3", "--frameworks", "torch", "--steps", "40"],
}
WIDTH = 1280  # the window the page must fit


def _run_all() -> dict[str, dict]:
    """Each command with ``--format html``, the three side by side: its exit code, stdout and stderr."""
    env = {**os.environ, "COLUMNS": "80"}
    running = {
        name: subprocess.Popen(
            [sys.executable, "-m", "compare", *argv, "--format", "html"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, argv in COMMANDS.items()
    }
    done = {}
    for name, process in running.items():
        out, err = process.communicate(timeout=600)
        done[name] = {"returncode": process.returncode, "stdout": out, "stderr": err}
    return done


@pytest.fixture(scope="module")
def reports(tmp_path_factory, worker_id):
    return shared_across_workers(tmp_path_factory, worker_id, "html_reports", _run_all)


class _Elements(HTMLParser):
    """Every start tag with its attributes, and whether the tags close in order (void elements aside)."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "source", "wbr", "path", "use", "stop"}

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.open: list[str] = []
        self.mismatched: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.mismatched.append(tag)
        else:
            self.open.pop()


def _parsed(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("name", COMMANDS)
def test_each_report_is_one_well_formed_document_on_stdout(reports, name):
    report = reports[name]
    assert report["returncode"] == 0, report["stderr"][-2000:]
    html = report["stdout"]
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert html.count("<html") == 1 and html.count("</body>") == 1
    parsed = _parsed(html)
    assert parsed.mismatched == [] and parsed.open == []
    # stderr holds only the tool's own lines, as for every other format
    assert all(line.startswith("python -m compare") for line in report["stderr"].splitlines()), report["stderr"]


@pytest.mark.parametrize("name", COMMANDS)
def test_nothing_on_a_report_is_fetched(reports, name):
    html = reports[name]["stdout"]
    tags = _parsed(html).tags
    assert not [tag for tag, _ in tags if tag in ("script", "link", "iframe", "img", "object", "embed", "audio", "video")]
    fetched = [
        (tag, key, value)
        for tag, attrs in tags
        for key, value in attrs.items()
        if key in ("src", "href", "xlink:href", "action", "srcset", "poster") and not (value or "").startswith("#")
    ]
    assert fetched == []
    assert "@import" not in html and not re.search(r"url\((?!#)", html)


def test_the_parity_page_has_its_equations_plot_and_every_row(reports):
    html = reports["parity"]["stdout"]
    assert html.count("<math") == 9  # forward 2, the loss per sample for sse and cce 2, their mean 1, back-propagation 4
    assert html.count("<svg") == 1
    assert "4 of 4 runs agree with scratch" in html
    for row in ("worked-2-2-2", "spiral-2-4-3", "float32", "dW1", "db2"):
        assert row in html


def test_the_explain_page_has_a_symbol_and_a_formula_per_step_and_the_network(reports):
    from compare import registry
    from compare.data.cases import get_case
    from compare.students.steps import explain_case

    _, steps = explain_case(get_case("worked-2-2-2"), registry.with_reference(["torch"]), 0, 0, "train")
    html = reports["explain"]["stdout"]
    assert html.count("<math") == 2 * len(steps)
    assert html.count("<svg") == 1
    # the slide's printed numbers beside scratch's (Mazur's worked example, Amrita FFNN intro)
    assert "✓ 0.593269992" in html and "✓ torch 0.75136507" in html


def test_the_train_page_has_the_update_rule_and_each_plot(reports):
    html = reports["train"]["stdout"]
    assert html.count("<math") == 2  # g = dL/dtheta and sgd's rule
    assert html.count("<svg") == 3  # loss, divergence, decision regions (2-D classification data)
    assert "1 of 1 training runs agree with scratch" in html


def test_names_from_the_user_are_escaped():
    import dataclasses

    from compare.data.cases import get_case
    from compare.students.explain_html import render_html
    from compare.students.steps import explain_case

    case = dataclasses.replace(get_case("worked-2-2-2"), name="<b>my net</b> & co")
    case, steps = explain_case(case, ["scratch"], 0, 0, "train")
    html = render_html(case, steps, ["scratch"])
    assert "<b>my net</b>" not in html and "&lt;b&gt;my net&lt;/b&gt; &amp; co" in html


# ---- in a real browser ----

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip(
            "no headless browser: the HTML reports' browser test needs Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver; .ci/run installs them)"
        )
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (the [test] extra) drives the browser")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--hide-scrollbars",
        f"--window-size={WIDTH},900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


MEASURE = """
const size = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
return {
  page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
  boxes: Array.from(document.querySelectorAll('.scroll')).map(e => [e.scrollWidth, e.clientWidth]),
  maths: Array.from(document.querySelectorAll('math')).map(e => [e.constructor.name, ...size(e)]),
  svgs: Array.from(document.querySelectorAll('svg')).map(size),
  fetched: performance.getEntriesByType('resource').map(e => e.name),
  height: document.documentElement.scrollHeight,
};
"""


@pytest.mark.parametrize("name", COMMANDS)
def test_each_report_renders_in_a_browser_within_1280_pixels_with_every_equation_shown(reports, browser, name, tmp_path):
    page = tmp_path / f"{name}.html"
    page.write_text(reports[name]["stdout"], encoding="utf-8")
    browser.set_window_size(WIDTH, 900)
    browser.get(page.as_uri())
    seen = browser.execute_script(MEASURE)
    assert seen["page"][0] <= seen["page"][1] <= WIDTH, seen["page"]  # no horizontal overflow
    assert all(scroll <= client for scroll, client in seen["boxes"]), seen["boxes"]  # no table needs its scroll bar
    assert len(seen["maths"]) == reports[name]["stdout"].count("<math") > 0
    for kind, width, height in seen["maths"]:
        assert kind == "MathMLElement" and width > 0 and height > 0, (kind, width, height)
    assert seen["svgs"] and all(width > 100 and height > 100 for width, height in seen["svgs"])
    assert seen["fetched"] == []
    # the screenshot: the whole page, and something drawn on it
    browser.set_window_size(WIDTH, min(seen["height"] + 200, 12000))
    shot = tmp_path / f"{name}.png"
    assert browser.save_screenshot(str(shot))
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[1] == WIDTH and pixels.shape[0] >= min(seen["height"], 11000)
    assert pixels[..., :3].std() > 0.05  # not a blank page
