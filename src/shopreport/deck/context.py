"""What the section builders share: the report, the config, the narrator and formatting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from shopreport.config import Config, Text, Thresholds, written
from shopreport.deck.model import Change, Kpi
from shopreport.deck.narrative import Narrator
from shopreport.fmt import fmt_count, fmt_gap, fmt_metric, fmt_pct, fmt_pp
from shopreport.insights.diagnosis import Finding
from shopreport.insights.drivers import short_lookback
from shopreport.metrics import KpiReport, Period
from shopreport.metrics.report import MetricValue
from shopreport.metrics.schema import Breakdown
from shopreport.vocab.metrics import METRICS, RETURNING, label

D = TypeVar("D")
R = TypeVar("R")


@dataclass
class DeckContext(Generic[D]):
    """Everything a section builder reads; it computes no metric itself."""

    report: KpiReport
    """The deck's main KPI report."""
    data: D
    """Everything the deck kind computed (the report itself, or a report with its own views)."""
    config: Config
    say: Narrator
    findings: list[Finding] = field(default_factory=list)
    """The problems the deck kind's diagnosis found, largest impact first."""
    shown: set[str] = field(default_factory=set)
    """The metrics whose values the slides state (their definitions go to the appendix)."""
    defined: dict[str, str] = field(default_factory=dict)
    """Figures of the deck's own that the slides state, label → definition (to the appendix
    after the metrics: a campaign's own orders' refund rate)."""

    @property
    def lang(self) -> str:
        """The deck's language (zh-CN or en)."""
        return self.say.language

    def written(self, texts: list[Text]) -> list[str]:
        """Sentences a person wrote in the config, in the deck's language where given in two
        (`build_deck` hands the deck a config already in its language, `in_language`; this
        keeps the types, and decks planned from a config as read, right)."""
        return [written(t, self.lang) for t in texts]

    @property
    def thresholds(self) -> Thresholds:
        """The diagnosis and wording thresholds of the config."""
        return self.config.thresholds

    @property
    def symbol(self) -> str:
        """Currency symbol."""
        return self.config.symbol

    def has(self, *tables: str) -> bool:
        """Whether all `tables` fed the report."""
        present = {c["table"] for c in self.report.coverage}
        return all(t in present for t in tables)

    def value(self, metric: str) -> float | None:
        """The period's value of a metric (to state on a slide)."""
        self.shown.add(metric)
        return self.report.metrics[metric].value

    def available(self, metric: str) -> bool:
        """Whether the metric could be computed and has a value; returning and new buyers not
        when the data starts with the period (no history: every buyer new, "老买家占比 0.0%")."""
        m = self.report.metrics[metric]
        if metric in RETURNING and self._first() >= self.report.period.start.isoformat():
            return False
        return m.unavailable is None and m.value is not None

    def label(self, metric: str) -> str:
        """Metric label in the deck's language; orders counted when placed (cash on delivery)
        are no "paid" orders."""
        if metric == "paid_orders" and self.config.metrics.orders_basis == "placed":
            return self.say.word("placed_orders")
        return label(metric, self.lang)

    def fmt(self, metric: str, value: float | None = None) -> str:
        """A metric's value (or `value`) formatted by its unit."""
        self.shown.add(metric)
        v = self.value(metric) if value is None else value
        return fmt_metric(v, METRICS[metric].unit, self.symbol, self.lang)

    def rows(self, breakdown: Breakdown[R]) -> list[R]:
        """Records of a breakdown of the main report ([] when absent)."""
        return self.report.rows(breakdown)

    def changes(self, metric: str) -> list[Change]:
        """MoM and YoY of a metric for a KPI card (rates in percentage points); a year's
        previous period is last year, so a year shows YoY only; a comparison before the data
        begins is left off."""
        m = self.report.metrics[metric]
        pairs = [("mom", m.mom, m.mom_pp, m.previous), ("yoy", m.yoy, m.yoy_pp, m.last_year)]
        if self.report.period.kind in ("year", "ytd"):
            pairs = pairs[1:]
        # a comparison the data does not reach is left off ("同比 —" on every card of a shop's
        # first year), one it reaches shows "—" where a metric has no value then
        reached = {
            "mom": self.reaches(self.report.previous),
            "yoy": self.reaches(self.report.last_year),
        }
        pairs = [p for p in pairs if reached[p[0]]]
        if metric in RETURNING:  # against a period with less than a year before it: no change
            pairs = [p for p in pairs if p[0] not in short_lookback(self.report)]
        return [
            change(
                self.say.word(word),
                metric,
                points if m.is_rate else relative,
                self.lang,
                # a few SKUs: 1 → 16 is "▲15", not "▲1500.0%"
                m.value - before
                if METRICS[metric].unit == "count"
                and m.value is not None
                and before is not None
                and before < SMALL_COUNT
                else None,
            )
            for word, relative, points, before in pairs
        ]

    def kpi(self, metric: str, value: MetricValue | None = None) -> Kpi:
        """A KPI card: label, value, changes, and the target: attainment with a bar for a goal,
        met or missed and by how much for a ceiling; of `value` instead of the report's (a
        campaign's own orders' refund rate)."""
        self.shown.add(metric)
        m = value or self.report.metrics[metric]
        text, tone = "", "neutral"
        if m.met is not None:
            tone = "good" if m.met else "bad"
            if m.lower_is_better:
                gap = fmt_gap(m.gap, METRICS[metric].unit, self.symbol, self.lang)
                text = self.say.say(
                    "ceiling_line", target=self.fmt(metric, m.target), met=m.met, gap=gap
                )
            else:
                text = self.say.say(
                    "attainment_line", target=self.fmt(metric, m.target), att=m.attainment
                )
        shown = self.fmt(metric) if value is None else self.fmt(metric, m.value)
        return Kpi(self.label(metric), shown, self.changes(metric), m.attainment, text, tone)

    def _first(self) -> str:
        """The orders' first day ("" when the coverage does not say)."""
        first = next((c["first"] for c in self.report.coverage if c["table"] == "orders"), None)
        return str(first)[:10] if first else ""

    def reaches(self, period: Period) -> bool:
        """Whether the orders reach back into a comparison period (Olist's 2017 has no 2016-11:
        a footer "同比 2016-11" promised a comparison no slide could make)."""
        first = self._first()
        return not first or first <= period.last_day.isoformat()

    def tables_line(self, *tables: str) -> str:
        """A footer's source tables: "订单、流量、退款", or the first three and a count when
        there are more than four (a problems slide's eight names set its footer in 6.5 pt)."""
        used = [self.say.word(f"table_{t}") for t in tables if self.has(t)] or [
            self.say.word("table_orders")
        ]
        first = self.say.word("list_sep").join(used[:3] if len(used) > 4 else used)
        return self.say.say("tables_more", first=first, n=len(used)) if len(used) > 4 else first

    def footnote(self, *tables: str, note: str = "") -> str:
        """Source tables, period and comparison periods (and a caveat) for a slide's footer."""
        period = self.report.period
        text = self.say.say(
            "footnote",
            platform=self.say.word(f"platform_{self.config.platform}"),
            tables=self.tables_line(*tables),
            # the data's first day when it starts inside the period (the Taobao sample's two
            # hours of 26 November read "2017-11-01 至 2017-11-26")
            start=max(
                period.start.isoformat(), str(first)[:10] if (first := self._first()) else ""
            ),
            # the data's last day when it stops inside the period (the comparisons stop there too)
            end=(self.report.covered_until or period.last_day).isoformat(),
            previous=self.report.previous.label if self.reaches(self.report.previous) else "",
            last_year=self.report.last_year.label if self.reaches(self.report.last_year) else "",
            year=period.kind in ("year", "ytd"),  # one comparison: last year
            # the data stops inside a week or month: its first days against the same first days
            # ("环比 2026-W43" was W43's whole week to W44's six days' readers)
            days=(self.report.covered_until - period.start).days + 1
            if self.report.covered_until and "~" not in self.report.previous.label
            else None,
        )
        return text + (f" | {note}" if note else "")


