"""A floor under issue 13's goal 1: the least work `shopreport kpis` cannot skip, in plain Polars,
timed against DuckDB's reference of the core set (references.py) and against `kpis` itself.

    python benchmarks/bench_floor.py --size 10M [--rounds 3]

The floor decodes once the orders' and lines' columns a report reads (every row of the span: the
365-day look-back covers the 13 months), runs the cheapest form of the contract checks a report
must pass (duplicate order ids, required values, lines of unknown orders; ids parsed as integers),
keeps the paid orders with their buyer's hash, joins the lines to them on the integer id and sums
each line's share of its order per SKU, variant and day, and groups the paid orders by buyer once
(first and last payment, orders, amount; buyers per month). It leaves out everything else a
report computes: the other nine tables, the ~80 queries of the report, shopreport's own imports.
So it is a lower bound for any design of `kpis` over these files, not a design.

Runs, as child processes alternated A B C A B C …: DuckDB's reference, the floor, `kpis
--no-cache`. Medians of wall, CPU (user + system) and peak memory, and the load average.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_kpis import MONTH, SIZES, alternate, ensure_data  # noqa: E402

ORDER_COLUMNS = [
    "order_id",
    "customer_id",
    "order_time",
    "pay_time",
    "status",
    "channel",
    "province",
    "city",
    "paid_amount",
    "discount_amount",
    "coupon_code",
    "promotion",
    "ship_time",
    "delivered_time",
    "promised_time",
]


def floor(data: Path) -> None:
    """The floor's pipeline over `data` (a demo shop's Parquet folders); step times to stderr."""
    import polars as pl

    def step(label: str, run):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"{label:48s} {wall:5.2f} s {cpu:5.2f} s CPU", file=sys.stderr)
        return result

    tables = ("orders", "order_items")
    scan = {t: pl.scan_parquet(str(data / t / "**" / "*.parquet")) for t in tables}
    key = pl.col("order_id").cast(pl.UInt64, strict=False).alias("key")
    orders = step(
        "decode the orders' columns",
        lambda: scan["orders"].select(ORDER_COLUMNS).with_columns(key).collect(),
    )
    lines = step(
        "decode the lines' columns",
        lambda: scan["order_items"].select(key, "sku", "variant", "quantity", "amount").collect(),
    )
    step(
        "checks: repeated ids, required values, orphans",
        lambda: pl.collect_all(
            [
                orders.lazy().select(
                    repeated=pl.len() - pl.col("key").n_unique(),
                    missing=pl.sum_horizontal(
                        pl.col("order_id", "customer_id", "order_time", "paid_amount").null_count()
                    ),
                ),
                lines.lazy()
                .join(orders.lazy().select("key"), on="key", how="anti")
                .select(pl.len()),
            ]
        ),
    )
    paid = step(
        "paid orders with the buyer's hash",
        lambda: orders.filter(pl.col("pay_time").is_not_null()).with_columns(
            buyer=pl.col("customer_id").hash()
        ),
    )
    step(
        "lines joined, shares summed per SKU and day",
        lambda: (
            lines.lazy()
            .join(paid.lazy().select("key", "pay_time", "paid_amount"), on="key")
            .with_columns(
                share=pl.col("amount") / pl.col("amount").sum().over("key") * pl.col("paid_amount"),
                day=pl.col("pay_time").dt.date(),
            )
            .group_by("sku", "variant", "day")
            .agg(pl.col("quantity").sum(), pl.col("share").sum())
            .collect(engine="streaming")
        ),
    )
    step(
        "paid orders grouped by buyer (and month)",
        lambda: pl.collect_all(
            [
                paid.lazy()
                .group_by("buyer")
                .agg(
                    first=pl.col("pay_time").min(),
                    last=pl.col("pay_time").max(),
                    orders=pl.len(),
                    amount=pl.col("paid_amount").sum(),
                ),
                paid.lazy()
                .group_by(pl.col("pay_time").dt.truncate("1mo").alias("month"))
                .agg(pl.col("buyer").n_unique()),
            ],
            engine="streaming",
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=list(SIZES), default="1M")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        floor(args.child)
        return
    config = ensure_data(args.size)
    data = config.parent / "data"
    py = sys.executable
    duckdb = [py, str(HERE / "references.py"), "duckdb", str(data), "--month", MONTH]
    kpis = [py, "-m", "shopreport", "kpis", "--config", str(config), "--month", MONTH]
    runs = {
        "DuckDB (references.py)": lambda: duckdb,
        "floor (this script)": lambda: [py, __file__, "--child", str(data)],
        "shopreport kpis --no-cache": lambda: [*kpis, "--no-cache", "--format", "json"],
    }
    medians, (before, after) = alternate(runs, args.rounds)
    duck = medians["DuckDB (references.py)"][0]
    print(f"{args.size}, {args.rounds} rounds, load {before:.1f} → {after:.1f}\n")
    print("| run | wall | CPU | peak memory | wall ÷ DuckDB |")
    print("|---|---|---|---|---|")
    for name, (wall, cpu, peak) in medians.items():
        print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {peak:,.0f} MB | {wall / duck:.2f} |")


if __name__ == "__main__":
    main()
