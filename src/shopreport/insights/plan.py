"""Next period's targets: from the config, or proposed from history (and said to be proposed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from math import ceil, floor, log10

from shopreport.config import Config
from shopreport.metrics import KpiReport
from shopreport.metrics.annual import AnnualReport
from shopreport.metrics.schema import MONTHLY

PLANNED = ["gmv", "visitors", "conversion", "buyers", "aov", "refund_rate"]


@dataclass(frozen=True)
class Target:
    """A target of the next period: metric, this period's actual, the target, and how it came:
    config (the team's), proposed (from history; `basis` says how) or derived (from the other
    targets, so that GMV = visitors × conversion × AOV = buyers × AOV holds)."""

    period: str
    metric: str
    actual: float | None
    target: float
    source: str
    basis: str = ""

    @property
    def change(self) -> float | None:
        """Target against this period's actual, as a fraction."""
        return self.target / self.actual - 1 if self.actual else None

    @property
    def change_pp(self) -> float | None:
        """For a rate: target − actual, in fractions."""
        return self.target - self.actual if self.actual is not None else None


RATES = ("conversion", "refund_rate")
SEASONAL = (-0.5, 1.0)
"""The YoY growths a seasonal proposal applies (halved to doubled); beyond them the month's
level is proposed."""


def next_targets(report: KpiReport, config: Config) -> list[Target]:
    """Targets of the month after the report's month, consistent with each other.

    Configured targets win. GMV, AOV and conversion not configured are proposed from history:
    last year's next month grown by this month's YoY growth (the shop's own seasonality and
    trend), or this month's level when there is no last year (for conversion: no visitors in
    the traffic table then) or the growth is beyond `SEASONAL`; the refund rate's ceiling
    holds at this month's level. Buyers follow from GMV ÷ AOV (or AOV from GMV ÷ buyers when
    buyers are configured), visitors from buyers ÷ conversion.
    """
    month = report.period.shift_months(1).label
    configured = config.targets.get(month, {})
    # a month the data covers in part (it starts or stops inside it) is no level for next
    # month's amounts: eight days of April held as May's GMV "保持本月水平"
    part = partial(report)
    monthly = {r["month"]: r for r in report.rows(MONTHLY)}
    base = monthly.get(report.period.shift_months(-11).label)
    metrics = report.metrics
    out: dict[str, Target] = {}

    def actual(metric: str) -> float | None:
        return metrics[metric].value if metric in metrics else None

    def put(metric: str, value: float | None, source: str, basis: str = "") -> None:
        if value is not None and metric not in out:
            value = (
                value
                if source == "config"
                else (
                    _exact(value, metric)
                    if source == "derived"
                    else _round(value, metric, up=basis == "level")
                )
            )
            out[metric] = Target(month, metric, actual(metric), value, source, basis)

    def propose(metric: str, last_year: float | None) -> None:
        growth = metrics[metric].yoy
        # a growth from a tiny base (a dormant shop's +1654 %) is no seasonality to plan with
        if last_year is not None and growth is not None and SEASONAL[0] <= growth <= SEASONAL[1]:
            put(metric, last_year * (1 + growth), "proposed", "seasonal")
        elif not (part and metric in AMOUNTS):
            put(metric, actual(metric), "proposed", "level")

    for metric, value in configured.items():
        put(metric, value, "config")
    if "gmv" not in out:
        propose("gmv", base["gmv"] if base else None)
    gmv = out["gmv"].target if "gmv" in out else None
    if gmv is not None:
        # GMV and AOV both held at this month's level (no year before): buyers are held and AOV
        # follows, or both rounded up had buyers fall (Olist's 1,696 → 1,692, −0.2 %)
        aov_held = not (base and base["buyers"] and metrics["aov"].yoy is not None)
        if (
            out["gmv"].basis == "level"
            and aov_held
            and not part
            and not {"aov", "buyers"} & out.keys()
        ):
            put("buyers", actual("buyers"), "proposed", "level")
        if "buyers" in out and "aov" not in out and out["buyers"].target:
            put("aov", gmv / out["buyers"].target, "derived", "gmv_buyers")
        if "aov" not in out:
            propose("aov", base["gmv"] / base["buyers"] if base and base["buyers"] else None)
        if "buyers" not in out and out.get("aov") and out["aov"].target:
            put("buyers", gmv / out["aov"].target, "derived", "gmv_aov")
    if actual("visitors") is not None:
        if (
            "conversion" not in out
            and "visitors" in out
            and "buyers" in out
            and out["visitors"].target
        ):
            put(
                "conversion",
                out["buyers"].target / out["visitors"].target,
                "derived",
                "buyers_visitors",
            )
        # last year's next month when it is known: a campaign month's rate is not next month's
        visited = base.get("visitors") if base else None
        propose("conversion", base["buyers"] / visited if base and visited else None)
        if "buyers" in out and out["conversion"].target:
            put(
                "visitors",
                out["buyers"].target / out["conversion"].target,
                "derived",
                "buyers_conversion",
            )
    if actual("refund_rate"):  # no refunds this month: "≤0.0%" is no ceiling to hold
        put("refund_rate", actual("refund_rate"), "proposed", "level")
    order = [*PLANNED, *[m for m in configured if m not in PLANNED]]
    return [out[m] for m in order if m in out]


