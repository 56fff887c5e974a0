"""What a report is: each metric with its comparisons, and the declared breakdown tables.

A report is computed whole and then read; nothing is set on it afterwards (frozen).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

import polars as pl

from shopreport.errors import ConfigError
from shopreport.metrics.period import Period
from shopreport.metrics.schema import BREAKDOWNS, Breakdown
from shopreport.notes import Note
from shopreport.vocab.metrics import METRICS

R = TypeVar("R")
T = TypeVar("T")


def change(value: float | None, base: float | None) -> float | None:
    """(value − base) ÷ |base|, or None when not computable."""
    if value is None or base is None or base == 0:
        return None
    return (value - base) / abs(base)


def _minus(a: float | None, b: float | None) -> float | None:
    """a − b, or None when either is missing."""
    return None if a is None or b is None else a - b


def points(a: float | None, b: float | None) -> float | None:
    """The change between two rates as they are printed, to a tenth of a point: 19.7% against
    12.2% is 7.5 points, though the rates behind them (19.66% and 12.21%) differ by 7.44."""
    if a is None or b is None or not math.isfinite(a) or not math.isfinite(b):
        return None
    return round(round(a * 100, 1) - round(b * 100, 1), 1) / 100  # as `fmt_pct` rounds


def clean(value: Any) -> Any:
    """JSON-safe numbers: NaN and infinities become None."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


