"""The annual review's numbers: the year (or the year to date), the year before, the year's
campaigns (from the campaign engine's windows), and a like-for-like comparison when the data
covers the year before only in part."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from shopreport.config import in_language
from shopreport.metrics.base import ENGINE, fsum, in_range
from shopreport.metrics.campaign import window_of
from shopreport.metrics.engine import compute_kpis
from shopreport.metrics.period import Period, month_period, year_to_date
from shopreport.metrics.report import KpiReport
from shopreport.sources.dataset import Dataset


@dataclass(frozen=True)
class YearCampaign:
    """A campaign declared in the config that starts in the year, with its GMV and the GMV of
    the campaign it is compared with (the same windows the campaign retrospective uses)."""

    key: str
    name: str
    start: date
    end: date
    """Last day (inclusive)."""
    gmv: float
    compared: str | None = None
    compared_gmv: float | None = None

    @property
    def growth(self) -> float | None:
        """GMV against the comparison campaign."""
        return self.gmv / self.compared_gmv - 1 if self.compared_gmv else None


@dataclass(frozen=True)
class AnnualReport:
    """The year's report against the annual targets, last year's, the year's campaigns, and —
    when the data starts inside last year — the same months of both years (`comparable`)."""

    report: KpiReport
    previous: KpiReport
    campaigns: list[YearCampaign]
    comparable: KpiReport | None = None

    @property
    def changes(self) -> KpiReport:
        """The report whose YoY changes the deck shows: like-for-like when there is one."""
        return self.comparable or self.report


def compute_annual(ds: Dataset, period: Period, today: date) -> AnnualReport:
    """The year `period` (a year, or a year to date) and the whole year before it."""
    year = period.start.year
    config = ds.config
    report = compute_kpis(ds, period, today, targets=config.targets.get(str(year), {}))
    previous = compute_kpis(ds, year_to_date(year - 1, date(year, 1, 1)), today, targets={})
    # the orders' last day: a campaign still under way is left out (one that starts in the
    # year and ends in January counts once the data reaches its end)
    until = ds.data_end() or period.last_day
    return AnnualReport(
        report, previous, _campaigns(ds, year, until), _comparable(ds, period, today)
    )


def _comparable(ds: Dataset, period: Period, today: date) -> KpiReport | None:
    """This year from the month the data starts last year (whole months): compared with the
    same months of last year, when the data starts inside last year."""
    first = ds.history("orders").select(pl.col("pay_time").min()).collect(engine=ENGINE).item()
    last_year = period.last_year()
    if not isinstance(first, datetime) or not last_year.start < first.date() < last_year.end:
        return None
    month = month_period(first.year, first.month)
    start = month.shift_months(1).start if first.date() > month.start else month.start
    this_start = date(start.year + 1, start.month, 1)
    if this_start >= period.end:
        return None
    return compute_kpis(
        ds, Period("range", this_start, period.end, f"{this_start:%Y-%m}~"), today, targets={}
    )


def _campaigns(ds: Dataset, year: int, until: date) -> list[YearCampaign]:
    """The year's campaigns over by `until` (the data's last day) with their GMV and their
    comparison campaign's, in one query: one under way ("2026年双11成交¥221.3万…较2025年双11下降
    67.9%" from its first 12 days) is not the year's result yet."""
    config = in_language(ds.config, ds.config.language)  # names as the deck says them
    keys = [
        k
        for k, c in config.campaigns.items()
        if c.phases[0].start.year == year and max(p.end for p in c.phases) <= until
    ]
    windows = {k: window_of(k, config.campaigns[k]).period for k in keys}
    for key in keys:
        other = config.campaigns[key].compare_with
        if other:
            windows[other] = window_of(other, config.campaigns[other]).period
    if not windows:
        return []
    paid = ds.frame("orders").filter(pl.col("pay_time").is_not_null())
    sums = (
        paid.select(
            [
                fsum(pl.col("paid_amount").filter(in_range("pay_time", w.start, w.end))).alias(k)
                for k, w in windows.items()
            ]
        )
        .collect(engine=ENGINE)
        .row(0, named=True)
    )
    out = []
    for key in keys:
        c = config.campaigns[key]
        other = c.compare_with
        out.append(
            YearCampaign(
                key,
                c.name or key,
                c.phases[0].start,
                c.phases[-1].end,
                sums[key] or 0.0,
                config.campaigns[other].name or other if other else None,
                sums[other] if other else None,
            )
        )
    return out