AMOUNTS = ("gmv", "buyers", "visitors")
"""Targets that grow with the days a month has (not AOV or a rate)."""


def partial(report: KpiReport) -> bool:
    """Whether the data covers the report's period in part: its first payment is after the
    period starts (the engine's `data_starts` note, which also leaves the comparisons out), or
    its orders stop before it ends (`covered_until`)."""
    if report.covered_until is not None:
        return True
    label = report.period.label
    return any(n.code == "data_starts" and n.params.get("period") == label for n in report.notes)


def planned_growth(report: KpiReport, config: Config) -> float | None:
    """Next month's GMV target ÷ this month's GMV (1.2 = plan to sell 20% more)."""
    gmv = report.metrics["gmv"].value
    target = next((t.target for t in next_targets(report, config) if t.metric == "gmv"), None)
    return target / gmv if target and gmv else None


def planned_unit_growth(report: KpiReport, config: Config) -> float | None:
    """Next month's buyers target ÷ this month's buyers: how much more is sold in units, when
    the plan also raises the AOV (units per buyer kept); without a buyers target, GMV's."""
    buyers = report.metrics["buyers"].value
    target = next((t.target for t in next_targets(report, config) if t.metric == "buyers"), None)
    return target / buyers if target and buyers else planned_growth(report, config)


def _exact(value: float, metric: str) -> float:
    """A derived target: counts whole, money to the cent, rates to 0.01 pp (so the identities
    GMV = buyers × AOV = visitors × conversion × AOV hold to the rounding of one unit)."""
    if metric in ("buyers", "visitors"):
        return float(round(value))
    return round(value, 4) if metric in RATES else round(value, 2)


def _round(value: float, metric: str, up: bool = False) -> float:
    """Targets as people write them: money and counts to 3 significant digits, rates to 0.1 pp;
    `up` for a target that holds this month's level (R$268,433 → R$269,000: rounded down it
    read as a planned fall of 0.2 %)."""
    if metric in RATES or metric not in ("gmv", "aov", "buyers", "visitors"):
        return round(value, 3) if metric in RATES else value
    if value <= 0:
        return value
    scale = 10 ** (2 - floor(log10(value)))
    return (ceil(round(value * scale, 6)) if up else round(value * scale)) / scale


@dataclass(frozen=True)
class MonthTarget:
    """Next year's GMV target of one month: this year's actual, the target, its source (config,
    proposed or None) and, for a proposal, its basis and the growth it applies."""

    month: str
    actual: float | None
    target: float | None
    source: str | None
    basis: str = ""
    growth: float | None = None


def year_targets(annual: AnnualReport, config: Config) -> list[MonthTarget]:
    """GMV targets by month of the year after the report's year.

    Configured targets win. Otherwise a month's target follows the year's curve: this year's
    month grown by the year's growth (like-for-like when last year is covered in part); a
    month still to come this year is last year's month grown twice; with no growth known,
    this year's month as it is (and said so: basis "level").
    """
    report = annual.report
    year = report.period.start.year
    months = {r["month"]: r for r in report.rows(MONTHLY)}
    growth = annual.changes.metrics["gmv"].yoy
    # a month the data covers in part (exports to 15 October) is no month to grow: it is
    # proposed as a month still to come (a whole October 2027 from fifteen days read as +20 %)
    last = report.covered_until or report.period.last_day
    part = f"{year}-{last:%m}" if (last + timedelta(days=1)).day != 1 else None
    out = []
    for mm in [f"{i:02d}" for i in range(1, 13)]:
        configured = config.targets.get(f"{year + 1}-{mm}", {}).get("gmv")
        whole = f"{year}-{mm}" in months and f"{year}-{mm}" != part
        actual = months[f"{year}-{mm}"]["gmv"] if whole else None
        if configured:
            out.append(MonthTarget(f"{year + 1}-{mm}", actual, configured, "config"))
        elif actual is not None:
            basis = "growth" if growth is not None else "level"
            out.append(
                MonthTarget(
                    f"{year + 1}-{mm}",
                    actual,
                    _round(actual * (1 + (growth or 0)), "gmv"),
                    "proposed",
                    basis,
                    growth,
                )
            )
        elif f"{year - 1}-{mm}" in months and growth is not None:
            base = months[f"{year - 1}-{mm}"]["gmv"]
            out.append(
                MonthTarget(
                    f"{year + 1}-{mm}",
                    None,
                    _round(base * (1 + growth) ** 2, "gmv"),
                    "proposed",
                    "curve",
                    growth,
                )
            )
        else:
            out.append(MonthTarget(f"{year + 1}-{mm}", actual, None, None))
    return out
