"""Start-up: each command imports only what it runs (import behaviour, never time).

Every check runs in a fresh interpreter and reads ``sys.modules`` at the end, so
what an earlier test imported cannot hide or fake an import.
"""

import json
import subprocess
import sys

import pytest

from compare import registry

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
