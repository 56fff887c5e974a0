"""A deck kind is a list of sections; this module turns one into the full slide list:
cover, 目录 CATALOGUE, a PART divider per section, its slides, closing, appendix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shopreport.deck import model as m
from shopreport.deck.context import DeckContext
from shopreport.fmt import fmt_count
from shopreport.metrics import METRICS
from shopreport.metrics.registry import definition


def person_card(text: str) -> m.Card:
    """A sentence a person wrote, as a card: heading before the first colon (or comma), the
    rest as the body; a short sentence is all heading."""
    for separators in (("：", ":"), ("，", ",")):
        for sep in separators:
            if sep in text:
                heading, body = text.split(sep, 1)
                return m.Card(heading.strip(), body.strip())
    text = text.strip()
    return m.Card(text, "") if len(text) <= 14 else m.Card("", text)


@dataclass(frozen=True)
class Section:
    """A section: its key (title in the narrative words), builder, and why it may be absent."""

    key: str
    build: Callable[[DeckContext], list[m.Slide]]
    missing: Callable[[DeckContext], str | None]


@dataclass
class DeckPlan:
    """The slides of a deck and the sections left out (key → reason)."""

    slides: list[m.Slide]
    left_out: dict[str, str]


def build_slides(kind: str, sections: list[Section], ctx: DeckContext, title: str, date_text: str) -> DeckPlan:
    """Every slide of a deck of `kind`, built before anything is drawn."""
    say = ctx.say
    built: list[tuple[Section, list[m.Slide]]] = []
    left_out: dict[str, str] = {}
    for section in sections:
        reason = section.missing(ctx)
        slides = [] if reason else section.build(ctx)
        if reason or not slides:
            left_out[section.key] = say.word(reason or "no_data")
            continue
        built.append((section, slides))
    cover = m.Cover("cover", title, say.say("cover_footnote", shop=ctx.config.shop), shop=ctx.config.shop,
                    presenter_line=say.say("presenter_line", name=ctx.config.presenter or "—"),
                    date_line=say.say("date_line", date=date_text), tagline=say.word(f"{kind}_tagline"))
    items = [(f"{i + 1:02d}", say.word(f"section_{s.key}")) for i, (s, _) in enumerate(built)]
    slides: list[m.Slide] = [cover, m.Catalogue("catalogue", say.word("catalogue"), say.say("cover_footnote", shop=ctx.config.shop),
                                                items=items, label_en="CATALOGUE")]
    for i, (section, section_slides) in enumerate(built):
        slides.append(m.Divider("divider", say.word(f"section_{section.key}"), say.say("cover_footnote", shop=ctx.config.shop),
                                part=f"PART {i + 1:02d}", subtitle=say.word(f"section_{section.key}_sub")))
        slides.extend(section_slides)
    slides.append(m.Closing("closing", say.word("thanks"), say.say("cover_footnote", shop=ctx.config.shop),
                            subtitle=say.word("thanks_sub")))
    slides.extend(appendix(ctx, slides, left_out))
    return DeckPlan(slides, left_out)


def appendix(ctx: DeckContext, slides: list[m.Slide], left_out: dict[str, str]) -> list[m.Slide]:
    """Metric definitions used, and the data coverage with caveats and sections left out."""
    say = ctx.say
    used = [mid for mid in METRICS if ctx.available(mid)]
    definitions = [[ctx.label(mid), mid, definition(mid, ctx.lang)] for mid in used]
    out: list[m.Slide] = []
    pages = -(-len(definitions) // 13)                  # at most 13 rows a slide, spread evenly
    per_slide = -(-len(definitions) // max(pages, 1))
    for start in range(0, len(definitions), per_slide):
        out.append(m.TableSlide("table", say.word("appendix_metrics"), say.word("appendix_metrics_footnote"),
                                columns=[say.word("col_metric"), "id", say.word("col_definition")],
                                rows=definitions[start:start + per_slide], align=["left", "left", "left"]))
    rows = [[say.word(f"table_{c['table']}"), fmt_count(c["rows"], ctx.lang),
             f"{c['first']} ~ {c['last']}" if c["first"] else "—",
             ", ".join(p.rsplit("/", 1)[-1] for p in c["files"])[:60]] for c in ctx.report.coverage]
    notes = [say.say(f"note_{n.code}", **n.params) for n in ctx.report.notes]
    notes += [say.say("left_out", section=say.word(f"section_{k}"), reason=v) for k, v in left_out.items()]
    out.append(m.TableSlide("table", say.word("appendix_coverage"), say.word("appendix_metrics_footnote"),
                            columns=[say.word(w) for w in ("col_table", "col_rows", "col_range", "col_files")],
                            rows=rows, align=["left", "right", "left", "left"],
                            note=" ".join(f"* {n}" for n in notes[:4])))
    return out
