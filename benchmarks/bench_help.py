"""How long `shopreport --help` and `shopreport kpis --help` take, against `python -c pass`.

    python benchmarks/bench_help.py [--rounds 15]

    python benchmarks/bench_help.py --instructions

Each round runs the three commands once each as child processes, in turn (A B C A B C …);
the table gives the medians of wall time and CPU time (user + system of the child), the time
above the bare interpreter, and the load average before and after. Goal (issue 13): help in
under 0.3 s, which needs the commands to import neither Polars, matplotlib nor python-pptx.

On a shared machine whose speed swings from one minute to the next, `--instructions` counts
the instructions of each command under valgrind's callgrind instead (the same count whatever
else the machine does), with `import polars` for scale.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "shopreport --help": [sys.executable, "-m", "shopreport", "--help"],
    "shopreport kpis --help": [sys.executable, "-m", "shopreport", "kpis", "--help"],
}


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def instructions(command: list[str]) -> int:
    """Instructions one run of `command` executes (valgrind --tool=callgrind)."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))  # type: ignore[union-attr]


def count() -> None:
    """The instruction counts, against `python -c pass`."""
    commands = {**COMMANDS, "python -c 'import polars'": [sys.executable, "-c", "import polars"]}
    counts = {name: instructions(command) for name, command in commands.items()}
    base = counts["python -c pass"]
    print("| command | instructions | × `python -c pass` |")
    print("|---|---|---|")
    for name, n in counts.items():
        print(f"| `{name}` | {n / 1e6:,.0f} M | {n / base:.2f} |")


def main() -> None:
    """Run the rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--instructions", action="store_true")
    args = parser.parse_args()
    if args.instructions:
        count()
        return
    rounds = args.rounds
    load_before = os.getloadavg()[0]
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():  # one warm-up each (file cache)
        timed(command)
    for _ in range(rounds):
        for name, command in COMMANDS.items():
            runs[name].append(timed(command))
    load_after = os.getloadavg()[0]
    base = statistics.median(w for w, _ in runs["python -c pass"])
    python = sys.version.split()[0]
    print(f"{rounds} rounds, load {load_before:.1f} → {load_after:.1f}, Python {python}")
    print("| command | wall (median) | CPU (median) | wall above `python -c pass` |")
    print("|---|---|---|---|")
    for name, values in runs.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        print(f"| `{name}` | {wall:.3f} s | {cpu:.3f} s | {wall - base:+.3f} s |")


if __name__ == "__main__":
    main()
