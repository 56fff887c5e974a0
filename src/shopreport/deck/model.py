"""What each slide says, as data: built completely before anything is drawn."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar


@dataclass
class Slide:
    """Every slide: a layout name, a title, a source/period footnote, and the presenter's
    notes (the narrative in full sentences, the definitions of the metrics shown)."""

    layout: str
    title: str = ""
    footnote: str = ""
    notes: str = ""
    topic: str = ""
    """What the section's divider lists the slide under (the word `topic_<topic>`): a divider
    names what its slides show, not what a shop with every table would see."""


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
    """A formatted change: the arrow shows its direction (up, down, flat, none), the colour
    whether it is good, bad or neutral for the metric."""

    label: str
    text: str
    direction: str
    tone: str = "neutral"


@dataclass
class Kpi:
    """One KPI card: the target line says attainment (with a progress bar) for a goal, met or
    missed with the gap for a ceiling."""

    label: str
    value: str
    changes: list[Change] = field(default_factory=list)
    attainment: float | None = None
    attainment_text: str = ""
    target_tone: str = "neutral"


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
    """Cards 01–04 (three or more than four stack as rows), and a line under them."""

    cards: list[Card] = field(default_factory=list)
    note: str = ""


@dataclass
class Chart:
    """A chart to draw: its kind (charts.CHARTS), data, caption, and the sentence that says
    what it shows (its alternative text)."""

    kind: str
    data: dict[str, Any]
    caption: str = ""
    alt: str = ""


@dataclass
class ChartSlide(Slide):
    """One or two charts with a heading and 2–4 findings."""

    charts: list[Chart] = field(default_factory=list)
    heading: str = ""
    bullets: list[str] = field(default_factory=list)


@dataclass
class TableSlide(Slide):
    """A table of formatted values, with an optional sentence under it, a caption above it
    ("前 12 / 共 136"), and an optional panel of findings beside it (`side`)."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    align: list[str] = field(default_factory=list)
    highlight: list[int] = field(default_factory=list)
    """Rows drawn as a warning (bold, in the bad tone)."""
    note: str = ""
    caption: str = ""
    side_heading: str = ""
    side: list[str] = field(default_factory=list)

    def drop_column(self, j: int) -> None:
        """Leave out column `j` (a category column of a shop of one category)."""
        del self.columns[j]
        self.rows = [r[:j] + r[j + 1 :] for r in self.rows]


@dataclass
class Closing(Slide):
    """谢谢 / THANKS."""

    subtitle: str = ""


S = TypeVar("S", bound=Slide)


def tagged(slide: S, topic: str) -> S:
    """The slide, listed on its divider under `topic`."""
    slide.topic = topic
    return slide
