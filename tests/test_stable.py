"""The same report, to the last bit, on every run of the same data (no store)."""

from __future__ import annotations

from datetime import date

from shopreport import api
from shopreport.config import read_config
from shopreport.metrics.report import KpiReport


def every_number(report: KpiReport) -> list[tuple]:
    """Every value of a report as computed (before the JSON rounds to 10 digits)."""
    values: list[tuple] = [
        (m.id, m.value, m.previous, m.last_year) for m in report.metrics.values()
    ]
    values += [(name, frame.rows()) for name, frame in sorted(report.breakdowns.items())]
    values.append(("decomposition", repr(report.decomposition)))
    return values


def test_three_runs_give_the_same_bits(demo_shop) -> None:
    # Polars adds floats in parallel in an order that changes from run to run: before sums were
    # taken as decimals on the in-memory engine, runs of this shop differed in the last bits
    # (GMV of the previous month 1212289.76 in one run, 1212289.7599999998 in the next, and
    # every ratio made from it)
    config = read_config(demo_shop)
    runs = [
        every_number(api.compute_kpis(config, "2026-10", today=date(2026, 11, 20), cache=False))
        for _ in range(3)
    ]
    assert runs[0] == runs[1] == runs[2]


def test_exact_sums_by_hand() -> None:
    """Sums of cents come out as the decimal number, in a group-by and over a whole column, on
    either engine (Polars divides by a number as a product with its inverse: 1.2e11 × 1e-9 is
    120.00000000000001, which the old decimal sum never showed)."""
    import polars as pl

    from shopreport.metrics.base import fmean, fsum

    frame = pl.LazyFrame(
        {"k": ["a", "b", "b", "c", "c", "d"], "x": [120.0, 100.0, 50.0, 0.1, 0.2, None]}
    )
    for engine in ("in-memory", "streaming"):
        groups = (
            frame.group_by("k").agg(s=fsum("x"), m=fmean("x")).sort("k").collect(engine=engine)  # type: ignore[call-overload]
        )
        assert groups["s"].to_list() == [120.0, 150.0, 0.3, None]  # d's amount is unknown
        assert groups["m"].to_list() == [120.0, 75.0, 0.15, None]
        whole = frame.select(s=fsum("x"), m=fmean("x")).collect(engine=engine)  # type: ignore[call-overload]
        assert whole.row(0) == (270.3, 54.06)  # 270.3 ÷ 5 values
        empty = frame.filter(pl.col("k") == "e").select(s=fsum("x")).collect(engine=engine)  # type: ignore[call-overload]
        assert empty.item() == 0.0  # no rows: nothing sold, not unknown
        none = frame.select(s=fsum(pl.col("x").filter(pl.col("k") == "e"))).collect(engine=engine)  # type: ignore[call-overload]
        assert none.item() == 0.0  # a filter that keeps no row: 0 too (slow stock of no SKU)
    # no amount: 10²⁰ is left out (the plausibility check warns of it), and 10⁵ values of
    # 9 × 10¹⁴ add up without wrapping the 128-bit sum
    assert pl.select(fsum(pl.Series([1e20, 5.0]))).item() == 5.0
    assert pl.select(fsum(pl.Series([9e14] * 100_000))).item() == 9e19


def test_a_days_sales_are_the_sum_of_its_lines() -> None:
    """The shared scan keeps order lines summed per SKU, variant and day."""
    from datetime import date

    import polars as pl

    from shopreport.metrics.base import daily_sales

    lines = pl.LazyFrame(
        {
            "sku": ["A", "A", "A", "B"],
            "variant": ["红", "红", "蓝", None],
            "day": [date(2026, 10, 1)] * 3 + [date(2026, 10, 2)],
            "quantity": [1, 2, 1, 5],
            "line_gmv": [0.1, 0.2, 9.99, 50.0],
            "revenue": [0.1, 0.25, 10.0, 55.0],
        }
    )
    days = daily_sales(lines)
    assert days.rows() == [
        ("A", "红", date(2026, 10, 1), 3, 0.3, 0.35),
        ("A", "蓝", date(2026, 10, 1), 1, 9.99, 10.0),
        ("B", None, date(2026, 10, 2), 5, 50.0, 55.0),
    ]
