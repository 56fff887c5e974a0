"""Formatters for numbers as the decks write them (metrics.md, Formatting)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping


def _missing(value: float | None) -> bool:
    """None, NaN or infinite: nothing to print."""
    return value is None or not math.isfinite(value)


def _units(language: str) -> list[tuple[float, float, str]]:
    """(from, divisor, unit) of large numbers: 万/亿/万亿 in Chinese, K/M/B/T in English
    (which keeps 1,234 and 9,999 whole, then K from 10,000)."""
    if language != "en":
        return [(1e12, 1e12, "万亿"), (1e8, 1e8, "亿"), (1e4, 1e4, "万")]
    return [(1e12, 1e12, "T"), (1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "K")]


HUGE = 1e16  # beyond 9,999万亿 (9,999T) a number is written in scientific notation


def fmt_money(value: float | None, symbol: str = "¥", language: str = "zh-CN") -> str:
    """Money: 1.23亿 / 456.7万 in Chinese, 1.2M / 45.6K in English; cents below 1,000 only."""
    if _missing(value):
        return "—"
    assert value is not None
    decimals = 2 if round(abs(value), 2) < 1000 else 0
    return f"{'-' if value < 0 else ''}{symbol}{fmt_count(abs(value), language, decimals=decimals)}"


def fmt_count(value: float | None, language: str = "zh-CN", decimals: int = 0) -> str:
    """Large counts in 万/亿 (zh) or K/M/B (en); small ones with thousands separators."""
    if _missing(value):
        return "—"
    assert value is not None
    sign, value = ("-" if value < 0 else ""), abs(value)
    if value >= HUGE:
        return f"{sign}{value:.2e}"
    units = _units(language)[::-1]  # smallest first
    if round(value, decimals) >= units[0][0]:  # a unit when the number prints as ≥ its start
        k = 0
        while k + 1 < len(units) and _shown(value, units[k][1]) * units[k][1] >= units[k + 1][0]:
            k += 1  # 9,999.99万 prints as 10,000.0万: 1.00亿
        shown = _shown(value, units[k][1])
        return f"{sign}{shown:,.{2 if shown < 10 else 1}f}{units[k][2]}"
    return (
        f"{sign}{value:,.{decimals}f}"
        if decimals and value != int(value)
        else f"{sign}{value:,.0f}"
    )


def _shown(value: float, divisor: float) -> float:
    """`value` in a unit as printed: two decimals below 10, one from 10."""
    scaled = value / divisor
    return round(scaled, 2 if scaled < 10 else 1)


def fmt_money_column(
    values: list[float | None], symbol: str = "¥", language: str = "zh-CN", signed: bool = False
) -> list[str]:
    """Amounts of one table column in one unit: all in 万 (K …) when the largest is, so ¥2.70万
    never stands above −¥8,499.95, each with the decimals a sentence gives it (two under 10, one
    from 10: a table's "¥13.99万" was a sentence's "¥14.0万"); an amount under a tenth of the
    unit in whole units (¥450, ¥0, ¥648 for 648.27: not ¥0.05万, ¥0.00万, ¥0.06万). `signed`:
    changes, +¥1.2万."""
    known = [abs(v) for v in values if not _missing(v)]
    biggest = max(known, default=0.0)
    plus = "+" if signed else ""

    def sign(v: float) -> str:
        return "-" if v < 0 else plus if v > 0 else ""

    for start, divisor, unit in _units(language):
        if start <= biggest < HUGE:

            def in_unit(v: float, divisor: float = divisor, unit: str = unit) -> str:
                if abs(v) < divisor / 10:  # "¥0.05万" for ¥450, "¥0.00万" for nothing
                    return sign(round(v)) + fmt_money(round(abs(v)), symbol, language)
                shown = _shown(abs(v), divisor)
                return f"{sign(v)}{symbol}{shown:,.{2 if shown < 10 else 1}f}{unit}"

            return ["—" if _missing(v) else in_unit(v) for v in values]  # type: ignore[arg-type]
    decimals = 2 if biggest < 1000 else 0
    return [
        "—" if _missing(v) else f"{sign(v)}{symbol}{abs(v):,.{decimals}f}"  # type: ignore[operator,arg-type]
        for v in values
    ]


def fmt_pct(value: float | None, signed: bool = False) -> str:
    """A fraction as a percentage with one decimal (0.1234 → 12.3%)."""
    if _missing(value):
        return "—"
    assert value is not None
    if abs(value) >= HUGE:
        return f"{value * 100:+.1e}%" if signed else f"{value * 100:.1e}%"
    value = round(value * 100, 1) + 0.0  # no "-0.0%"
    return f"{value:+.1f}%" if signed else f"{value:.1f}%"


def fmt_pp(value: float | None, language: str = "zh-CN") -> str:
    """A change of a rate in percentage points (0.012 → +1.2个百分点 / +1.2 pp)."""
    if _missing(value):
        return "—"
    points = round(value * 100, 1) + 0.0  # + 0.0: a change that rounds to nothing is +0.0, not -0.0
    return f"{points:+.1f}{' pp' if language == 'en' else '个百分点'}"


def fmt_metric(value: float | None, unit: str, symbol: str = "¥", language: str = "zh-CN") -> str:
    """A metric's value by its unit."""
    if _missing(value):
        return "—"
    formatters = {
        "money": lambda v: fmt_money(v, symbol, language),
        "count": lambda v: fmt_count(v, language),
        "ratio": fmt_pct,
        "days": lambda v: f"{v:,.1f}{' days' if language == 'en' else '天'}",
        "seconds": lambda v: f"{v:,.1f}{' s' if language == 'en' else '秒'}",
        "rating": lambda v: f"{v:.2f}",
        "multiple": lambda v: f"{v:.2f}",
        # a pace: 0.25 units a day is no "0"
        "per_day": lambda v: f"{v:,.1f}" if abs(v) < 100 else fmt_count(v, language),
    }
    return formatters[unit](value)


def fmt_gap(gap: float | None, unit: str, symbol: str = "¥", language: str = "zh-CN") -> str:
    """The distance to a target, signed, in the metric's unit (a rate in percentage points)."""
    if gap is None:
        return "—"
    if unit == "ratio":
        return fmt_pp(gap, language)
    return ("+" if gap >= 0 else "-") + fmt_metric(abs(gap), unit, symbol, language)


_OPAQUE_ID = re.compile(r"[0-9a-fA-F]{17,}")


def product_label(row: Mapping[str, object]) -> str:
    """A product as a sentence or a table's product column names it: its name, else its SKU;
    an opaque id (Olist's 32-character hashes) cut to its first 8 characters and "…" (a table's
    SKU column keeps it whole)."""
    name, sku = row.get("name"), str(row.get("sku") or "")
    if name:
        return str(name)
    return f"{sku[:8]}…" if _OPAQUE_ID.fullmatch(sku) else sku
