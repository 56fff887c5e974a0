"""The weekly report's numbers: the ISO week against last week and the same ISO week last year
(the KPI report), and the month's pace: GMV of the month so far against the month's target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from shopreport.metrics.base import ENGINE, fsum, in_range
from shopreport.metrics.engine import compute_kpis
from shopreport.metrics.period import Period, month_period
from shopreport.metrics.report import KpiReport
from shopreport.sources.dataset import Dataset


@dataclass(frozen=True)
class MonthPace:
    """The month the week belongs to (the month of its Thursday, as ISO weeks count), its GMV
    from the 1st to the week's end, and the month's GMV target."""

    month: Period
    until: date
    """Last day counted (the week's Sunday, or the month's last day)."""
    gmv: float | None
    target: float | None

    @property
    def progress(self) -> float:
        """Share of the month's days up to `until` (时间进度)."""
        return ((self.until - self.month.start).days + 1) / self.month.days

    @property
    def attainment(self) -> float | None:
        """GMV so far against the month's target."""
        return self.gmv / self.target if self.gmv is not None and self.target else None


@dataclass(frozen=True)
class WeeklyReport:
    """The week's KPI report and the month's pace."""

    report: KpiReport
    pace: MonthPace


def compute_weekly(ds: Dataset, week: Period, today: date) -> WeeklyReport:
    """The ISO week `week` (targets under its label, e.g. `2026-W44`) and its month's pace."""
    report = compute_kpis(ds, week, today)
    thursday = week.start + timedelta(days=3)
    month = month_period(thursday.year, thursday.month)
    until = min(week.last_day, month.last_day)
    gmv = None
    if ds.amounts_known:
        gmv = (
            ds.frame("orders")
            .filter(
                pl.col("pay_time").is_not_null(),
                in_range("pay_time", month.start, until + timedelta(days=1)),
            )
            .select(fsum("paid_amount"))
            .collect(engine=ENGINE)
            .item()
        )
    target = ds.config.targets.get(month.label, {}).get("gmv")
    return WeeklyReport(report, MonthPace(month, until, gmv, target))
