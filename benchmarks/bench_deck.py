"""Time `shopreport build` on the demo shop (default size) and print a Markdown table row.

    python benchmarks/bench_deck.py

The demo shop is generated once into benchmarks/data/demo/ (`shopreport demo --no-deck`);
the timed run is a child process: Python start-up, reading, metrics, diagnosis, every chart
(matplotlib, 200 dpi) and the .pptx.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Generate the demo shop if needed, then time three builds and report the best and worst."""
    folder = HERE / "data" / "demo"
    config = folder / "shopreport.yaml"
    if not config.exists():
        subprocess.run(
            [sys.executable, "-m", "shopreport", "demo", str(folder), "--no-deck"], check=True
        )
    times = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(3):
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
                    "--out",
                    str(Path(out) / "deck.pptx"),
                    "-q",
                ],
                check=True,
            )
            times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"| demo deck (8,000 orders/month, 26 months) "
        f"| {min(times):.1f} s (max {max(times):.1f} s) | "
        f"{peak:,.0f} MB | {os.cpu_count()} cores, Python {platform.python_version()} |"
    )


if __name__ == "__main__":
    main()
