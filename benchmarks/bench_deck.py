"""Time the whole monthly deck against `kpis` on the same data (issue 13, goal 5).

    python benchmarks/bench_deck.py [--size demo] [--rounds 5]     # sizes: demo, 1M, 10M, 30M

`demo` is the bundled demo shop (8,000 orders a month, 34 months), generated once into
benchmarks/data/demo/; the other sizes are bench_kpis.py's shops under benchmarks/data/<size>/
(generate them with bench_kpis.py first). Each round runs, as child processes in this order:
A = `kpis --no-cache`, B = `build --no-cache` (native charts, the default) and C = `build
--no-cache --charts image` (matplotlib pictures), all cold (files read, checked, reported),
and D = `build` warm (the prepared store, with the report remembered by a run before the
rounds: a cron rerun, or the deck after `kpis`).
The script prints a Markdown table: medians over the rounds of wall time, CPU time (user +
system of the child) and peak memory, the deck's time above `kpis` (B − A, C − A), and the load
average before and after. Goals: B − A ≤ 3 s at 10M order lines; B < 3 s on the demo shop.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_kpis import alternate, child  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="demo", help="demo, or a bench_kpis.py size (1M, 10M)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = HERE / "data" / args.size
    config = folder / "shopreport.yaml"
    if not config.exists():
        if args.size != "demo":
            sys.exit(f"{config} is missing: run benchmarks/bench_kpis.py --size {args.size} first")
        subprocess.run(
            [sys.executable, "-m", "shopreport", "demo", str(folder), "--no-deck"], check=True
        )
    py = sys.executable
    common = ["--config", str(config), "--month", "2026-10", "--no-cache"]
    with tempfile.TemporaryDirectory() as out:
        runs = {
            "A `kpis`": [py, "-m", "shopreport", "kpis", *common, "--format", "json"],
            "B `build` (native charts)": [
                *[py, "-m", "shopreport", "build", *common, "-q"],
                *["--out", str(Path(out) / "native.pptx")],
            ],
            "C `build --charts image`": [
                *[py, "-m", "shopreport", "build", *common, "-q", "--charts", "image"],
                *["--out", str(Path(out) / "image.pptx")],
            ],
            "D `build` warm (the store)": [
                *[py, "-m", "shopreport", "build", *common[:-1], "-q"],
                *["--out", str(Path(out) / "warm.pptx")],
            ],
        }
        child(runs["D `build` warm (the store)"])  # prepares the store and remembers the report
        med, (load_before, load_after) = alternate(
            {k: (lambda c=c: c) for k, c in runs.items()}, args.rounds
        )
    kpis = med["A `kpis`"]
    print(
        f"\n{args.size}, {args.rounds} rounds A B C D, load {load_before:.1f} → {load_after:.1f}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print("| run | wall | CPU | peak memory | wall − `kpis` | CPU − `kpis` |")
    print("|---|---|---|---|---|---|")
    for name, (wall, cpu, peak) in med.items():
        print(
            f"| {name} | {wall:.2f} s | {cpu:.2f} s | {peak:,.0f} MB | "
            f"{wall - kpis[0]:+.2f} s | {cpu - kpis[1]:+.2f} s |"
        )


if __name__ == "__main__":
    main()
