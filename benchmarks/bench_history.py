"""Cost follows the period, not the history (issue 13, goal 3): `shopreport kpis` on two demo
shops of the same monthly volume, one with 26 months of history and one with 52, both ending
2026-10, as monthly hive partitions. Prints a Markdown table. The demo's orders grow over the
years, so the 52-month shop is generated with the average that gives its last 26 months the
26-month shop's orders (checked: 571,761 against 571,402 paid in 2025 at 49,600 a month).

    python benchmarks/bench_history.py [--orders-per-month 9920] [--rounds 3]

Each round runs, as child processes, A = 26 months then B = 52 months, for each of: the cold
run (`--no-cache`: files read and checked, the report computed) and the warm run on another
month (the prepared store, written once before the rounds; the report computed, not
remembered). The table gives the medians over the rounds of wall and CPU time (user + system
of the child) and peak memory, the ratio B/A of the medians, and the load average before and
after. Goal: B/A ≤ 1.2.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_kpis import child  # noqa: E402

from shopreport.demo.generator import TREND  # noqa: E402

MONTH, OTHER = "2026-10", "2026-09"


def ensure_shop(months: int, per_month: int) -> Path:
    """The demo shop of `months` months, generated once under benchmarks/data/."""
    folder = HERE / "data" / f"history-{months}m-{per_month}"
    config = folder / "shopreport.yaml"
    if not config.exists():
        py = sys.executable
        args = ["--months", str(months), "--end", MONTH, "--orders-per-month", str(per_month)]
        wall, _, _ = child([py, "-m", "shopreport", "demo", str(folder), *args, "--no-deck"])
        print(f"generated {months} months in {wall:.1f} s", file=sys.stderr)
    return config


def same_recent_volume(per_month: int, months: int, recent: int) -> int:
    """The average orders a month of a `months`-month demo shop whose last `recent` months
    expect as many orders as a `recent`-month shop of `per_month` (the demo's yearly growth
    `TREND`: the mean of TREND**t over T years is (TREND**T − 1) ÷ (T ln TREND))."""
    if months == recent:
        return per_month

    def mean(years: float) -> float:
        return (TREND**years - 1) / (years * math.log(TREND))

    ahead = TREND ** ((months - recent) / 12)  # the longer shop's growth before the overlap
    return round(per_month * mean(months / 12) / (mean(recent / 12) * ahead))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders-per-month", type=int, default=9_920)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    # the demo's orders grow by TREND a year and average `orders_per_month` over the shop's
    # life: the 52-month shop gets the average that gives its last 26 months the 26-month
    # shop's volume (else the months a report reads hold ~20% more orders in the longer one)
    shops = {m: ensure_shop(m, same_recent_volume(args.orders_per_month, m, 26)) for m in (26, 52)}
    py = sys.executable

    def kpis(config: Path, month: str, *extra: str) -> list[str]:
        return [py, "-m", "shopreport", "kpis", "--config", str(config), "--format", "json",
                "--month", month, *extra]  # fmt: skip

    def warm(config: Path) -> list[str]:
        for reports in (config.parent / ".shopreport").glob("*/reports"):
            shutil.rmtree(reports)  # the report is computed, from the prepared tables
        return kpis(config, OTHER)

    for config in shops.values():  # the prepared store, once
        shutil.rmtree(config.parent / ".shopreport", ignore_errors=True)
        child(kpis(config, MONTH))
    runs = {
        "cold (`--no-cache`)": lambda c: kpis(c, MONTH, "--no-cache"),
        "warm, another month": warm,
    }
    times: dict[tuple[str, int], list[tuple[float, float, float]]] = {}
    load_before = os.getloadavg()[0]
    for _ in range(args.rounds):
        for name, make in runs.items():
            for months, config in shops.items():  # A (26) then B (52)
                times.setdefault((name, months), []).append(child(make(config)))
    load_after = os.getloadavg()[0]
    med = {k: [statistics.median(r[i] for r in v) for i in range(3)] for k, v in times.items()}
    print(
        f"\n{args.orders_per_month:,} orders a month, 26 against 52 months, {args.rounds} rounds, "
        f"load {load_before:.1f} → {load_after:.1f}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}\n"
    )
    print("| run | 26 months: wall / CPU / peak | 52 months: wall / CPU / peak | 52 ÷ 26 |")
    print("|---|---|---|---|")
    for name in runs:
        a, b = med[(name, 26)], med[(name, 52)]
        print(
            f"| {name} | {a[0]:.2f} s / {a[1]:.2f} s / {a[2]:,.0f} MB | "
            f"{b[0]:.2f} s / {b[1]:.2f} s / {b[2]:,.0f} MB | "
            f"{b[0] / a[0]:.2f}, {b[1] / a[1]:.2f} |"
        )


if __name__ == "__main__":
    main()
