"""`shopreport kpis` against the tools a user would pick instead: DuckDB SQL and pandas computing
the same core metrics over the same Parquet files (references.py). Prints Markdown rows.

    python benchmarks/bench_kpis.py --size 1M [--rounds 3]
    python benchmarks/bench_kpis.py --size 1M --check     # agreement only (CI smoke test)

Data: the demo shop (`shopreport demo --months 13 --end 2026-10 --orders-per-month N`) as
Parquet under benchmarks/data/<size>/ (git-ignored), generated once. Before timing, the three
must agree on every value of the core set (relative 1e-6), or the script exits 1.

Each round runs, as child processes in this order: DuckDB; shopreport cold (`--no-cache`);
pandas; shopreport's first run over new exports (store cleared: it reads them as a run
without the store does and remembers its report); shopreport warm (the same command again: the
remembered report); a second report over the same exports (another month: prepares the store);
shopreport on another month again (its report forgotten: computed from the prepared tables).
Per run: wall time, CPU time (user + system of the child) and peak resident memory; the table
gives medians over the rounds and the load average before and after. The machine is shared:
compare ratios within one run, not absolute times across days.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from references import (  # noqa: E402
    disagreements,
    duckdb_metrics,
    pandas_metrics,
    shopreport_metrics,
    source,
)

# average paid orders per month so that 13 months hold about 1M / 10M / 30M order lines
SIZES = {"200k": 9_920, "1M": 49_600, "10M": 496_000, "30M": 1_488_000}
MONTH, OTHER = "2026-10", "2026-09"


def child(args: list[str]) -> tuple[float, float, float]:
    """Run a command: wall seconds, CPU seconds (user + system), peak RSS in MB."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status:
        sys.exit(f"{' '.join(args)} failed:\n{proc.stderr.read().decode() if proc.stderr else ''}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def alternate(
    runs: dict[str, Callable[[], list[str]]], rounds: int
) -> tuple[dict[str, tuple[float, ...]], tuple[float, float]]:
    """Each round runs every command once, in order (A B C A B C …): the medians over the rounds
    of wall, CPU and peak memory per run, and the load average before and after."""
    times: dict[str, list[tuple[float, float, float]]] = {k: [] for k in runs}
    load_before = os.getloadavg()[0]
    for _ in range(rounds):
        for name, make in runs.items():
            times[name].append(child(make()))
    load = (load_before, os.getloadavg()[0])
    return {
        k: tuple(statistics.median(r[i] for r in v) for i in range(3)) for k, v in times.items()
    }, load


def ensure_data(size: str) -> Path:
    """Generate the demo shop of `size` unless it is already there; its config."""
    folder = HERE / "data" / size
    config = folder / "shopreport.yaml"
    if not config.exists():
        wall, _, _ = child(
            [
                sys.executable,
                "-m",
                "shopreport",
                "demo",
                str(folder),
                "--months",
                "13",
                "--end",
                MONTH,
                "--orders-per-month",
                str(SIZES[size]),
                "--no-deck",
            ]
        )
        print(f"generated {size} in {wall:.1f} s", file=sys.stderr)
    return config


def check(config: Path) -> int:
    """Exit 1 unless the three engines agree; the number of values compared."""
    data = config.parent / "data"
    ours = shopreport_metrics(config, MONTH, ["--no-cache"])
    for name, theirs in (
        ("DuckDB", duckdb_metrics(data, MONTH)),
        ("pandas", pandas_metrics(data, MONTH)),
    ):
        wrong = disagreements(ours, theirs)
        if wrong:
            sys.exit(
                f"shopreport and {name} disagree on {len(wrong)} values:\n" + "\n".join(wrong[:20])
            )
    return len(ours)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=list(SIZES), default="1M")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="check agreement only, no timing")
    args = parser.parse_args()
    config = ensure_data(args.size)
    if args.check:
        values = check(config)
        print(
            f"{args.size}: shopreport, DuckDB and pandas agree on {values} values", file=sys.stderr
        )
        return
    # the check and the line count run in children: this process stays small, because a
    # child's peak memory (ru_maxrss) counts the memory of the process it was started from
    subprocess.run([sys.executable, __file__, "--size", args.size, "--check"], check=True)
    items, _ = source(config.parent / "data", "order_items")
    count = (
        "import polars as pl, sys; "
        "print(pl.scan_parquet(sys.argv[1]).select(pl.len()).collect().item())"
    )
    lines = int(
        subprocess.run(
            [sys.executable, "-c", count, items], capture_output=True, text=True, check=True
        ).stdout
    )
    versions = "import polars; print(polars.__version__)"
    polars_version = subprocess.run(
        [sys.executable, "-c", versions], capture_output=True, text=True
    ).stdout.strip()
    py, ref = sys.executable, str(HERE / "references.py")
    data = str(config.parent / "data")
    kpis = [py, "-m", "shopreport", "kpis", "--config", str(config), "--format", "json", "--month"]
    store = config.parent / ".shopreport"

    def first_run() -> list[str]:
        shutil.rmtree(store, ignore_errors=True)
        return [*kpis, MONTH]

    def second_report() -> list[str]:  # the store holds the first report only
        return [*kpis, OTHER]

    def other_month() -> list[str]:
        for reports in store.glob("*/reports"):
            shutil.rmtree(reports)
        return [*kpis, OTHER]

    runs = {
        "DuckDB": lambda: [py, ref, "duckdb", data, "--month", MONTH],
        "shopreport cold (--no-cache)": lambda: [*kpis, MONTH, "--no-cache"],
        "pandas": lambda: [py, ref, "pandas", data, "--month", MONTH],
        "shopreport first run over new exports": first_run,
        "shopreport warm (same month)": lambda: [*kpis, MONTH],
        "shopreport second report (prepares the store)": second_report,
        "shopreport warm (another month)": other_month,
        "python -c pass": lambda: [py, "-c", "pass"],
        "shopreport --help": lambda: [py, "-m", "shopreport", "--help"],
        "shopreport kpis --help": lambda: [py, "-m", "shopreport", "kpis", "--help"],
    }
    med, (load_before, load_after) = alternate(runs, args.rounds)
    duck = med["DuckDB"]
    print(
        f"\n{args.size} ({lines:,} order lines), {args.rounds} rounds, load {load_before:.1f} → "
        f"{load_after:.1f}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"polars {polars_version}\n"
    )
    print("| run | wall | CPU | peak memory | wall ÷ DuckDB | pandas ÷ this (wall) |")
    print("|---|---|---|---|---|---|")
    for name, (wall, cpu, peak) in med.items():
        print(
            f"| {name} | {wall:.2f} s | {cpu:.2f} s | {peak:,.0f} MB | {wall / duck[0]:.2f} | "
            f"{med['pandas'][0] / wall:.2f} |"
        )


if __name__ == "__main__":
    main()
