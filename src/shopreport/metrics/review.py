"""The shop diagnosis's numbers (店铺运营诊断报告, seed deck 001): the review period (a quarter, a
half year, a run of months) against the period before and last year, the period before's own
report (for its scores), twelve months of the monitored indicators, price bands, how much GMV
depends on the best sellers, and the DSR scores when the shop gives them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import polars as pl

from shopreport.metrics.base import ENGINE, fmean, fsum, in_range, period_lines
from shopreport.metrics.engine import compute_kpis, metric_series, tables_until
from shopreport.metrics.period import Period, month_period
from shopreport.metrics.report import KpiReport
from shopreport.sources.dataset import Dataset

TREND_MONTHS = 12
TREND_METRICS = (
    "conversion",
    "aov",
    "repurchase_rate",
    "turnover_days",
    "bad_review_rate",
    "refund_rate",
)
TOP_SKUS = 10


@dataclass(frozen=True)
class PriceBand:
    """GMV, units and buyers of the lines whose unit price falls in `[low, high)`."""

    low: float
    high: float | None
    gmv: float
    units: int
    buyers: int


@dataclass(frozen=True)
class Concentration:
    """How much GMV the best sellers carry: the top 10 SKUs' share, the SKUs that sold, and how
    few of them make 80% of GMV."""

    skus: int
    top_share: float | None
    pareto_skus: int


@dataclass(frozen=True)
class ReviewReport:
    """The review period's report, the previous period's, and the diagnosis's own views."""

    report: KpiReport
    previous: KpiReport
    months: list[str]
    """The twelve months of the trends, oldest first (2025-10 … 2026-09)."""
    trends: dict[str, list[float | None]]
    """Each monitored metric's value by month, as the monthly report computes it."""
    bands: list[PriceBand]
    concentration: Concentration | None
    dsr: list[dict[str, object]]
    """DSR by month (month, description, service, logistics), when the shop gives them."""


def compute_review(ds: Dataset, period: Period, today: date) -> ReviewReport:
    """Everything the shop diagnosis shows for `period`."""
    report = compute_kpis(ds, period, today)
    previous = compute_kpis(ds, period.previous(), today, targets={})
    last = month_period(period.last_day.year, period.last_day.month)
    months = [last.shift_months(k - TREND_MONTHS + 1) for k in range(TREND_MONTHS)]
    # the trends' last month read as the report reads it: every table to the orders' last day
    ds = tables_until(ds, report.covered_until)
    series = metric_series(ds, months)
    bands, concentration = _lines_views(ds, period) if ds.has("order_items") else ([], None)
    return ReviewReport(
        report,
        previous,
        [m.label for m in months],
        {mid: [values.get(mid) for values in series] for mid in TREND_METRICS},
        bands,
        concentration,
        _dsr(ds, months[0].start, period.end),
    )


def _lines_views(ds: Dataset, period: Period) -> tuple[list[PriceBand], Concentration | None]:
    """Price bands and best-seller dependence from the period's lines, in one collect."""
    edges = ds.config.review.price_bands
    lines = period_lines(ds, period.start, period.end, ("customer_id",)).with_columns(
        unit=pl.when(pl.col("quantity") > 0).then(pl.col("revenue") / pl.col("quantity"))
    )
    band = pl.lit(len(edges))
    for i, edge in reversed(list(enumerate(edges))):
        band = pl.when(pl.col("unit") < edge).then(pl.lit(i)).otherwise(band)
    by_band = (
        lines.filter(pl.col("unit").is_not_null())
        .group_by(band.alias("band"))
        .agg(
            gmv=fsum("line_gmv"),
            units=pl.col("quantity").sum(),
            buyers=pl.col("customer_id").n_unique(),
        )
        .sort("band")
    )
    by_sku = lines.group_by("sku").agg(gmv=fsum("line_gmv")).sort("gmv", descending=True)
    band_frame, sku_frame = pl.collect_all([by_band, by_sku], engine=ENGINE)
    found = {r["band"]: r for r in band_frame.iter_rows(named=True)}
    lows = [0.0, *edges]
    highs: list[float | None] = [*edges, None]
    bands = [
        PriceBand(
            lows[i],
            highs[i],
            float(found[i]["gmv"]) if i in found else 0.0,
            int(found[i]["units"]) if i in found else 0,
            int(found[i]["buyers"]) if i in found else 0,
        )
        for i in range(len(lows))
    ]
    gmv = sku_frame["gmv"]
    total = math.fsum(gmv)
    if not sku_frame.height or total <= 0:
        return bands, None
    cumulative = gmv.cum_sum() / total
    concentration = Concentration(
        sku_frame.height,
        math.fsum(gmv.head(TOP_SKUS)) / total,
        int((cumulative < 0.8).sum()) + 1,
    )
    return bands, concentration


def _dsr(ds: Dataset, start: date, end: date) -> list[dict[str, object]]:
    """The DSR scores (描述相符, 服务态度, 物流服务) averaged by month."""
    if not ds.has("dsr"):
        return []
    frame = (
        ds.frame("dsr")
        .filter(in_range("date", start, end, dates=True))
        .group_by(pl.col("date").dt.strftime("%Y-%m").alias("month"))
        .agg([fmean(c).alias(c) for c in ("description", "service", "logistics")])
        .sort("month")
        .collect(engine=ENGINE)
    )
    return list(frame.iter_rows(named=True))
