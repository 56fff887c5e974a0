"""Slide builders every deck kind shares: KPI cards, the funnel, cards from a person's text."""

from __future__ import annotations

from typing import Any

from shopreport.deck import model as m
from shopreport.deck.context import DeckContext
from shopreport.metrics import MetricValue
from shopreport.metrics.schema import FunnelRow

MAX_CARDS = 8


def kpi_cards(ctx: DeckContext[Any], metrics: list[str]) -> list[m.Kpi]:
    """KPI cards of the metrics that could be computed (at most eight)."""
    return [ctx.kpi(mid) for mid in metrics if ctx.available(mid)][:MAX_CARDS]


def rate_delta(metric: MetricValue) -> float | None:
    """Change of a rate against the previous period, in fractions (for 个百分点)."""
    if metric.value is None or metric.previous is None:
        return None
    return metric.value - metric.previous


def funnel_slide(
    ctx: DeckContext[Any], funnel: list[FunnelRow], note: str, title: str = ""
) -> m.ChartSlide:
    """Visit → cart → order → pay with the step that loses most."""
    say = ctx.say
    labels = [say.word(f"step_{f['step']}") for f in funnel]
    steps = [
        (labels[i], f["step_rate"]) for i, f in enumerate(funnel) if f["step_rate"] is not None
    ]
    worst = min(steps, key=lambda s: s[1]) if steps else None
    bullets = [say.say("funnel_overall", rate=funnel[-1]["overall_rate"])]
    if worst:
        bullets.append(say.say("funnel_worst", step=worst[0], rate=worst[1]))
    if ctx.available("cart_rate"):
        bullets.append(
            say.say(
                "funnel_cart",
                rate=ctx.value("cart_rate"),
                delta=rate_delta(ctx.report.metrics["cart_rate"]),
            )
        )
    return m.ChartSlide(
        "chart",
        title or say.word("funnel_title"),
        ctx.footnote("traffic", "events", "orders", note=note),
        charts=[m.Chart("funnel", {"labels": labels, "counts": [f["count"] for f in funnel]})],
        heading=say.word("funnel_heading"),
        bullets=bullets,
    )


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
