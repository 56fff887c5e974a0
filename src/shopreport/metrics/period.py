"""Reporting periods: `[start, end)` in shop-local time, with MoM and YoY comparisons."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shopreport.errors import ConfigError


@dataclass(frozen=True)
class Period:
    """A half-open date range `[start, end)`; `kind` is month, week (ISO), months (a run of whole
    months: a quarter, a half year, 2026-07..2026-09), year, ytd or range."""

    kind: str
    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        """Length in days."""
        return (self.end - self.start).days

    @property
    def start_dt(self) -> datetime:
        """Start as a naive local datetime."""
        return datetime.combine(self.start, datetime.min.time())

    @property
    def end_dt(self) -> datetime:
        """End (exclusive) as a naive local datetime."""
        return datetime.combine(self.end, datetime.min.time())

    @property
    def last_day(self) -> date:
        """The last day inside the period."""
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        """环比: the month/year before, or a range of the same length just before."""
        if self.kind == "month":
            return month_period(*_add_months(self.start.year, self.start.month, -1))
        if self.kind == "year":
            return year_period(self.start.year - 1)
        if self.kind == "ytd":  # a year to date compares with the same dates of last year
            return self.last_year()
        if self.kind == "week":
            return week_period(*(self.start - timedelta(days=7)).isocalendar()[:2])
        if self.kind == "months":  # the same number of months just before: Q3 → Q2
            return months_period(
                *_add_months(self.start.year, self.start.month, -self.months), self.months
            )
        start = self.start - timedelta(days=self.days)
        return Period("range", start, self.start, f"{start}~{self.start - timedelta(days=1)}")

    def last_year(self) -> Period:
        """同比: the same calendar dates one year earlier."""
        if self.kind == "month":
            return month_period(self.start.year - 1, self.start.month)
        if self.kind == "year":
            return year_period(self.start.year - 1)
        if self.kind == "months":
            return months_period(self.start.year - 1, self.start.month, self.months)
        if self.kind == "week":  # the same ISO week number (W52 when last year had no W53)
            year, week = self.start.isocalendar()[:2]
            return week_period(year - 1, min(week, iso_weeks(year - 1)))
        start, end = _year_back(self.start), _year_back(self.end)
        return Period("range", start, end, f"{start}~{end - timedelta(days=1)}")

    @property
    def months(self) -> int:
        """Whole calendar months from start to end (a month period: 1)."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month

    def shift_months(self, months: int) -> Period:
        """The month `months` away from this month."""
        return month_period(*_add_months(self.start.year, self.start.month, months))

    def elapsed_days(self, today: date) -> int:
        """Days of the period that are over by `today` (today not counted)."""
        return max(0, min(self.days, (today - self.start).days))


def _year_back(day: date) -> date:
    """The same date a year earlier (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    """(year, month) moved by `months`."""
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def month_period(year: int, month: int) -> Period:
    """The calendar month."""
    ny, nm = _add_months(year, month, 1)
    return Period("month", date(year, month, 1), date(ny, nm, 1), f"{year:04d}-{month:02d}")


def year_period(year: int) -> Period:
    """The calendar year."""
    return Period("year", date(year, 1, 1), date(year + 1, 1, 1), f"{year:04d}")


def iso_weeks(year: int) -> int:
    """How many ISO weeks the ISO year has (52 or 53): 28 December is always in its last."""
    return date(year, 12, 28).isocalendar()[1]


def week_period(year: int, week: int) -> Period:
    """The ISO week: Monday to Sunday, `2026-W44` (the ISO year, which may differ from the
    calendar year of its days at year ends: 2026-W01 starts on 29 December 2025)."""
    start = date.fromisocalendar(year, week, 1)
    return Period("week", start, start + timedelta(days=7), f"{year:04d}-W{week:02d}")


def parse_week(text: str, tz: str, today: date | None = None) -> Period:
    """'2026-W44' → that ISO week; 'previous' → the last complete week in the shop's zone."""
    text = text.strip()
    if text in {"previous", "last"}:
        today = today or shop_today(tz)
        return week_period(*(today - timedelta(days=7)).isocalendar()[:2])
    match = re.fullmatch(r"(\d{4})-?[Ww](\d{1,2})", text)
    if not match:
        raise ConfigError(
            f"--week '{text}' is not an ISO week: write YYYY-Www (e.g. 2026-W44) or 'previous'."
        )
    year, week = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ConfigError(f"--week {text}: choose a week from {FIRST_YEAR} to {LAST_YEAR}.")
    if not 1 <= week <= iso_weeks(year):
        raise ConfigError(
            f"--week {text}: {year} has {iso_weeks(year)} ISO weeks (W01–W{iso_weeks(year)})."
        )
    return week_period(year, week)


