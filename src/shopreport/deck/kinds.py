"""The deck kinds shopreport writes, as data: the CLI option that selects each, and the module
that defines it. This table imports nothing heavy, so `shopreport --help` stays fast; the
module of a kind is imported only when a deck of that kind is built.

Adding a deck kind: write `deck/<kind>.py` with a `KIND = DeckKind(...)` and its narrative
entries, and list it here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shopreport.deck.sections import DeckKind


@dataclass(frozen=True)
class KindInfo:
    """A deck kind as the command line sees it."""

    name: str
    option: str
    metavar: str
    help: str
    module: str


KINDS: tuple[KindInfo, ...] = (
    KindInfo(
        "monthly",
        "month",
        "YYYY-MM",
        "Monthly summary (电商月总结): YYYY-MM, or 'previous' for the last complete month in "
        "the shop's "
        "time zone.",
        "shopreport.deck.monthly",
    ),
    KindInfo(
        "weekly",
        "week",
        "YYYY-Www",
        "Weekly report (周报): an ISO week such as 2026-W44, or 'previous' for the last complete "
        "week in the shop's time zone.",
        "shopreport.deck.weekly",
    ),
    KindInfo(
        "review",
        "review",
        "PERIOD",
        "Shop diagnosis (店铺运营诊断报告): a quarter (2026-Q3), a half year (2026-H1) or whole "
        "months (2026-07..2026-09), in six parts with a scorecard.",
        "shopreport.deck.review",
    ),
    KindInfo(
        "annual",
        "year",
        "YYYY",
        "Annual review (年度总结) of a year; a year still running is reported to date.",
        "shopreport.deck.annual",
    ),
    KindInfo(
        "campaign",
        "campaign",
        "KEY",
        "Campaign retrospective (活动复盘): a key under `campaigns:` in the config.",
        "shopreport.deck.campaign",
    ),
)


def kind_info(name: str) -> KindInfo:
    """The registered kind called `name`."""
    return next(k for k in KINDS if k.name == name)


def load_kind(name: str) -> DeckKind[Any, Any]:
    """The full definition of a deck kind (imports its module)."""
    kind: DeckKind[Any, Any] = importlib.import_module(kind_info(name).module).KIND
    return kind
