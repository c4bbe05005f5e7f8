"""Render ``python -m compare bench`` results: a rich table, JSON, and a log-log PNG of time against width."""

from __future__ import annotations

from compare.log_ticks import log_ticks


def dumps(result: dict) -> str:
    """The bench result as JSON text, through the one JSON writer (compare.output.dumps)."""
    from compare.output import dumps as write

    return write(result)


BUSY = 0.5  # a load average above this many runnable tasks per CPU: other work shares the machine


def _cell(r: dict) -> str:
    us, pct = r["median_us"], 100 * r["fraction_of_peak"]
    spread = 100 * (r["max_us"] - r["min_us"]) / us
    return (
        (f"{us:,.0f} µs" if us >= 100 else f"{us:.1f} µs")
        + f"\n×{r['ratio_to_scratch']:.2f}\n"
        + f"{r['gflops']:.3g} GF/s "
        + (f"{pct:.0f}%" if pct >= 1 else f"{pct:.1g}%")
        + f"\nspread {spread:.0f}%"
    )


def load_warning(result: dict) -> str | None:
    """A warning when the 1-minute load average, before or after, exceeds :data:`BUSY` per CPU; else None."""
    load, cpus = result.get("load_average"), result["machine"]["cpus"]
    if not load:
        return None
    worst = max(load["before"][0], load["after"][0])
    if worst <= BUSY * cpus:
        return None
    threads = (result.get("threads") or {}).get("requested") or 1
    spinning = (
        f"; with {threads} threads per framework a tiny step can take tens to hundreds of times longer while another "
        "job holds a CPU (threads wait for each other: docs/benchmarks.md §2e), and --threads 1 avoids that"
        if threads > 1
        else ""
    )
    return (
        f"warning: load average {worst:.1f} on {cpus} CPUs while timing: other work shared the machine, so times are "
        f"upper bounds and ratios between implementations may be skewed; rerun on a quiet machine{spinning}"
    )


def _pool(p: dict) -> str:
    return " ".join(str(p[k]) for k in ("internal_api", "version", "architecture") if p.get(k)) + f" threads={p['num_threads']}"


def setup_grid(result: dict):
    """Machine, threads and versions, one ``key: value`` row each (key column never wraps).

    Thread counts are ``name=value`` tokens (``intra_op=2``) with no space inside, so a
    narrow terminal wraps between settings, never between a setting and its number.
    """
    from rich.table import Table

    t = result["threads"]
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row("machine:", f"{result['machine']['cpu']}, {result['machine']['cpus']} CPUs")
    grid.add_row("threads:", str(t["requested"]))
    for pool in t["threadpools"]:
        grid.add_row("  threadpoolctl:", _pool(pool))
    pools: dict[str, list[str]] = {}  # "torch_intra_op": 2 -> torch: intra_op=2
    for key, value in t.items():
        if key.endswith(("_intra_op", "_inter_op")):
            framework, setting = key[: -len("_intra_op")], key[-len("intra_op") :]
            pools.setdefault(framework, []).append(f"{setting}={value}")
    for framework, settings in pools.items():
        grid.add_row(f"  {framework}:", ", ".join(settings))
    grid.add_row("  OPENBLAS_CORETYPE:", str(t["OPENBLAS_CORETYPE"]))
    grid.add_row("versions:", ", ".join(f"{k} {v}" for k, v in result["versions"].items()))
    return grid


def render_table(result: dict, console=None) -> None:
    """One row per net and batch; per implementation: median µs/step, × scratch, GFLOP/s (% of matmul peak)."""
    from rich import box
    from rich.table import Table

    from compare.output import console as report_console

    console = console or report_console()  # piped: wide enough that no cell is cut to "…"
    implementations = list(result["results"][0]["implementations"]) if result["results"] else []
    peak = result["matmul_peak_gflops"]
    table = Table(
        title=f"One training step, {result['dtype']}: median µs/step, ×scratch, achieved GFLOP/s (% of the "
        f"{peak['numpy']:.1f} GFLOP/s NumPy matmul peak, n = {peak['n']})",
        title_justify="left",
        show_lines=True,
        box=box.SIMPLE_HEAD,
    )
    for column in ("net", "m", "MFLOP") + tuple(implementations):
        table.add_column(column, no_wrap=True, justify="left" if column == "net" else "right")
    for row in result["results"]:
        table.add_row(
            f"{row['name']}\n{row['spec']}",
            str(row["batch"]),
            f"{row['mflop_per_step']:.3g}",
            *(_cell(row["implementations"][i]) for i in implementations),
        )
    console.print(table)
    console.print(setup_grid(result))
    console.print(
        f"median of {result['repeats']} timed blocks after warm-up (spread: (max - min) / median of the blocks); "
        "FLOPs count the matmuls of forward and backward, 6 m sum n_(l-1) n_l"
    )
    if "load_average" in result:
        load = result["load_average"]
        console.print(f"load average (1 min): {load['before'][0]:.2f} before, {load['after'][0]:.2f} after")
    warning = load_warning(result)
    if warning:
        console.print(warning, style="bold")


LINES = ("-", "--", ":", "-.")


def plot(result: dict, path: str) -> None:
    """Time per step against hidden width, log-log: one colour per implementation, one line style per batch.

    Grey: the time the sweep's matmul FLOPs take at the measured NumPy peak (the limit for wide nets).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from compare.registry import bench_steps as registered

    bench_steps = registered()
    sweep = [r for r in result["results"] if r["group"] == "sweep"]
    fig, ax = plt.subplots(figsize=(8, 5.5))
    batches = sorted({r["batch"] for r in sweep})
    peak = result["matmul_peak_gflops"]["numpy"]
    for k, m in enumerate(batches):
        rows = sorted((r for r in sweep if r["batch"] == m), key=lambda r: r["width"])
        widths = [r["width"] for r in rows]
        for impl in rows[0]["implementations"] if rows else ():
            ax.plot(
                widths,
                [r["implementations"][impl]["median_us"] for r in rows],
                LINES[k % len(LINES)],
                marker="o",
                color=bench_steps[impl].color,
                label=f"{impl}, m={m}",
            )
        ax.plot(
            widths,
            [r["mflop_per_step"] / peak * 1e3 for r in rows],
            LINES[k % len(LINES)],
            color="0.6",
            label=f"matmul FLOPs at NumPy peak, m={m}",
        )
    ax.set_xscale("log", base=2)
    all_widths = sorted({r["width"] for r in sweep})
    ax.set_xticks(all_widths, [str(w) for w in all_widths])
    ax.set_yscale("log")
    ax.set_xlabel("hidden width w (net 2-w-w-3)")
    ax.set_ylabel("µs per training step (median)")
    ax.set_title(f"One SGD step, {result['dtype']}, {result['threads']['requested']} threads, {result['machine']['cpu']}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    log_ticks(ax.yaxis)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
