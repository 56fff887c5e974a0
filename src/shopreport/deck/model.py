"""What each slide says, as data: built completely before anything is drawn."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Slide:
    """Every slide: a layout name, a title and a source/period footnote."""

    layout: str
    title: str = ""
    footnote: str = ""


@dataclass
class Cover(Slide):
    """Deck title, shop, presenter and date."""

    shop: str = ""
    presenter_line: str = ""
    date_line: str = ""
    tagline: str = ""


@dataclass
class Catalogue(Slide):
    """目录 CATALOGUE: the numbered sections."""

    items: list[tuple[str, str]] = field(default_factory=list)
    label_en: str = "CATALOGUE"


@dataclass
class Divider(Slide):
    """PART 0N and the section title."""

    part: str = ""
    subtitle: str = ""


@dataclass
class Change:
    """A formatted change with its direction (up, down, flat) for arrow and colour."""

    label: str
    text: str
    direction: str


@dataclass
class Kpi:
    """One KPI card."""

    label: str
    value: str
    changes: list[Change] = field(default_factory=list)
    attainment: float | None = None
    attainment_text: str = ""


@dataclass
class KpiCards(Slide):
    """4–8 KPI cards and an optional summary sentence."""

    cards: list[Kpi] = field(default_factory=list)
    summary: str = ""


@dataclass
class Card:
    """A numbered card: heading and sentences."""

    heading: str
    body: str


@dataclass
class NumberedCards(Slide):
    """Cards 01–04."""

    cards: list[Card] = field(default_factory=list)


@dataclass
class Chart:
    """A chart to draw: its kind (charts.CHARTS), data and caption."""

    kind: str
    data: dict[str, Any]
    caption: str = ""


@dataclass
class ChartSlide(Slide):
    """One or two charts with a heading and 2–4 findings."""

    charts: list[Chart] = field(default_factory=list)
    heading: str = ""
    bullets: list[str] = field(default_factory=list)


@dataclass
class TableSlide(Slide):
    """A table of formatted values, with an optional sentence under it."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    align: list[str] = field(default_factory=list)
    highlight: list[int] = field(default_factory=list)
    note: str = ""


@dataclass
class Closing(Slide):
    """谢谢 / THANKS."""

    subtitle: str = ""
