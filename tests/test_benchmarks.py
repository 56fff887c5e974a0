"""The benchmark's smoke test (issue 13): on 1M order lines, shopreport, the DuckDB reference
and the pandas reference agree on every value of the core set. No timing is asserted here;
the figures are recorded in benchmarks/README.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_kpis.py"


@pytest.mark.slow
def test_the_three_engines_agree_on_1m_order_lines():
    result = subprocess.run(
        [sys.executable, str(BENCH), "--size", "1M", "--check"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # 3 windows × 8 metrics, plus categories and sources
    count = int(result.stderr.split("agree on ")[1].split()[0])
    assert count > 24, result.stderr