@dataclass(frozen=True)
class MetricValue:
    """One metric of a report: the period's value and its comparisons."""

    id: str
    value: float | None
    previous: float | None
    last_year: float | None
    target: float | None
    time_progress: float | None
    unavailable: str | None = None
    note: str | None = None

    @property
    def mom(self) -> float | None:
        """Change against the previous period, as a fraction."""
        return change(self.value, self.previous)

    @property
    def yoy(self) -> float | None:
        """Change against the same period last year, as a fraction."""
        return change(self.value, self.last_year)

    @property
    def is_rate(self) -> bool:
        """A rate changes in percentage points."""
        return METRICS[self.id].unit == "ratio"

    @property
    def mom_pp(self) -> float | None:
        """A rate's change against the previous period, in fractions (0.001 = 0.1 个百分点),
        between the two rates as printed (`points`)."""
        return points(self.value, self.previous) if self.is_rate else None

    @property
    def yoy_pp(self) -> float | None:
        """A rate's change against the same period last year, in fractions (`points`)."""
        return points(self.value, self.last_year) if self.is_rate else None

    @property
    def lower_is_better(self) -> bool:
        """Whether the target is a ceiling (refund rate, response time …) rather than a goal."""
        return METRICS[self.id].better == "down"

    @property
    def attainment(self) -> float | None:
        """Actual ÷ target, for a target to reach; None for a ceiling (see `met` and `gap`)."""
        if self.lower_is_better:
            return None
        return self.value / self.target if self.value is not None and self.target else None

    @property
    def met(self) -> bool | None:
        """Whether the target is met: reached, or for a ceiling, not exceeded (达标)."""
        if self.value is None or self.target is None:
            return None
        return self.value <= self.target if self.lower_is_better else self.value >= self.target

    @property
    def gap(self) -> float | None:
        """Actual − target (in the metric's unit; for a rate, in fractions)."""
        return _minus(self.value, self.target)

    @property
    def pace(self) -> float | None:
        """Attainment ÷ time progress, for a period still running."""
        if self.attainment is None or not self.time_progress:
            return None
        return self.attainment / self.time_progress

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of this metric (fixed key order)."""
        return {
            "value": clean(self.value),
            "previous": clean(self.previous),
            "mom": clean(self.mom),
            "last_year": clean(self.last_year),
            "yoy": clean(self.yoy),
            "target": clean(self.target),
            "attainment": clean(self.attainment),
            "pace": clean(self.pace),
            "mom_pp": clean(self.mom_pp),
            "yoy_pp": clean(self.yoy_pp),
            "met": self.met,
            "gap": clean(self.gap),
            "unit": METRICS[self.id].unit,
            "note": self.note,
            "unavailable": self.unavailable,
        }


@dataclass(frozen=True)
class KpiReport:
    """Everything `shopreport kpis` prints and the decks show, for one period."""

    shop: str
    currency: str
    period: Period
    previous: Period
    last_year: Period
    time_progress: float | None
    metrics: dict[str, MetricValue]
    decomposition: dict[str, Any]
    breakdowns: dict[str, pl.DataFrame]
    coverage: list[dict[str, Any]]
    notes: list[Note] = field(default_factory=list)
    covered_until: date | None = None
    """The data's last day when it ends inside the (finished) period; comparisons then cover the
    same first days of the previous period and of last year."""

    def value(self, metric_id: str) -> float | None:
        """The period's value of a metric."""
        return self.metrics[metric_id].value

    def frame(self, breakdown: Breakdown[Any]) -> pl.DataFrame | None:
        """A breakdown's frame, or None when the data could not give it."""
        return self.breakdowns.get(breakdown.name)

    @property
    def short_history(self) -> bool:
        """Whether the data starts less than a look-back before the period: its new buyers are
        overcounted and its returning buyers understated (not to be compared with)."""
        return any(n.code == "short_history" for n in self.notes)

    def rows(self, breakdown: Breakdown[R]) -> list[R]:
        """A breakdown's records, typed by its declaration ([] when absent)."""
        frame = self.breakdowns.get(breakdown.name)
        return cast(list[R], frame.to_dicts()) if frame is not None else []

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (stable key order, sorted records, floats to 10 digits)."""
        return stable(
            {
                "shop": self.shop,
                "currency": self.currency,
                "period": {
                    **_period_dict(self.period),
                    "time_progress": clean(self.time_progress),
                    "covered_until": self.covered_until.isoformat() if self.covered_until else None,
                    "previous": _period_dict(self.previous),
                    "last_year": _period_dict(self.last_year),
                },
                "metrics": {k: v.to_dict() for k, v in self.metrics.items()},
                "decomposition": self.decomposition,
                "breakdowns": {k: records(v) for k, v in self.breakdowns.items()},
                "coverage": self.coverage,
                "notes": [n.text for n in self.notes],
            }
        )


def stable(value: Any) -> Any:
    """Floats rounded to 10 significant digits, so parallel summation order cannot show."""
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def _period_dict(period: Period) -> dict[str, Any]:
    """A period as JSON: label, first and last day."""
    return {
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.last_day.isoformat(),
        "days": period.days,
    }


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-safe records (dates as ISO strings)."""
    temporal = [c for c, t in frame.schema.items() if t.is_temporal()]
    if temporal:
        frame = frame.with_columns(pl.col(temporal).cast(pl.String))
    return [{k: clean(v) for k, v in row.items()} for row in frame.to_dicts()]


_NUMBER = {"type": ["number", "null"]}
_PERIOD: dict[str, Any] = {
    "type": "object",
    "properties": {
        "label": {"type": "string"},
        "start": {"type": "string", "format": "date"},
        "end": {"type": "string", "format": "date"},
        "days": {"type": "integer"},
    },
}


