"""A decade of a large shop: `kpis` on ~100M order lines, the memory it peaks at (issue 13, goal 4).

    python benchmarks/bench_big.py [--copies 10] [--rounds 1]

The data is bench_kpis.py's 10M shop (13 months to 2026-10, 496,000 orders a month; generate it
first with `python benchmarks/bench_kpis.py --size 10M --check`) copied back in time: copy k
(k = 0 … copies − 1) moves every date and time of the monthly partitions (orders, lines,
refunds, service, reviews, inventory) k × 396 days earlier and puts k before every id except
the customer's and the SKU's, so that 10 copies hold 130 months and ~100M order lines, the same
customers buying again year after year. The small tables (customers, products, traffic,
marketing, shop ratings) are the 10M shop's. Written once to benchmarks/data/big-<copies>/.

Each round runs `kpis --month 2026-10 --no-cache --format json` (cold: the report's months
read from the partitions, every partition for the history's facts), with `--validate` also
`validate` (every row read and checked), as child processes and prints wall time, CPU time and
peak memory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_kpis import alternate  # noqa: E402

PARTITIONED = ["orders", "order_items", "refunds", "service", "reviews", "inventory"]
PARTITION_COLUMN = {
    "orders": "order_time",
    "refunds": "refund_time",
    "service": "start_time",
    "reviews": "review_time",
    "inventory": "date",
}
KEEP_IDS = {"customer_id", "sku"}


SHIFT = timedelta(days=396)
"""One copy's move back in time: the 10M shop's 13 months (2025-10-01 … 2026-10-31) span 396
days, so the copies neither overlap nor leave a gap."""


def shifted(frame: pl.DataFrame, k: int) -> pl.DataFrame:
    """Copy k: dates and times k × 396 days earlier, ids (but the customer's, the SKU's)
    prefixed with k."""
    if k == 0:
        return frame
    moves = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date or isinstance(dtype, pl.Datetime):
            moves.append(pl.col(name) - k * SHIFT)
        elif name.endswith("_id") and name not in KEEP_IDS and dtype == pl.String:
            moves.append((pl.lit(str(k)) + pl.col(name)).alias(name))
    return frame.with_columns(moves)


def make(source: Path, target: Path, copies: int) -> None:
    """Write the copies' monthly partitions (`month=YYYY-MM/part-<k>.parquet`, by the month of
    the demo's partition column; lines by their order's) and the small tables."""
    if target.exists():
        shutil.rmtree(target)
    data = target / "data"
    data.mkdir(parents=True)
    for item in (source / "data").iterdir():
        if item.is_file():
            shutil.copy(item, data / item.name)
    for k in range(copies):
        orders = shifted(pl.read_parquet(source / "data" / "orders" / "**" / "*.parquet"), k)
        month_of = orders.select("order_id", _month=pl.col("order_time").dt.strftime("%Y-%m"))
        for name in PARTITIONED:
            frame = (
                orders
                if name == "orders"
                else shifted(pl.read_parquet(source / "data" / name / "**" / "*.parquet"), k)
            )
            if name == "order_items":
                frame = frame.join(month_of, on="order_id", how="left", maintain_order="left")
            else:
                month = pl.col(PARTITION_COLUMN[name]).dt.strftime("%Y-%m")
                frame = frame.with_columns(_month=month)
            for (key,), part in frame.partition_by("_month", as_dict=True).items():
                folder = data / name / f"month={key}"
                folder.mkdir(parents=True, exist_ok=True)
                part.drop("_month").write_parquet(folder / f"part-{k}.parquet", statistics=True)
    config = (source / "shopreport.yaml").read_text(encoding="utf-8")
    (target / "shopreport.yaml").write_text(config, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--validate", action="store_true", help="time `validate` too")
    args = parser.parse_args()
    source = HERE / "data" / "10M"
    if not (source / "shopreport.yaml").exists():
        sys.exit(f"{source} is missing: run benchmarks/bench_kpis.py --size 10M --check first")
    target = HERE / "data" / f"big-{args.copies}"
    config = target / "shopreport.yaml"
    if not config.exists():
        start = time.perf_counter()
        make(source, target, args.copies)
        print(f"wrote {target} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    lines = pl.scan_parquet(target / "data" / "order_items" / "**" / "*.parquet").select(pl.len())
    count = lines.collect().item()
    py = sys.executable
    runs = {
        "`kpis --no-cache` (cold)": [
            *[py, "-m", "shopreport", "kpis", "--config", str(config)],
            *["--month", "2026-10", "--no-cache", "--format", "json"],
        ],
    }
    if args.validate:
        runs["`validate` (every row)"] = [py, "-m", "shopreport", "validate", "--config"]
        runs["`validate` (every row)"].append(str(config))
    med, (load_before, load_after) = alternate(
        {k: (lambda c=c: c) for k, c in runs.items()}, args.rounds
    )
    print(
        f"\n{args.copies} copies, {count:,} order lines, {args.rounds} round(s), load "
        f"{load_before:.1f} → {load_after:.1f}, {os.cpu_count()} cores\n"
    )
    print("| run | wall | CPU | peak memory |")
    print("|---|---|---|---|")
    for name, (wall, cpu, peak) in med.items():
        print(f"| {name} | {wall:.1f} s | {cpu:.1f} s | {peak:,.0f} MB |")


if __name__ == "__main__":
    main()
