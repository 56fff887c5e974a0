"""Sentences from Jinja2 templates (templates/narrative/<language>.yaml).

Data reaches the templates only as values: a product called "{{ x }}" is printed as those
characters, never evaluated. Undefined names are errors (StrictUndefined), so a template
that asks for a number the deck did not compute fails loudly instead of printing nothing.
"""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta

import jinja2

from shopreport.fmt import fmt_count, fmt_metric, fmt_money, fmt_pct, fmt_pp
from shopreport.resources import read_yaml_resource


class Narrator:
    """Renders the named sentence templates of one language with formatting filters."""

    def __init__(
        self, language: str, symbol: str, period_kind: str = "month", last_day: date | None = None
    ):
        self.language = language
        self.templates = read_yaml_resource(f"narrative/{language}.yaml")
        self.env = _environment(language, symbol)
        # what "previous" and "ahead" mean for the period the deck reports (上月 / 去年 / 上期 …);
        # a past year the data stops inside is worded as a year to date ("年初至今TOP商品")
        if period_kind == "year" and last_day is not None and f"{last_day:%m-%d}" != "12-31":
            period_kind = "ytd"
        self.period_kind = period_kind
        self.defaults = {
            "prev": self.word("prev"),
            "cur": self.word("cur"),
            "horizon": self.word("horizon"),
            "mom_word": self.word("mom"),  # MoM, or WoW in a weekly report
            "at_end": self.word("at_end"),  # 月末 / 周日 / 期末: when stock is counted
            "lifecycle_basis": self.word("lifecycle_basis"),  # what stages compare with
            # what a year's figures cover: 全年 / the year, or a year to date's months (1–10月 /
            # Jan–Oct: the data's last day, 1月1日–11月23日 when it is no month's end)
            "span": self._span(last_day),
        }

    def _span(self, last: date | None) -> str:
        if self.period_kind not in ("ytd", "year") or last is None or f"{last:%m-%d}" == "12-31":
            return self.word("span")
        if (last + timedelta(days=1)).day == 1:  # to a month's end
            return months_span(self.language, last.month)
        if self.language == "en":
            return f"1 Jan–{last.day} {MONTHS_EN[last.month - 1]}"
        return f"1月1日–{last.month}月{last.day}日"

    def say(self, key: str, **values) -> str:
        """The sentence `key` with `values`."""
        template = _compiled(self.env, self.templates[key])
        return template.render(**{**self.defaults, **values}).strip()

    def join(self, *parts: str) -> str:
        """Sentences (or a sentence and its continuation) as the language writes them one after
        another: run together in Chinese, separated by a space in English."""
        text = [p for p in parts if p]
        return "".join(text) if self.language != "en" else " ".join(text)

    def paragraphs(self, *parts: str) -> str:
        """Text in paragraphs, one a line (a KPI slide's headline, then its causes)."""
        return "\n".join(p for p in parts if p)

    def word(self, key: str) -> str:
        """A fixed word or label; `<key>_<period kind>` when the period has its own (`mom_week`:
        WoW, `prev_month`: 上月)."""
        words = self.templates["words"]
        own = f"{key}_{self.period_kind}"
        return words[own] if own in words else words[key]

    @property
    def words(self) -> dict[str, str]:
        """All fixed words, the period kind's own where it has them (for the charts)."""
        return {key: self.word(key) for key in self.templates["words"]}


@functools.lru_cache(maxsize=1024)
def _compiled(env: jinja2.Environment, template: str) -> jinja2.Template:
    """A template compiled once (a deck says ~150 sentences from fewer templates)."""
    return env.from_string(template)


MONTHS_EN = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
MONTH_NAMES_EN = (
    "January February March April May June July August September October November December"
).split()


def months_span(language: str, months: int) -> str:
    """A year's first `months` months: 1–10月 / Jan–Oct (1月 / Jan alone)."""
    if language == "en":
        return "Jan" if months == 1 else f"Jan–{MONTHS_EN[months - 1]}"
    return "1月" if months == 1 else f"1–{months}月"


