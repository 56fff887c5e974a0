"""A deck kind is data: how its period is read, what it computes, how it is diagnosed, and its
list of sections. This module turns a kind and its numbers into the full slide list: cover,
目录 CATALOGUE, a PART divider per section, its slides, closing, appendix."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from shopreport.config import Config, written
from shopreport.deck import model as m
from shopreport.deck.context import DeckContext
from shopreport.deck.narrative import Narrator
from shopreport.fmt import fmt_count
from shopreport.insights.diagnosis import Finding
from shopreport.metrics import KpiReport, Period
from shopreport.sources.dataset import Dataset
from shopreport.vocab.metrics import METRICS, RETURNING, definition, label

S = TypeVar("S")  # what the command line names: a month, a year, a campaign key
D = TypeVar("D")  # what the kind computes: a KpiReport, or a report with the kind's own views


@dataclass(frozen=True)
class Section(Generic[D]):
    """A section: its key (title in the narrative words), builder, and why it may be absent."""

    key: str
    build: Callable[[DeckContext[D]], list[m.Slide]]
    missing: Callable[[DeckContext[D]], str | None] = lambda ctx: None


@dataclass(frozen=True)
class DeckKind(Generic[S, D]):
    """One kind of deck. The narrative has `<name>_title` and `<name>_tagline` for it."""

    name: str
    file_words: dict[str, str]
    """The deck's name in file names, by language."""
    parse: Callable[[Config, str, date], S]
    """The subject named on the command line (a usage error before any data is read)."""
    label: Callable[[S], str]
    """The subject in the file name (2026-10, 2025, double11-2026)."""
    window: Callable[[Config, S], Period]
    """The period that must have paid orders."""
    compute: Callable[[Dataset, S, date], D]
    """The numbers (metrics layer)."""
    report: Callable[[D], KpiReport]
    """The main KPI report inside the numbers."""
    diagnose: Callable[[D, Config], list[Finding]]
    """The problems (insights layer), found once per build."""
    title_values: Callable[[S, D], dict[str, Any]]
    """Values of the `<name>_title` sentence."""
    sections: list[Section[D]] = field(default_factory=list)
    reports: Callable[[Period], list[Period]] = lambda period: [period]
    """The periods whose whole reports `compute` makes from the window (the annual review also
    last year's): a database sends the rows their spans need."""
    compact: bool = False
    """No 目录, no PART dividers and no closing slide: a short deck (the weekly report) goes
    straight to its slides."""


@dataclass(frozen=True)
class DeckPlan:
    """The slides of a deck and the sections left out (key → reason)."""

    slides: list[m.Slide]
    left_out: dict[str, str]


def plan_deck(
    kind: DeckKind[S, D],
    subject: S,
    data: D,
    findings: list[Finding],
    config: Config,
    language: str,
    made_on: date,
) -> DeckPlan:
    """Every slide of a deck, built before anything is drawn."""
    report = kind.report(data)
    say = Narrator(
        language, config.symbol, report.period.kind, report.covered_until or report.period.last_day
    )
    ctx = DeckContext(report, data, config, say, findings)
    built: list[tuple[Section[D], list[m.Slide]]] = []
    left_out: dict[str, str] = {}
    for section in kind.sections:
        reason = section.missing(ctx)
        made = [] if reason else section.build(ctx)
        if reason or not made:
            left_out[section.key] = say.word(reason or "no_data")
            continue
        built.append((section, made))
    values = kind.title_values(subject, data)
    title = say.say(f"{kind.name}_title", **values)
    tagline = (  # a kind may say more above its title than a fixed word (the week's dates)
        say.say(f"{kind.name}_tagline_line", **values)
        if f"{kind.name}_tagline_line" in say.templates
        else say.word(f"{kind.name}_tagline")
    )
    footer = say.say("cover_footnote", shop=config.shown_shop)
    cover = m.Cover(
        "cover",
        title,
        footer,
        shop=config.shown_shop,
        presenter_line=say.say("presenter_line", name=written(config.presenter, language) or "—"),
        date_line=say.say("date_line", date=made_on.isoformat()),
        tagline=tagline,
    )
    items = [(f"{i + 1:02d}", say.word(f"section_{s.key}")) for i, (s, _) in enumerate(built)]
    slides: list[m.Slide] = [cover]
    if not kind.compact:
        slides.append(
            m.Catalogue(
                "catalogue",
                say.word("catalogue"),
                footer,
                items=items,
                # the English word under 目录 is the catalogue style's; under "Contents" a repeat
                label_en="CATALOGUE" if ctx.lang != "en" else "",
            )
        )
    for i, (section, section_slides) in enumerate(built):
        if not kind.compact:
            slides.append(
                m.Divider(
                    "divider",
                    say.word(f"section_{section.key}"),
                    footer,
                    part=f"PART {i + 1:02d}",
                    subtitle=_subtitle(say, section, section_slides),
                )
            )
        slides.extend(section_slides)
    if not kind.compact:
        slides.append(
            m.Closing("closing", say.word("thanks"), footer, subtitle=say.word("thanks_sub"))
        )
    # every metric a slide names is defined in the appendix, also those whose values a slide
    # writes itself (a campaign's response time, an annual's late deliveries)
    ctx.shown.update(named_metrics(slides, ctx.lang))
    slides.extend(appendix(ctx, left_out))
    placed = config.metrics.orders_basis == "placed"
    for slide in slides:
        slide.notes = slide.notes or speaker_notes(
            slide, say, language, placed, ctx.has("events"), ctx.defined
        )
    return DeckPlan(slides, left_out)


