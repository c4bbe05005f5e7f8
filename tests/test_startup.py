"""Start-up: each command imports only what it runs (import behaviour, never time).

Every check runs in a fresh interpreter and reads ``sys.modules`` at the end, so
what an earlier test imported cannot hide or fake an import.
"""

import json
import subprocess
import sys

import pytest

from compare import registry

pytestmark = pytest.mark.full  # every test runs the CLI in a fresh process: the full suite only (README, Tests)

FRAMEWORKS = {module for name in registry.OTHERS for module in registry.get(name).imports}  # torch, keras, tensorflow
HEAVY = FRAMEWORKS | {"sklearn", "scipy", "matplotlib", "rich", "safetensors"}

# Runs compare.cli.main(argv) and prints the top-level packages imported by the end, as JSON.
PROBE = """
import contextlib, io, json, sys
import compare.cli
argv = json.loads(sys.argv[1])
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        code = compare.cli.main(argv)
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "modules": sorted({name.split('.')[0] for name in sys.modules})}))
"""

IMPORT_PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))
"""


def run_main(*argv: str) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(argv))], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["code"], set(result["modules"])


def imported_by(*modules: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", IMPORT_PROBE, *modules], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


@pytest.mark.parametrize(
    "argv, code",
    [
        pytest.param(["--help"], 0, id="help"),
        pytest.param(["--bogus"], 2, id="unknown-option"),
        pytest.param(["--dtype", "float16"], 2, id="bad-choice"),
        pytest.param(["--frameworks", "jax"], 2, id="unknown-framework"),
        pytest.param(["--arch", "not-a-case"], 2, id="unknown-case"),
        pytest.param(["bench", "--help"], 0, id="bench-help"),
        pytest.param(["bench", "--widths", "0"], 2, id="bench-bad-width"),
    ],
)
def test_help_and_usage_errors_import_no_framework_nor_heavy_library(argv, code):
    exit_code, modules = run_main(*argv)
    assert exit_code == code
    assert not modules & HEAVY, sorted(modules & HEAVY)


def test_scratch_only_run_imports_neither_torch_nor_tensorflow():
    code, modules = run_main("--frameworks", "scratch", "--format", "json")
    assert code == 0
    assert not modules & FRAMEWORKS, sorted(modules & FRAMEWORKS)


def test_scratch_and_torch_run_imports_no_tensorflow():
    code, modules = run_main("--frameworks", "scratch,torch", "--arch", "worked-2-2-2", "--format", "json")
    assert code == 0
    assert "torch" in modules  # the probe does see framework imports
    assert not modules & (FRAMEWORKS - set(registry.get("torch").imports))


@pytest.mark.parametrize(
    "module",
    [
        "scratch",
        "scratch.model",
        "scratch.gradcheck",
        "scratch.init",
        "compare.cli",
        "compare.parity.harness",
        "compare.parity.report",
        "compare.data.cases",
        "compare.data.datasets",
        "compare.data.files",
        "compare.bench.command",
        "compare.bench.steps",
        "compare.bench.timing",
        "compare.bench.report",
    ],
)
def test_importing_scratch_and_harness_modules_imports_no_framework(module):
    assert not imported_by(module) & FRAMEWORKS


def test_importing_torch_impl_never_imports_tensorflow():
    modules = imported_by("torch_impl.model", "torch_impl.convert", "torch_impl.losses")
    assert "torch" in modules
    assert not modules & (FRAMEWORKS - set(registry.get("torch").imports))


# Runs compare.cli.main(argv) until its first feedback line (said or counted, on a terminal or not), then prints that
# line and the heavy packages imported (or being imported) before it as JSON, and exits at once.
FIRST_LINE_PROBE = """
import json, os, sys
HEAVY = json.loads(sys.argv[2])
import compare.progress
def first(self, text, *rest, **options):
    seen = [name for name in HEAVY if name in sys.modules]  # imported, or being imported (a module is listed first)
    sys.__stdout__.write(json.dumps({'line': text, 'imported_before': seen}) + '\\n')
    sys.__stdout__.flush()
    os._exit(0)
compare.progress.Feedback.say = compare.progress.Feedback.start = first
import compare.cli
sys.stdout = sys.stderr = open(os.devnull, 'w')
compare.cli.main(json.loads(sys.argv[1]))
sys.__stdout__.write(json.dumps({'line': None, 'imported_before': []}) + '\\n')
"""


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        ([], "loading the frameworks"),
        (["--arch", "spiral-2-4-3", "--dtype", "float32"], "loading the frameworks"),
        (["train"], "loading the frameworks"),
        (["train", "--optimizer", "all", "--dtype", "both"], "loading the frameworks"),
        (["check", "examples/students/correct_rows.py", "--arch", "spiral-2-4-3"], "checking your backprop function"),
        (["check", "examples/students/keras_spiral.py", "--framework", "keras", "--arch", "spiral-2-4-3"], "your keras code"),
        (["explain", "worked-2-2-2"], "loading the frameworks"),
        (["bench", "--quick"], "loading the frameworks"),
        (["bench", "--train", "--steps", "10", "--runs", "1"], "loading the frameworks"),
        (["bench", "--startup", "--runs", "1"], "timing whole runs"),
    ],
    ids=lambda value: (" ".join(value) or "parity") if isinstance(value, list) else "",
)
def test_the_first_line_comes_before_any_framework_is_imported(argv, says):
    """What makes the first line quick: it is written before torch, TensorFlow, JAX or scikit-learn start to load.

    Only NumPy and the project's own modules come before it (time is measured by ``bench --startup``, not here).
    """
    done = subprocess.run(
        [sys.executable, "-c", FIRST_LINE_PROBE, json.dumps(argv), json.dumps(sorted(HEAVY | {"jax"}))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    first = json.loads(done.stdout.splitlines()[0])
    assert first["line"] is not None, f"no feedback line at all: {done.stderr[-500:]}"
    assert says in first["line"]
    assert first["imported_before"] == [], first