def report_schema() -> dict[str, Any]:
    """The JSON Schema of `shopreport kpis --format json` (from the declarations)."""
    metric = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            **{
                k: _NUMBER
                for k in (
                    "value",
                    "previous",
                    "mom",
                    "last_year",
                    "yoy",
                    "target",
                    "attainment",
                    "pace",
                    "mom_pp",
                    "yoy_pp",
                    "gap",
                )
            },
            "met": {
                "type": ["boolean", "null"],
                "description": "target reached; for a ceiling, not exceeded",
            },
            "unit": {"enum": sorted({m.unit for m in METRICS.values()})},
            "note": {"type": ["string", "null"]},
            "unavailable": {"type": ["string", "null"]},
        },
    }
    split = {
        "type": ["object", "null"],
        "properties": {
            "before": {"type": "number"},
            "after": {"type": "number"},
            "delta": {"type": "number"},
            "effects": {
                "type": "object",
                "properties": {k: {"type": "number"} for k in ("visitors", "conversion", "aov")},
            },
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "shopreport kpis --format json",
        "type": "object",
        "properties": {
            "shop": {"type": "string"},
            "currency": {"type": "string"},
            "period": {
                **_PERIOD,
                "properties": {
                    **_PERIOD["properties"],
                    "time_progress": _NUMBER,
                    "covered_until": {"type": ["string", "null"], "format": "date"},
                    "previous": _PERIOD,
                    "last_year": _PERIOD,
                },
            },
            "metrics": {
                "type": "object",
                "description": "By metric id (see the appendix of any deck).",
                "properties": {
                    mid: {**metric, "description": m.definition} for mid, m in METRICS.items()
                },
            },
            "decomposition": {"type": "object", "properties": {"mom": split, "yoy": split}},
            "breakdowns": {
                "type": "object",
                "description": "Present when the data gives them.",
                "properties": {name: b.json_schema() for name, b in BREAKDOWNS.items()},
                "additionalProperties": False,
            },
            "coverage": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "table": {"type": "string"},
                        "files": {"type": "array", "items": {"type": "string"}},
                        "rows": {"type": "integer"},
                        "first": {"type": ["string", "null"]},
                        "last": {"type": ["string", "null"]},
                    },
                },
            },
            "notes": {"type": "array", "items": {"type": "string"}},
        },
    }


NAME_COLUMNS = frozenset(
    {"category", "province", "city", "source", "channel", "name", "variant", "promotion"}
    | {"reason", "word", "topic", "tier"}
)
"""Columns of the breakdowns that hold the data's own names, which a deck's `names:` renames;
the codes the decks look up (a city tier's 一线 and 其他, segments, steps, shipping) are not."""

CODED = {"by_city_tier": {"tier"}}
"""Breakdowns whose name-like column holds codes."""


def _one_name_each(values: pl.Series, names: dict[str, str], column: str) -> None:
    """Refuse a name that `names` gives to one of a column's values and the data already
    gives another: the deck would show two rows of one name, as if a mistake."""
    present = set(values.drop_nulls().unique().to_list())
    for old, new in names.items():
        if old in present and new in present and new not in names:
            raise ConfigError(
                f"names: '{old}' is shown as '{new}', a {column} the data already has: a deck "
                f"would show two rows '{new}'. Give it another name, or change '{old}' to "
                f"'{new}' in the data itself to count them as one."
            )


def renamed(obj: T, names: dict[str, str], skip: frozenset[str] = frozenset()) -> T:
    """`obj` (a report, a deck kind's data, their frames and records) with the data's names in
    NAME_COLUMNS replaced by what `names` gives: the data's names as a deck shows them."""
    if not names:
        return obj
    out: Any
    if isinstance(obj, pl.DataFrame):
        columns = [c for c, t in obj.schema.items() if t == pl.String and c in NAME_COLUMNS - skip]
        for c in columns:
            _one_name_each(obj[c], names, c)
        out = obj.with_columns(pl.col(c).replace(names) for c in columns) if columns else obj
    elif isinstance(obj, dict):
        out = {
            k: (
                names.get(v, v)
                if isinstance(v, str) and k in NAME_COLUMNS - skip
                else renamed(v, names, frozenset(CODED.get(k, ())))
            )
            for k, v in obj.items()
        }
    elif isinstance(obj, list | tuple):
        out = type(obj)(renamed(v, names, skip) for v in obj)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = [f.name for f in dataclasses.fields(obj) if f.init]
        out = dataclasses.replace(obj, **{k: renamed(getattr(obj, k), names) for k in fields})
    else:
        out = obj
    return cast(T, out)