def months_period(year: int, month: int, count: int) -> Period:
    """`count` whole months from `year`-`month`, labelled as a quarter (2026-Q3), a half year
    (2026-H1) or a span (2026-08..2026-10)."""
    ey, em = _add_months(year, month, count)
    label = (
        f"{year:04d}-{month:02d}..{_add_months(ey, em, -1)[0]:04d}-{_add_months(ey, em, -1)[1]:02d}"
    )
    if count == 3 and month % 3 == 1:
        label = f"{year:04d}-Q{month // 3 + 1}"
    elif count == 6 and month in (1, 7):
        label = f"{year:04d}-H{1 if month == 1 else 2}"
    return Period("months", date(year, month, 1), date(ey, em, 1), label)


MAX_REVIEW_MONTHS = 12


def parse_months(text: str) -> Period:
    """'2026-Q3', '2026-H1' or '2026-07..2026-09' (whole months, at most a year)."""
    text = text.strip().upper()
    if match := re.fullmatch(r"(\d{4})-?Q([1-4])", text):
        return months_period(int(match.group(1)), 3 * int(match.group(2)) - 2, 3)
    if match := re.fullmatch(r"(\d{4})-?H([12])", text):
        return months_period(int(match.group(1)), 1 if match.group(2) == "1" else 7, 6)
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})\.\.(\d{4})-(\d{1,2})", text):
        y1, m1, y2, m2 = map(int, match.groups())
        count = (y2 - y1) * 12 + m2 - m1 + 1
        if 1 <= m1 <= 12 and 1 <= m2 <= 12 and FIRST_YEAR <= y1 <= LAST_YEAR:
            if count < 1:
                raise ConfigError(f"--review {text}: the last month is before the first.")
            if count > MAX_REVIEW_MONTHS:
                raise ConfigError(
                    f"--review {text}: {count} months; a review covers at most "
                    f"{MAX_REVIEW_MONTHS} (use --year for a whole year)."
                )
            return months_period(y1, m1, count)
    raise ConfigError(
        f"--review '{text}' is not a period: write a quarter (2026-Q3), a half year (2026-H1) "
        "or whole months (2026-07..2026-09)."
    )


def shop_today(tz: str) -> date:
    """Today's date in the shop's time zone."""
    return datetime.now(ZoneInfo(tz)).date()


def year_to_date(year: int, today: date) -> Period:
    """The year so far: [1 January, today) when `today` falls inside it, else the whole year."""
    whole = year_period(year)
    if not whole.start < today < whole.end:
        return whole
    return Period("ytd", whole.start, today, f"{year:04d}")


FIRST_YEAR, LAST_YEAR = 1970, 2100
"""Years a report may name (the comparisons reach one year further back)."""


def parse_year(text: str) -> int:
    """'2025' → 2025."""
    if not re.fullmatch(r"\d{4}", text.strip()):
        raise ConfigError(f"--year '{text}' is not a year: write YYYY (e.g. 2025).")
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ConfigError(f"--year {text}: choose a year from {FIRST_YEAR} to {LAST_YEAR}.")
    return year


def parse_month(text: str, tz: str, today: date | None = None) -> Period:
    """'2026-10' → that month; 'previous' → the last complete month in the shop's zone."""
    text = text.strip()
    if text in {"previous", "last"}:
        today = today or shop_today(tz)
        return month_period(*_add_months(today.year, today.month, -1))
    match = re.fullmatch(r"(\d{4})-?(\d{1,2})", text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ConfigError(
            f"--month '{text}' is not a month: write YYYY-MM (e.g. 2026-10) or 'previous'."
        )
    if not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise ConfigError(f"--month {text}: choose a month from {FIRST_YEAR} to {LAST_YEAR}.")
    return month_period(int(match.group(1)), int(match.group(2)))


def month_holes(sold: set[str], longest: int = 3) -> set[str]:
    """Months ('2026-08') without sales in runs of at most `longest` between months that sold
    (`sold`): an export left out, not a shop at rest (a longer run is a dormant shop)."""
    if not sold:
        return set()
    first, last = min(sold), max(sold)
    holes: set[str] = set()
    run: list[str] = []
    year, month = int(first[:4]), int(first[5:7])
    while (current := f"{year:04d}-{month:02d}") <= last:
        if current in sold:
            if len(run) <= longest:
                holes.update(run)
            run = []
        else:
            run.append(current)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return holes
