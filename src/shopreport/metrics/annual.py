"""The annual review's numbers: the year (or the year to date), the year before, the year's
campaigns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shopreport.metrics.engine import compute_kpis
from shopreport.metrics.period import Period, year_to_date
from shopreport.metrics.report import KpiReport
from shopreport.sources.dataset import Dataset


@dataclass(frozen=True)
class YearCampaign:
    """A campaign declared in the config that starts in the year."""

    key: str
    name: str
    start: date
    end: date
    """Last day (inclusive)."""


@dataclass(frozen=True)
class AnnualReport:
    """The year's report against the annual targets, last year's, and the year's campaigns."""

    report: KpiReport
    previous: KpiReport
    campaigns: list[YearCampaign]


def compute_annual(ds: Dataset, period: Period, today: date) -> AnnualReport:
    """The year `period` (a year, or a year to date) and the whole year before it."""
    year = period.start.year
    config = ds.config
    report = compute_kpis(ds, period, today, targets=config.targets.get(str(year), {}))
    previous = compute_kpis(ds, year_to_date(year - 1, date(year, 1, 1)), today, targets={})
    campaigns = [
        YearCampaign(key, c.name or key, c.phases[0].start, c.phases[-1].end)
        for key, c in config.campaigns.items()
        if c.phases[0].start.year == year
    ]
    return AnnualReport(report, previous, campaigns)
