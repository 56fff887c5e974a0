"""Time `shopreport kpis` on demo shops of 1M and 10M order lines; print a Markdown table row
per size.

    python benchmarks/bench_kpis.py            # both sizes
    python benchmarks/bench_kpis.py --size 1M  # one size

Data is generated once into benchmarks/data/<size>/ with the demo generator (13 months
ending 2026-10); each size is timed as a separate process so peak memory is its own.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# average paid orders per month so that 13 months hold about 1M / 10M order lines
SIZES = {"1M": 49_600, "10M": 496_000}


def run(args: list[str]) -> tuple[float, float, str]:
    """Run a shopreport command in a child process: wall seconds, peak RSS in MB, stdout."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "shopreport", *args], capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    if proc.returncode:
        sys.exit(proc.stderr)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, peak_mb, proc.stdout


def ensure_data(size: str) -> Path:
    """Generate the demo shop of `size` unless it is already there."""
    folder = HERE / "data" / size
    config = folder / "shopreport.yaml"
    if not config.exists():
        wall, _, _ = run(
            [
                "demo",
                str(folder),
                "--months",
                "13",
                "--end",
                "2026-10",
                "--orders-per-month",
                str(SIZES[size]),
            ]
        )
        print(f"generated {size} in {wall:.1f} s", file=sys.stderr)
    return config


def line_count(folder: Path) -> int:
    """Rows of the order_items table."""
    import polars as pl

    return (
        pl.scan_parquet(folder / "data" / "order_items.parquet").select(pl.len()).collect().item()
    )


def main() -> None:
    """Generate what is missing, then time each size in a fresh process (its own peak memory)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=list(SIZES))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        config = HERE / "data" / args.size / "shopreport.yaml"
        lines = line_count(config.parent)
        wall, peak, _ = run(
            ["kpis", "--config", str(config), "--month", "2026-10", "--format", "json"]
        )
        print(
            f"| {args.size} | {lines:,} | {wall:.1f} s | {peak:,.0f} MB | {os.cpu_count()} cores, "
            f"Python {platform.python_version()} |",
            flush=True,
        )
        return
    for size in [args.size] if args.size else list(SIZES):
        ensure_data(size)
        subprocess.run([sys.executable, __file__, "--size", size, "--child"], check=True)


if __name__ == "__main__":
    main()
