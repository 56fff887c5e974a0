"""Formatters for numbers as the decks write them (metrics.md, Formatting)."""

from __future__ import annotations


def fmt_money(value: float | None, symbol: str = "¥", language: str = "zh-CN") -> str:
    """Money: 1.23亿 / 456.7万 in Chinese, 1.2M / 45.6K in English."""
    if value is None:
        return "—"
    return f"{'-' if value < 0 else ''}{symbol}{fmt_count(abs(value), language, decimals=2)}"


def fmt_count(value: float | None, language: str = "zh-CN", decimals: int = 0) -> str:
    """Large counts in 万/亿 (zh) or K/M/B (en); small ones with thousands separators."""
    if value is None:
        return "—"
    sign, value = ("-" if value < 0 else ""), abs(value)
    # (from, divisor, unit): English keeps 1,234 and 9,999 whole, then K from 10,000
    units = (
        [(1e8, 1e8, "亿"), (1e4, 1e4, "万")]
        if language != "en"
        else [(1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "K")]
    )
    for start, divisor, unit in units:
        if value >= start:
            scaled = value / divisor
            return f"{sign}{scaled:,.{2 if scaled < 10 else 1}f}{unit}"
    return (
        f"{sign}{value:,.{decimals}f}"
        if decimals and value != int(value)
        else f"{sign}{value:,.0f}"
    )


def fmt_pct(value: float | None, signed: bool = False) -> str:
    """A fraction as a percentage with one decimal (0.1234 → 12.3%)."""
    if value is None:
        return "—"
    value = round(value * 100, 1) + 0.0  # no "-0.0%"
    return f"{value:+.1f}%" if signed else f"{value:.1f}%"


def fmt_pp(value: float | None, language: str = "zh-CN") -> str:
    """A change of a rate in percentage points (0.012 → +1.2个百分点 / +1.2 pp)."""
    if value is None:
        return "—"
    return f"{value * 100:+.1f}{' pp' if language == 'en' else '个百分点'}"


def fmt_metric(value: float | None, unit: str, symbol: str = "¥", language: str = "zh-CN") -> str:
    """A metric's value by its unit."""
    if value is None:
        return "—"
    formatters = {
        "money": lambda v: fmt_money(v, symbol, language),
        "count": lambda v: fmt_count(v, language),
        "ratio": fmt_pct,
        "days": lambda v: f"{v:,.1f}{' days' if language == 'en' else '天'}",
        "seconds": lambda v: f"{v:,.1f}{' s' if language == 'en' else '秒'}",
        "rating": lambda v: f"{v:.2f}",
        "multiple": lambda v: f"{v:.2f}",
    }
    return formatters[unit](value)
