"""Caveats a report carries (how a number was measured, what the data lacks), by code, so each
output can word them: English text in JSON, the narrative templates in the decks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TEXTS = {
    "daily_uv": (
        "visitors are the sum of daily UV from the traffic table (not de-duplicated across days)"
    ),
    "stock_at_price": "stock is valued at price: products have no unit_cost",
    "repurchase_window": "buyers with ≥ 2 paid orders in the {days} days to the period end",
    "data_starts": "the data starts on {date}, inside the {period} period",
    "orders_gap": (
        "orders: none in {period}, while the other tables have data there: its export looks "
        "missing, so nothing is compared with {period}"
    ),
    "orders_hole": (
        "orders: none in {period}, while the orders before and after it sell: its export looks "
        "missing, so nothing is compared with {period}"
    ),
    "table_starts": (
        "{table}: the data starts on {date}, after {period} began, so its figures are not "
        "compared with {period}"
    ),
    "data_ends": (
        "the data ends on {date}, before the {period} period ends: the period's figures cover the "
        "days to {date} and are compared with the same days of the previous period and last year"
    ),
    "short_history": (
        "the data starts on {date}, less than {days} days before the period: buyers who bought "
        "earlier elsewhere count as new, so returning buyers are understated"
    ),
    "short_history_compared": (
        "the data starts on {date}, {before} days before {period} (less than {days}): "
        "that period's returning buyers are understated and its new buyers overstated, "
        "so changes against it are not like for like"
    ),
    "orphans": (
        "{table}: {rows} row(s) point at {orders} order(s) not in the orders table "
        "(e.g. {example!r}); "
        "they are left out. Exports cut at a period edge do this."
    ),
    "implausible": (
        "orders: {rows} order amount(s) are implausible (e.g. {value}): check the export's units"
    ),
    "future_orders": (
        "orders: {rows} order(s) are dated after today (e.g. {value}): a wrong clock or date "
        "format in the export"
    ),
    "empty_table": "{table}: the file has a header and no rows, so its metrics are unavailable",
    "spread_days": (
        "{table}: each row covers {days} days and is spread evenly over them, so daily figures "
        "from it are averages"
    ),
    "approximate_time": (
        "{table}: the export has no date of its own for these rows, so they are dated by the "
        "order's cancellation, else by the order: dates are approximate"
    ),
    "orphan_refunds": (
        "refunds: {rows} row(s) point at {orders} order(s) not in the orders table "
        "(e.g. {example!r}); "
        "they still count in refund amounts."
    ),
}


@dataclass(frozen=True)
class Note:
    """One caveat: a code from TEXTS and the values its wording needs."""

    code: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def text(self) -> str:
        """The English wording."""
        return TEXTS[self.code].format(**self.params)
