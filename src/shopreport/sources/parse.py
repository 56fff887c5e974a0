"""Polars expressions that turn values as exports write them into typed values.

Each `parse_*` takes the raw column expression and its dtype and returns the typed
expression; a value that is present but cannot be parsed becomes null, and
`is_bad` tells those apart from values that were empty to begin with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from shopreport.vocab.contract import BOOL, DATE, INT, NUM, STR, TIME

NULL_TOKENS = ["", "-", "—", "--", "－", "null", "NULL", "None", "nan", "NaN", "N/A", "n/a", "#N/A"]
_FULLWIDTH = [chr(0xFF10 + i) for i in range(10)] + ["．", "，", "－", "＋", "％"]
_ASCII = [str(i) for i in range(10)] + [".", ",", "-", "+", "%"]
_CURRENCY_PREFIX = r"^(-?)\+?\s*(?:R\$|HK\$|US\$|[¥￥$£€]|RMB|CNY|USD|BRL|GBP)\s*"
_CURRENCY_SUFFIX = r"\s*(元|RMB|CNY|USD|BRL|GBP)$"
_NAIVE_FORMATS = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
_AWARE_FORMATS = ["%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z"]
_TRUE = ["true", "yes", "y", "1", "是", "已解决", "解决", "t"]
_FALSE = ["false", "no", "n", "0", "否", "未解决", "f"]


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Trim a string and turn the export's null spellings ("-", "—", "") into null."""
    text = expr.str.strip_chars()
    return pl.when(text.is_in(NULL_TOKENS)).then(None).otherwise(text)


def parse_str(expr: pl.Expr, dtype: pl.DataType, clean: bool = True) -> pl.Expr:
    """Ids and labels: integral floats lose their '.0'; text from exports is trimmed and its
    null spellings become null (`clean`; typed Parquet strings are taken as they are)."""
    if dtype == pl.String and not clean:
        return expr
    if dtype.is_float():
        expr = pl.when(expr == expr.round()).then(expr.cast(pl.Int64)).otherwise(expr)
    # Excel-safe ids: ="3012…" and '3012… and a leading tab keep ids as text in spreadsheets
    text = expr.cast(pl.String).str.replace(r'^\s*=\s*"(.*)"\s*$', "${1}").str.strip_prefix("'")
    return clean_text(text)


_GROUPED = r"^\D*\d{1,3}(,\d{3})+(\.\d+)?\D*$"