def metric_definition(
    mid: str, language: str, say: Narrator, placed: bool, events: bool | None = None
) -> str:
    """A metric's definition; GMV, orders and buyers are of placed orders when the shop counts
    orders when placed (Shopify, cash on delivery); visitors as this shop counts them (`events`:
    distinct visitors of the behaviour log, else daily UV summed), not both ways."""
    if placed and mid in PLACED:
        return say.word(f"placed_def_{mid}")
    if mid == "visitors" and events is not None:
        return say.word("def_visitors_events" if events else "def_visitors_traffic")
    return definition(mid, language)


def speaker_notes(
    slide: m.Slide,
    say: Narrator,
    language: str,
    placed: bool = False,
    events: bool | None = None,
    own: dict[str, str] | None = None,
) -> str:
    """What the presenter reads below a slide: its findings in full sentences, the definitions
    of the metrics it shows (and of the deck's `own` figures, label → definition), and where
    its numbers come from."""
    said: list[str] = []
    if isinstance(slide, m.Cover):
        said = [slide.title, slide.shop, slide.presenter_line, slide.date_line]
    elif isinstance(slide, m.Catalogue):
        said = [f"{number} {title}" for number, title in slide.items]
    elif isinstance(slide, m.Divider):
        said = [f"{slide.part} {slide.title}", slide.subtitle]
    elif isinstance(slide, m.KpiCards):
        said = [slide.summary]
    elif isinstance(slide, m.NumberedCards):
        said = [f"{c.heading}: {c.body}" if c.heading else c.body for c in slide.cards]
        said.append(slide.note)
    elif isinstance(slide, m.ChartSlide):
        said = [slide.heading, *slide.bullets]
    elif isinstance(slide, m.TableSlide):
        said = [slide.side_heading, *slide.side, slide.note]
    elif isinstance(slide, m.Closing):
        said = [slide.subtitle]
    text = _shown_text(slide)

    def name(mid: str) -> str:  # as the slides call it (orders counted when placed: 订单数)
        return (
            say.word("placed_orders") if placed and mid == "paid_orders" else label(mid, language)
        )

    # a figure of the deck's own first, its name taken out ("活动订单退款率" is no "退款率")
    defined = [f"{figure}: {meaning}" for figure, meaning in (own or {}).items() if figure in text]
    for figure in own or {}:
        text = text.replace(figure, " ")
    defined += [
        f"{name(mid)}: {metric_definition(mid, language, say, placed, events)}"
        for mid in METRICS
        if name(mid) in text
    ]
    parts = ["\n".join(s.strip() for s in said if s and s.strip())]
    if defined:
        parts.append(say.word("notes_definitions") + "\n" + "\n".join(defined))
    if slide.footnote and not isinstance(slide, (m.Cover, m.Catalogue, m.Divider, m.Closing)):
        parts.append(slide.footnote)
    return "\n\n".join(p for p in parts if p)


def named_metrics(slides: list[m.Slide], language: str) -> set[str]:
    """The metrics whose names appear on the slides."""
    text = " ".join(_shown_text(slide) for slide in slides)
    if language == "en":
        # "first response" in a sentence names "First response (mean)", the first metric of
        # that bare name ("First response (P90)" is named in full)
        text = text.lower()
        names: dict[str, str] = {}
        for mid in METRICS:
            names.setdefault(_bare(label(mid, language)), mid)
            names.setdefault(label(mid, language).lower(), mid)
        found = set()
        # the longest names first, each taking its words ("inquiry conversion" is no
        # "conversion", "bad reviews" no "reviews")
        for name in sorted(names, key=len, reverse=True):
            pattern = rf"(?<!\w){re.escape(name)}(?!\w)"
            if re.search(pattern, text):
                found.add(names[name])
                text = re.sub(pattern, " ", text)
        return found
    # a count said by its bare name before its value ("老买家2,670→2,927") names 老买家数 too
    return {
        mid
        for mid in METRICS
        if (name := label(mid, language)) in text
        or (name.endswith("数") and re.search(re.escape(name[:-1]) + r"\d", text))
    }