SMALL_COUNT = 20
"""A count below this before changes by its difference, not a percentage."""
MANY_TIMES = 10.0
"""A relative change this large (1000 %) is said as a multiple ("▲40.1倍")."""


def change(
    label: str, metric: str, delta: float | None, language: str, absolute: float | None = None
) -> Change:
    """A change for a card: its size (a rate in points, a small count by its difference
    `absolute`, a change of ten times or more as a multiple, else in %), arrow and tone."""
    if delta is None and absolute is None:
        return Change(label, "—", "none")
    if absolute is not None:
        if round(absolute) == 0:
            return Change(label, "flat" if language == "en" else "持平", "flat", "neutral")
        text = fmt_count(abs(absolute), language)
        return Change(label, text, "up" if absolute > 0 else "down", METRICS[metric].tone(absolute))
    assert delta is not None
    if METRICS[metric].unit == "ratio":
        text = fmt_pp(abs(delta), language).lstrip("+")
    elif delta >= MANY_TIMES:  # "▲39.1倍" as Chinese says growth (增长39.1倍); "×40.1" as many
        text = (
            f"×{fmt_count(1 + delta, language, decimals=1)}"
            if language == "en"
            else f"{fmt_count(delta, language, decimals=1)}倍"
        )
    else:
        text = fmt_pct(abs(delta))
    if round(abs(delta) * 100, 1) == 0:  # what the card shows as 0.0: flat, neither good nor bad
        # in words: a grey square beside "0.0%" read as a missing glyph
        return Change(label, "flat" if language == "en" else "持平", "flat", "neutral")
    return Change(label, text, "up" if delta > 0 else "down", METRICS[metric].tone(delta))