def parse_num(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Numbers with thousands separators, currency signs, full-width digits and '%'.

    Written so that each intermediate appears once in the expression: Polars evaluates both
    branches of a when/then, so reusing a parsed value in several branches multiplies the work.
    """
    if dtype.is_float():  # NaN and infinity (Parquet, pandas exports) are not values
        return expr.cast(pl.Float64).fill_nan(None).replace([math.inf, -math.inf], None)
    if dtype.is_numeric() or dtype == pl.Boolean:
        return expr.cast(pl.Float64)
    text = clean_text(expr.cast(pl.String)).str.replace_many(_FULLWIDTH, _ASCII)
    bare = (
        text.str.replace(_CURRENCY_PREFIX, "${1}")
        .str.replace(_CURRENCY_SUFFIX, "")
        .str.replace_all(r"(\d),(\d{3})", "${1}${2}")
        .str.replace_all(r"(\d),(\d{3})", "${1}${2}")
        .str.strip_suffix("%")
        .str.strip_chars()
    )
    # "1e999", "inf" and "NaN" are not amounts
    number = bare.cast(pl.Float64, strict=False).replace([math.inf, -math.inf], None).fill_nan(None)
    # commas only as thousands separators: "1,2345" is no number (it read as 12345)
    misgrouped = text.str.contains(",", literal=True) & ~text.str.contains(_GROUPED)
    scale = pl.when(misgrouped).then(None).when(text.str.ends_with("%")).then(100.0)
    return number / scale.otherwise(1.0)


EXACT_INTS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32)
"""Integer types whose every value is a whole number of our Int64 columns."""


def parse_int(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Whole numbers; a fractional value counts as bad."""
    if dtype in EXACT_INTS:  # every value fits: nothing to check
        return expr.cast(pl.Int64)
    number = parse_num(expr, dtype)
    return pl.when(number.round() == number).then(number).cast(pl.Int64, strict=False)


@dataclass(frozen=True)
class TimeRules:
    """How a table's times are read.

    `tz`: the zone instants (offsets, Unix times) are converted to. `wall`: times written with
    an offset keep the wall time written in the export (no `timezone:` in the config: the export's
    own zone is the shop's). `date_format`: 'ymd', 'mdy', 'dmy' or a strftime pattern; None
    reads year first, or day/month order from values above 12.
    """

    tz: str = "Asia/Shanghai"
    wall: bool = False
    date_format: str | None = None


DATE_ORDERS = ("ymd", "mdy", "dmy")
# an offset only counts after a time of day (13-10-2026 ends in a year, not in "-2026")
OFFSET = r"(\d:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:[+-]\d{2}:?\d{2}|Z|UTC|GMT)$"
# day and month before the year: 10/2/2017, 02.10.2017 (after '/' became '-')
DAY_MONTH = r"^(\d{1,2})[-.](\d{1,2})[-.](\d{4}|\d{2})\b"


def parse_time(expr: pl.Expr, dtype: pl.DataType, rules: TimeRules | str) -> pl.Expr:
    """Timestamps as naive shop-local time; aware values are converted to the shop's zone, text
    with an offset keeps its written wall time when `TimeRules.wall`."""
    rules = TimeRules(rules) if isinstance(rules, str) else rules
    tz = rules.tz
    if dtype == pl.Datetime("us"):
        return expr  # already right: leaving it alone lets filters reach the Parquet reader
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            # a typed instant (Parquet): converted to the shop's zone
            local = expr.dt.convert_time_zone(tz)
            return local.dt.replace_time_zone(None).dt.cast_time_unit("us")
        return expr.dt.cast_time_unit("us")
    if dtype == pl.Date:
        return expr.cast(pl.Datetime("us"))
    if dtype.is_integer() or dtype.is_float():
        return _from_unix(expr.cast(pl.Float64), tz)
    text = clean_text(expr.cast(pl.String)).str.replace_many(_FULLWIDTH, _ASCII)
    if rules.wall:
        text = text.str.replace(OFFSET, "${1}")
    fmt = rules.date_format
    if fmt and fmt not in DATE_ORDERS:
        parsed = text.str.to_datetime(fmt, strict=False, time_unit="us")
        if "%z" in fmt or "%:z" in fmt:
            parsed = parsed.dt.convert_time_zone(tz).dt.replace_time_zone(None)
        return parsed
    text = text.str.replace_all("/", "-").str.replace_all("年|月", "-").str.replace_all("日", "")
    text = text.str.replace("T", " ").str.replace(r"\.$", "")
    text = _year_first(text, fmt)
    naive = [text.str.to_datetime(f, strict=False, time_unit="us") for f in _NAIVE_FORMATS]
    aware = [
        text.str.to_datetime(f, strict=False, time_unit="us")
        .dt.convert_time_zone(tz)
        .dt.replace_time_zone(None)
        for f in _AWARE_FORMATS
    ]
    digits = text.str.contains(r"^\d{9,13}(\.\d+)?$")
    unix = pl.when(digits).then(_from_unix(text.cast(pl.Float64, strict=False), tz))
    serial = pl.when(text.str.contains(r"^\d{5}(\.\d+)?$")).then(
        _from_excel_serial(text.cast(pl.Float64, strict=False))
    )
    return pl.coalesce([*naive, *aware, unix, serial])


def _year_first(text: pl.Expr, order: str | None) -> pl.Expr:
    """Dates written day/month first (10-2-2017) rewritten year first for the given order
    (decided per table by the reader from values above 12); with no order they stay as written,
    so day/month-first dates stay unread (the contract check asks for `date_format`)."""
    if order in (None, "ymd"):
        return text

    def reorder(first: str, second: str) -> pl.Expr:
        return text.str.replace(
            r"^(\d{1,2})[-.](\d{1,2})[-.](\d{4})\b", f"${{3}}-{first}-{second}"
        ).str.replace(r"^(\d{1,2})[-.](\d{1,2})[-.](\d{2})\b", f"20${{3}}-{first}-{second}")

    if order == "mdy":
        return reorder("${1}", "${2}")
    if order == "dmy":
        return reorder("${2}", "${1}")
    return text


EXCEL_EPOCH = datetime(1899, 12, 30)


def _from_excel_serial(days: pl.Expr) -> pl.Expr:
    """Excel serial dates (days since 1899-12-30, fractions are the time of day), 1954–2119."""
    valid = (days >= 20000) & (days <= 80000)
    micros = (days * 86_400_000_000).round().cast(pl.Int64, strict=False)
    return pl.when(valid).then(pl.lit(EXCEL_EPOCH) + pl.duration(microseconds=micros))


def _from_unix(seconds: pl.Expr, tz: str) -> pl.Expr:
    """Unix timestamps (seconds, or milliseconds when that large) as naive local time."""
    micros = pl.when(seconds.abs() > 1e11).then(seconds * 1_000).otherwise(seconds * 1_000_000)
    return (
        micros.cast(pl.Int64, strict=False)
        .cast(pl.Datetime("us", "UTC"), strict=False)
        .dt.convert_time_zone(tz)
        .dt.replace_time_zone(None)
    )


def parse_date(expr: pl.Expr, dtype: pl.DataType, rules: TimeRules | str) -> pl.Expr:
    """Calendar dates (a timestamp keeps only its local date)."""
    if dtype == pl.Date:
        return expr
    return parse_time(expr, dtype, rules).dt.date()


def parse_bool(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Yes/no flags in English, Chinese or 0/1."""
    if dtype == pl.Boolean:
        return expr
    text = clean_text(expr.cast(pl.String)).str.to_lowercase()
    return (
        pl.when(text.is_in(_TRUE)).then(True).when(text.is_in(_FALSE)).then(False).otherwise(None)
    )


def parse_column(
    expr: pl.Expr, dtype: pl.DataType, kind: str, tz: TimeRules | str, clean: bool = True
) -> pl.Expr:
    """The typed expression for a canonical column of `kind`."""
    parsers = {
        STR: lambda: parse_str(expr, dtype, clean),
        NUM: lambda: parse_num(expr, dtype),
        INT: lambda: parse_int(expr, dtype),
        TIME: lambda: parse_time(expr, dtype, tz),
        DATE: lambda: parse_date(expr, dtype, tz),
        BOOL: lambda: parse_bool(expr, dtype),
    }
    return parsers[kind]()


def is_bad(raw: pl.Expr, dtype: pl.DataType, parsed: pl.Expr) -> pl.Expr:
    """True where a value was present in the file but did not parse."""
    present = raw.is_not_null()
    if dtype == pl.String:
        present = clean_text(raw).is_not_null()
    return present & parsed.is_null()