def _bare(name: str) -> str:
    """A label as a sentence says it: lower case, without its bracketed note."""
    return re.sub(r"\s*\(.*?\)", "", name).lower()


def _shown_text(slide: m.Slide) -> str:
    """Every word on a slide (title, labels, headings, columns, captions)."""
    words = [slide.title]
    if isinstance(slide, m.KpiCards):
        words += [c.label for c in slide.cards] + [slide.summary]
    elif isinstance(slide, m.NumberedCards):
        words += [f"{c.heading} {c.body}" for c in slide.cards]
    elif isinstance(slide, m.ChartSlide):
        words += [slide.heading, *slide.bullets, *(c.caption for c in slide.charts)]
    elif isinstance(slide, m.TableSlide):
        words += [*slide.columns, *(c for r in slide.rows for c in r), slide.note, *slide.side]
    return " ".join(w for w in words if w)


APPENDIX_ROWS = 15  # metric definitions on one slide at most


def definition_slides(say: Narrator, definitions: list[list[str]], footnote: str) -> list[m.Slide]:
    """The appendix's table of metric definitions ([name, definition] rows), spread evenly over
    as few slides as hold them."""
    pages = -(-len(definitions) // APPENDIX_ROWS)
    per_slide = -(-len(definitions) // max(pages, 1))
    return [
        m.TableSlide(
            "table",
            say.word("appendix_metrics"),
            footnote,
            columns=[say.word("col_metric"), say.word("col_definition")],
            rows=definitions[start : start + per_slide],
            align=["left", "left"],
        )
        for start in range(0, len(definitions), per_slide)
    ]


PLACED = ("gmv", "paid_orders", "buyers", "units")  # defined otherwise when counted when placed


def appendix(ctx: DeckContext[Any], left_out: dict[str, str]) -> list[m.Slide]:
    """Metric definitions used, and the data coverage with caveats and sections left out."""
    say = ctx.say
    used = [mid for mid in METRICS if mid in ctx.shown and ctx.available(mid)]
    placed = ctx.config.metrics.orders_basis == "placed"  # Shopify, cash on delivery
    definitions = [
        [
            ctx.label(mid),
            metric_definition(mid, ctx.lang, say, placed, ctx.has("events")),
        ]
        for mid in used
    ] + [list(own) for own in ctx.defined.items()]  # the deck's own figures
    basis = say.say(  # the platform whose back office the numbers follow, and the GMV basis
        "appendix_basis",
        platform=say.word(f"platform_{ctx.config.platform}"),
        placed=placed,
    )
    out = definition_slides(say, definitions, basis)
    rows = [
        [
            _heading(say.word(f"table_{c['table']}")),
            fmt_count(c["rows"], ctx.lang),
            f"{c['first']}{' – ' if ctx.lang == 'en' else ' ~ '}{c['last']}" if c["first"] else "—",
        ]
        for c in ctx.report.coverage
    ]
    notes = [
        say.say(
            f"note_{n.code}",
            **n.params,
            table_word=say.word(f"table_{n.params['table']}") if "table" in n.params else "",
        )
        for n in ctx.report.notes
        # returning buyers understated: said where a slide names them
        if n.code != "short_history" or ctx.shown & set(RETURNING)
    ]
    notes += [
        say.say("left_out", section=say.word(f"section_{k}"), reason=v) for k, v in left_out.items()
    ]
    out.append(
        m.TableSlide(
            "table",
            say.word("appendix_coverage"),
            basis,
            # no file names: "products.parquet" is nothing to present (`validate` and `kpis
            # --format json` name them)
            columns=[say.word(w) for w in ("col_table", "col_rows", "col_range")],
            rows=rows,
            align=["left", "right", "left"],
            note=" ".join(f"* {n}" for n in notes),
        )
    )
    return out


def _heading(word: str) -> str:
    """A word that heads a table's row ("Order lines", not "order lines" as in a sentence; "DSR
    scores" stays as it is)."""
    return word[:1].upper() + word[1:]


def _subtitle(say: Narrator, section: Section, slides: list[m.Slide]) -> str:
    """A divider's line: the topics of its slides in their order, or the section's fixed line
    when its slides name none."""
    sep = say.word("topic_sep")
    # a topic's word may hold two ("目标 · 工作计划"): each said once
    words = [w for s in slides if s.topic for w in say.word(f"topic_{s.topic}").split(sep)]
    if not words:
        return say.word(f"section_{section.key}_sub")
    line = sep.join(dict.fromkeys(words))
    return line[:1].upper() + line[1:]