@functools.cache
def _environment(language: str, symbol: str) -> jinja2.Environment:
    """A sandbox-free environment (templates are ours) with strict undefined and filters."""
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )
    en = language == "en"
    up, down = ("增长", "下降") if not en else ("up", "down")
    rise, fall = ("上升", "下降") if not en else ("up", "down")
    flat, na = ("持平", "无可比数据") if not en else ("flat", "n/a")

    def worded(v, more: str, less: str, amount) -> str:
        """'增长12.3%' / '下降0.3个百分点' / '持平' / '无可比数据'."""
        if v is None:
            return na
        if abs(v) < 0.0005:
            return flat
        return f"{more if v > 0 else less}{' ' if en else ''}{amount(abs(v))}"

    def chg(v):
        """A relative change: 增长12.3% / 下降3.1%."""
        return worded(v, up, down, fmt_pct)

    def chgpp(v):
        """A change of a rate: 提升0.3个百分点 / 下降0.3个百分点."""
        return worded(v, rise, fall, lambda x: fmt_pp(x, language).lstrip("+"))

    def smoney(v):
        """Signed money: +¥12.3万 / -¥3.1万."""
        return "—" if v is None else ("+" if v >= 0 else "-") + fmt_money(abs(v), symbol, language)

    def month(v) -> str:
        """'2025-11' as 2025年11月 / Nov 2025."""
        year, number = int(str(v)[:4]), int(str(v)[5:7])
        return f"{MONTHS_EN[number - 1]} {year}" if en else f"{year}年{number}月"

    def day(v) -> str:
        """A day ('2025-11-11', '11-11' or a date) as 11月11日 / Nov 11."""
        text = str(v)[:10]
        number, dd = int(text[-5:-3]), int(text[-2:])
        return f"{MONTHS_EN[number - 1]} {dd}" if en else f"{number}月{dd}日"

    def dayspan(v) -> str:
        """Two days (dates) as 10月20–30日 / Oct 20–30, or 10月20日–11月2日 / Oct 20–Nov 2."""
        first, last = v
        if (first.month, first.day) == (last.month, last.day):
            return day(first)
        if first.month == last.month:
            return f"{day(first)}–{last.day}" if en else f"{day(first)[:-1]}–{last.day}日"
        return f"{day(first)}–{day(last)}"

    def period(v) -> str:
        """A period's label as said: 2026 → 2026年, 2026-10 → 2026年10月, 2026-W44 →
        2026年第44周, 2026-Q3 → 2026年第3季度, 2026-H1 → 2026年上半年 (English: Oct 2026, week 44
        of 2026, Q3 2026, H1 2026); other labels (a span of months, a campaign) as they are."""
        text = str(v)
        if re.fullmatch(r"\d{4}", text):
            return text if en else f"{text}年"
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return month(text)
        kind = re.fullmatch(r"(\d{4})-([WQH])(\d{1,2})", text)
        if kind is None:
            return text
        year, letter, number = kind.group(1), kind.group(2), int(kind.group(3))
        if en:
            return f"week {number} of {year}" if letter == "W" else f"{letter}{number} {year}"
        if letter == "H":
            return f"{year}年{'上' if number == 1 else '下'}半年"
        return f"{year}年第{number}{'周' if letter == 'W' else '季度'}"

    def lc(v) -> str:
        """A label inside an English sentence: its first word in lower case, unless that is an
        acronym ('Visitors (UV)' → 'visitors (UV)', 'AOV' stays)."""
        first, _, rest = str(v).partition(" ")
        word = first if first.isupper() and len(first) > 1 else first.lower()
        return f"{word} {rest}" if rest else word

    env.filters.update(
        {
            "lc": lc,
            "period": period,
            "month_name": lambda v: MONTH_NAMES_EN[int(v) - 1] if en else f"{int(v)}月",
            "month": month,
            "md": lambda d: f"{d:%m-%d}",
            "day": day,
            "dayspan": dayspan,
            "month_short": lambda v: (
                MONTHS_EN[int(str(v)[5:7]) - 1] if en else f"{int(str(v)[5:7])}月"
            ),
            "chg": chg,
            "chgpp": chgpp,
            "smoney": smoney,
            "absmoney": lambda v: "—" if v is None else fmt_money(abs(v), symbol, language),
            "money": lambda v: fmt_money(v, symbol, language),
            "count": lambda v: fmt_count(v, language),
            "pct": lambda v: fmt_pct(v),
            "abspct": lambda v: fmt_pct(abs(v)) if v is not None else "—",
            "signed": lambda v: fmt_pct(v, signed=True),
            "pp": lambda v: fmt_pp(v, language),
            "abspp": lambda v: fmt_pp(abs(v), language).lstrip("+") if v is not None else "—",
            "updown": lambda v: up if (v or 0) >= 0 else down,
            "num": lambda v, d=1: f"{v:,.{d}f}",
            "days": lambda v: fmt_metric(v, "days", symbol, language),
            "seconds": lambda v: fmt_metric(v, "seconds", symbol, language),
        }
    )
    return env
