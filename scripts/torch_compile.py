"""Is ``torch.compile`` worth it for the torch training step of a lecture net? A measurement, not a test.

    python scripts/torch_compile.py                       # spiral-2-4-3, float64, SGD and Adam, inductor
    python scripts/torch_compile.py --backend aot_eager --optimizers sgd

The step is torch_impl's (``zero_grad``, the MLP, its native loss, ``backward``, the
``torch.optim`` step; as ``compare/bench/steps.py`` times it), on the full batch with the
project's thread rule (compare.threads: one thread for a net this small). Three ways:

- ``eager``: as ``train`` runs it.
- ``compiled model``: ``torch.compile(model)``, what a student writes first (the backward is
  AOTAutograd's, the optimizer eager).
- ``compiled model and step``: also the optimizer's ``step`` compiled, as torch's recipe
  "(beta) Compiling the optimizer with torch.compile" (pytorch.org/tutorials/recipes/compiling_optimizer.html) does.

For each: the first call (for the compiled ways, the compilation), the median per step over
``--blocks`` blocks of ``--block-steps`` steps after the ``--steps`` steps, the steps after which compiling pays
for itself (never, if its step is not faster), and the largest relative difference of the
parameters from eager's after ``--steps`` steps (``max_rel_err`` of compare.parity.harness.compare_arrays).
Prints JSON; the machine's load average with it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WAYS = ("eager", "compiled model", "compiled model and step")


def build(case: Any, optimizer: str, way: str, backend: str) -> tuple[Any, Any, Any]:
    """``(step, model, optimizer)``: one training step of ``way`` on the case's full batch."""
    import torch

    from compare.training.run import default_learning_rate
    from core.optimizers import matched
    from core.validate import prepare
    from torch_impl.model import build_model, to_tensors
    from torch_impl.optimizers import make_optimizer

    params, X, y = prepare(case.spec, case.params, case.X, case.y, "float64")
    model = build_model(case.spec, params, "float64")
    eta = default_learning_rate(optimizer, case.learning_rate)
    native = make_optimizer(optimizer, matched(optimizer, eta), model.parameters())
    X_t, y_t = to_tensors(X, y)
    forward = torch.compile(model, backend=backend) if way != "eager" else model
    update = torch.compile(native.step, backend=backend) if way == "compiled model and step" else native.step

    def step() -> Any:
        native.zero_grad(set_to_none=True)
        z_L, a_L = forward(X_t)
        value = model.loss(z_L, a_L, y_t)
        value.backward()
        update()
        return value

    return step, model, native


def measure(case: Any, optimizer: str, way: str, args: argparse.Namespace) -> dict[str, Any]:
    """The first call, the parameters after ``args.steps`` steps, then the median step over the blocks that follow."""
    from torch_impl.convert import read_params

    step, model, _ = build(case, optimizer, way, args.backend)
    start = time.perf_counter()
    step()
    first_s = time.perf_counter() - start
    for _ in range(args.steps - 1):
        step()
    final = read_params(model.linear_layers)
    blocks = []
    for _ in range(args.blocks):
        start = time.perf_counter()
        for _ in range(args.block_steps):
            step()
        blocks.append((time.perf_counter() - start) / args.block_steps)
    return {"first_call_s": first_s, "step_us": statistics.median(blocks) * 1e6, "final": final}


def main(argv: list[str]) -> int:
    """Measure each optimizer three ways and print the JSON; 0."""
    parser = argparse.ArgumentParser(prog="python scripts/torch_compile.py", description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="spiral-2-4-3")
    parser.add_argument("--optimizers", default="sgd,adam", help="comma-separated (default: sgd,adam)")
    parser.add_argument("--backend", default="inductor", help="torch.compile's backend (default: inductor)")
    parser.add_argument("--steps", type=int, default=1000, help="steps before the parameters are compared")
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--block-steps", type=int, default=200)
    parser.add_argument(
        "--default-float64",
        action="store_true",
        help="torch.set_default_dtype(torch.float64) first (the optimizers' step counters become float64)",
    )
    args = parser.parse_args(argv)
    if args.default_float64:
        import torch

        torch.set_default_dtype(torch.float64)

    from compare.data.cases import get_case
    from compare.output import versions
    from compare.parity.harness import compare_arrays
    from compare.threads import apply, choose

    case = get_case(args.case)
    threads = apply(["torch"], choose([(case.spec, len(case.X))]))
    load_before = os.getloadavg()
    out: dict[str, Any] = {"case": args.case, "backend": args.backend, "steps": args.steps}
    out |= {"default_dtype": "float64" if args.default_float64 else "float32", "optimizers": {}}
    for optimizer in args.optimizers.split(","):
        rows = {way: measure(case, optimizer, way, args) for way in WAYS}
        finals = {way: row.pop("final") for way, row in rows.items()}
        eager = rows["eager"]
        for way, row in rows.items():
            final, expected = finals[way], finals["eager"]
            row["max_rel_diff_from_eager"] = max(
                compare_arrays("torch", k, final[k], expected[k], "float64").max_rel_err for k in final
            )
            saved_us = eager["step_us"] - row["step_us"]
            extra_s = row["first_call_s"] - eager["first_call_s"]
            row["pays_off_after_steps"] = None if way == "eager" or saved_us <= 0 else int(np.ceil(extra_s / saved_us * 1e6))
        out["optimizers"][optimizer] = rows
    out |= {"threads": threads, "load_average": {"before": list(load_before), "after": list(os.getloadavg())}}
    out["versions"] = versions()
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
