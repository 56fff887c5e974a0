"""Slide builders every deck kind shares: KPI cards, the funnel, cards from a person's text."""

from __future__ import annotations

from typing import Any

from shopreport.deck import model as m
from shopreport.deck.context import DeckContext
from shopreport.fmt import fmt_money, fmt_money_column
from shopreport.insights.diagnosis import Finding
from shopreport.metrics.schema import FunnelRow

MAX_CARDS = 8
TOP_ROWS = 12  # rows of a top-N table on one slide
PROBLEM_CARDS = 4


def kpi_cards(ctx: DeckContext[Any], metrics: list[str]) -> list[m.Kpi]:
    """KPI cards of the metrics that could be computed (at most eight)."""
    return [ctx.kpi(mid) for mid in [mid for mid in metrics if ctx.available(mid)][:MAX_CARDS]]


def funnel_slide(
    ctx: DeckContext[Any], funnel: list[FunnelRow], note: str, title: str = ""
) -> m.ChartSlide:
    """Visit → cart → order → pay with the step that loses most."""
    say = ctx.say
    labels = [say.word(f"step_{f['step']}") for f in funnel]
    steps = [  # a step's rate is of those who reached the step before it
        (labels[i - 1], labels[i], f["step_rate"])
        for i, f in enumerate(funnel)
        if i > 0 and f["step_rate"] is not None
    ]
    worst = min(steps, key=lambda s: s[2]) if steps else None
    bullets = [say.say("funnel_overall", rate=funnel[-1]["overall_rate"])]
    if worst:
        bullets.append(say.say("funnel_worst", before=worst[0], step=worst[1], rate=worst[2]))
    if ctx.available("cart_rate"):
        bullets.append(
            say.say(
                "funnel_cart",
                rate=ctx.value("cart_rate"),
                delta=ctx.report.metrics["cart_rate"].mom_pp,
            )
        )
    return m.ChartSlide(
        "chart",
        title or say.word("funnel_title"),
        ctx.footnote("traffic", "events", "orders", note=note),
        charts=[
            m.Chart(
                "funnel",
                {
                    "labels": labels,
                    "counts": [f["count"] for f in funnel],
                    "step_word": say.word("funnel_step_rate"),  # "转化 93.8%", not "↓ 93.8%"
                },
            )
        ],
        heading=say.say("funnel_heading", steps=labels),  # the steps the data has
        bullets=bullets,
    )


def person_cards(texts: list[str]) -> list[m.Card]:
    """Sentences a person wrote, as one slide's cards: each with a heading before its first colon
    (or else comma) and the rest as its body when every sentence has one; otherwise all as body
    text, so that no card is a bare heading over an empty body beside cards with both."""
    split = [_heading_and_body(t) for t in texts]
    if all(split):  # the body a sentence of its own ("Live room relaunched: A new studio …")
        return [m.Card(h, b[:1].upper() + b[1:]) for h, b in (parts for parts in split if parts)]
    return [m.Card("", t.strip()) for t in texts]


def _heading_and_body(text: str) -> tuple[str, str] | None:
    for separators in (("：", ":"), ("，", ",")):
        for sep in separators:
            heading, found, body = text.partition(sep)
            if found and heading.strip() and body.strip():
                return heading.strip(), body.strip()
    return None


def money_column(
    ctx: DeckContext[Any], values: list[float | None], signed: bool = False
) -> list[str]:
    """A table column of amounts, all in one unit (`signed`: changes, with their sign)."""
    return fmt_money_column(values, ctx.symbol, ctx.lang, signed)


def shown_of(ctx: DeckContext[Any], shown: int, total: int) -> str:
    """'前 12 / 共 136' when a table shows a subset, else nothing."""
    return ctx.say.say("shown_of", shown=shown, total=total) if total > shown else ""


def listing(ctx: DeckContext[Any], names: list[str], limit: int = 3) -> str:
    """Names joined as the language lists them; more than `limit` end in '等' / ', …'."""
    say = ctx.say
    limit = len(names) if len(names) == limit + 1 else limit  # "…" would hide just one
    text = say.word("list_sep").join(n or say.word("unknown") for n in names[:limit])
    return text + (say.word("and_more") if len(names) > limit else "")


FEW_MORE = 3  # problems beyond the cards that fit in a line under them


def problem_slides(ctx: DeckContext[Any], findings: list[Finding], footnote: str) -> list[m.Slide]:
    """The problems ranked by GMV at risk over the next month: the first four as cards (what,
    the numbers, the action), the others in a table below them on their own slide."""
    say = ctx.say
    if not findings:
        return []
    # English runs about twice as long as Chinese: its cards take the short action, or four of
    # them came out at 10.5 pt (the Chinese at 14.5 pt)
    action = "action_{}_short" if ctx.lang == "en" else "action_{}"
    cards = [
        m.Card(
            say.say(f"finding_{f.rule}_title", subject=f.subject, **f.evidence),
            say.join(
                say.say(f"finding_{f.rule}", subject=f.subject, impact=f.impact, **f.evidence),
                say.say(
                    "action_line",
                    action=say.say(action.format(f.rule), subject=f.subject, **f.evidence),
                ),
            ),
        )
        for f in findings[:PROBLEM_CARDS]
    ]
    rest = findings[PROBLEM_CARDS:TOP_ROWS]
    note = ""
    if len(rest) <= FEW_MORE and rest:  # a few more: a line under the cards, no sparse slide
        items = [
            say.say(
                "issues_more_item",
                rank=PROBLEM_CARDS + i + 1,
                title=say.say(f"finding_{f.rule}_title", subject=f.subject, **f.evidence),
                impact=f.impact if f.impact >= 0.5 else None,
                context=problem_context(ctx, f),
            )
            for i, f in enumerate(rest)
        ]
        note = say.say("issues_more", items=items)
    slides: list[m.Slide] = [
        m.NumberedCards("cards", say.word("issues_title"), footnote, cards=cards, note=note)
    ]
    if note:
        return slides
    if rest:
        impacts = money_column(ctx, [f.impact if f.impact >= 0.5 else None for f in rest])
        rows = [
            [
                str(PROBLEM_CARDS + i + 1),
                say.say(f"finding_{f.rule}_title", subject=f.subject, **f.evidence),
                impacts[i] if f.impact >= 0.5 else problem_context(ctx, f),
                say.say(f"action_{f.rule}_short", subject=f.subject, **f.evidence),
            ]
            for i, f in enumerate(rest)
        ]
        slides.append(
            m.TableSlide(
                "table",
                say.say("issues_table_title"),
                footnote,
                columns=[
                    say.word(w) for w in ("col_rank", "col_issue", "col_impact", "col_action")
                ],
                rows=rows,
                align=["center", "left", "right", "left"],
                note=say.say("impact_note"),
            )
        )
    return slides


def problem_context(ctx: DeckContext[Any], finding: Finding) -> str:
    """A problem's figure of another kind (money tied up in stock …), or '—'."""
    if "tied_up" in finding.context:
        return ctx.say.say(
            "context_tied_up", value=fmt_money(finding.context["tied_up"], ctx.symbol, ctx.lang)
        )
    return "—"
