"""Time `shopreport build` on the demo shop: native charts against matplotlib pictures.

    python benchmarks/bench_deck.py [--rounds 5]

The demo shop is generated once into benchmarks/data/demo/ (`shopreport demo --no-deck`).
Each timed run is a child process (Python start-up, reading, metrics, diagnosis, charts, the
.pptx). The two modes alternate, A B A B … (A = `--charts image`, the reference; B = `--charts
native`, the default), so both see the same machine; the script prints the medians of wall
and CPU time (user + system of the child), their ratio B/A, the peak memory and the load
average before and after, as a Markdown table row for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _run(config: Path, out: Path, charts: str) -> tuple[float, float, float]:
    """One build: wall seconds, CPU seconds and peak memory (MB) of the child."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "shopreport",
            "build",
            "--config",
            str(config),
            "--month",
            "2026-10",
            "--charts",
            charts,
            "--out",
            str(out),
            "-q",
        ],
        check=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    folder = HERE / "data" / "demo"
    config = folder / "shopreport.yaml"
    if not config.exists():
        subprocess.run(
            [sys.executable, "-m", "shopreport", "demo", str(folder), "--no-deck"], check=True
        )
    load_before = os.getloadavg()[0]
    times: dict[str, list[tuple[float, float]]] = {"image": [], "native": []}
    peak = 0.0
    with tempfile.TemporaryDirectory() as out:
        for _ in range(rounds):
            for mode in ("image", "native"):
                wall, cpu, rss = _run(config, Path(out) / f"{mode}.pptx", mode)
                times[mode].append((wall, cpu))
                peak = max(peak, rss)
    load_after = os.getloadavg()[0]
    med = {
        mode: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
        for mode, t in times.items()
    }
    (iw, ic), (nw, nc) = med["image"], med["native"]
    print(
        f"| demo monthly deck, {rounds} rounds A B | pictures {iw:.1f} s wall / {ic:.1f} s CPU "
        f"| native {nw:.1f} s wall / {nc:.1f} s CPU | ratio {nw / iw:.2f} wall, {nc / ic:.2f} "
        f"CPU | {peak:,.0f} MB | load {load_before:.1f} → {load_after:.1f} | "
        f"{os.cpu_count()} cores, Python {platform.python_version()} |"
    )


if __name__ == "__main__":
    main()
