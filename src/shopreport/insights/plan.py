"""Next period's targets: from the config, or proposed from history (and said to be proposed)."""

from __future__ import annotations

from dataclasses import dataclass

from shopreport.config import Config
from shopreport.metrics import KpiReport
from shopreport.metrics.annual import AnnualReport
from shopreport.metrics.schema import MONTHLY

PLANNED = ["gmv", "buyers", "aov", "conversion", "refund_rate"]


@dataclass(frozen=True)
class Target:
    """A target of the next period: metric, this period's actual, target, and where it came from."""

    period: str
    metric: str
    actual: float | None
    target: float
    source: str  # config | proposed

    @property
    def change(self) -> float | None:
        """Target against this period's actual, as a fraction."""
        return self.target / self.actual - 1 if self.actual else None


def next_targets(report: KpiReport, config: Config) -> list[Target]:
    """Targets of the month after the report's month.

    Configured targets win. Otherwise GMV and buyers are proposed as last year's next month
    grown by this month's YoY growth (the shop's own seasonality and trend), AOV follows from
    them, and conversion and refund rate hold at this month's level.
    """
    month = report.period.shift_months(1).label
    configured = config.targets.get(month, {})
    monthly = {r["month"]: r for r in report.rows(MONTHLY)}
    base = monthly.get(report.period.shift_months(-11).label)
    proposed: dict[str, float] = {}
    for metric in ("gmv", "buyers"):
        growth = report.metrics[metric].yoy
        if base and growth is not None:
            proposed[metric] = base[metric] * (1 + growth)
        elif report.metrics[metric].value is not None:
            proposed[metric] = report.metrics[metric].value
    if "gmv" in proposed and proposed.get("buyers"):
        proposed["aov"] = proposed["gmv"] / proposed["buyers"]
    for metric in ("conversion", "refund_rate"):
        if report.metrics[metric].value is not None:
            proposed[metric] = report.metrics[metric].value
    out = []
    for metric in dict.fromkeys([*configured, *PLANNED]):
        actual = report.metrics[metric].value if metric in report.metrics else None
        if metric in configured:
            out.append(Target(month, metric, actual, configured[metric], "config"))
        elif metric in proposed:
            out.append(Target(month, metric, actual, _round(proposed[metric], metric), "proposed"))
    return out


def _round(value: float, metric: str) -> float:
    """Targets as people write them: money and counts to 3 significant digits, rates to 0.1 pp."""
    if metric in ("conversion", "refund_rate"):
        return round(value, 3)
    if value <= 0:
        return value
    from math import floor, log10

    scale = 10 ** (2 - floor(log10(value)))
    return round(value * scale) / scale


@dataclass(frozen=True)
class MonthTarget:
    """Next year's GMV target of one month: this year's actual, the target and its source."""

    month: str
    actual: float | None
    target: float | None
    source: str | None  # config | proposed | None (nothing to propose from)


def year_targets(annual: AnnualReport, config: Config) -> list[MonthTarget]:
    """GMV targets by month of the year after the report's year.

    Configured targets win. Otherwise a month's target is this year's month (or, for months
    still to come, last year's grown by the year's growth) grown by the year's growth.
    """
    report = annual.report
    year = report.period.start.year
    months = {r["month"]: r for r in report.rows(MONTHLY)}
    growth = report.metrics["gmv"].yoy
    out = []
    for mm in [f"{i:02d}" for i in range(1, 13)]:
        configured = config.targets.get(f"{year + 1}-{mm}", {}).get("gmv")
        actual = months[f"{year}-{mm}"]["gmv"] if f"{year}-{mm}" in months else None
        base = actual
        if base is None and f"{year - 1}-{mm}" in months and growth is not None:
            base = months[f"{year - 1}-{mm}"]["gmv"] * (
                1 + growth
            )  # months still to come this year
        target = configured or (
            base * (1 + growth) if base is not None and growth is not None else base
        )
        source = "config" if configured else ("proposed" if target else None)
        out.append(MonthTarget(f"{year + 1}-{mm}", actual, target, source))
    return out
