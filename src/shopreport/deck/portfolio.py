"""The portfolio deck: one month across an agency's shops, in the catalogue design.

Each shop's part is summarised where the shop is computed (`summarize`, in its own process):
the KPI cards and the headline sentence of its own monthly deck, and its biggest problems.
`plan_portfolio` then ranks the shops and their problems, with amounts converted into the
portfolio's currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shopreport.config import Config, PortfolioConfig, written
from shopreport.deck import model as m
from shopreport.deck.context import DeckContext, change
from shopreport.deck.monthly import overview
from shopreport.deck.narrative import Narrator
from shopreport.deck.sections import (
    definition_slides,
    metric_definition,
    named_metrics,
    speaker_notes,
)
from shopreport.fmt import fmt_count, fmt_money, fmt_money_column, fmt_pct
from shopreport.insights.diagnosis import Finding
from shopreport.metrics import KpiReport
from shopreport.vocab.metrics import METRICS, label

TOP_PROBLEMS = 10


@dataclass
class ShopProblem:
    """One of a shop's problems: its title, GMV at risk (shop currency) and short action."""

    title: str
    impact: float
    action: str


@dataclass
class ShopSummary:
    """A shop's month as the portfolio shows it (amounts in the shop's currency)."""

    shop: str
    currency: str
    symbol: str
    gmv: float | None
    previous: float | None
    last_year: float | None
    target: float | None
    buyers: float | None
    orders: float | None
    headline: str
    cards: list[m.Kpi] = field(default_factory=list)
    problems: list[ShopProblem] = field(default_factory=list)
    platform: str = "other"
    placed: bool = False
    """GMV, orders and buyers count orders when placed (Shopify, cash on delivery)."""
    events: bool = False
    """Visitors are the behaviour log's distinct visitors (else the daily UV summed)."""


def summarize(
    report: KpiReport, findings: list[Finding], config: Config, language: str
) -> ShopSummary:
    """The shop's part: its own deck's KPI cards and headline, and its top problems."""
    say = Narrator(language, config.symbol, report.period.kind)
    ctx: DeckContext[Any] = DeckContext(report, report, config, say, findings)
    cards = overview(ctx)[0]
    assert isinstance(cards, m.KpiCards)
    gmv = report.metrics["gmv"]
    problems = [
        ShopProblem(
            say.say(f"finding_{f.rule}_title", subject=f.subject, **f.evidence),
            f.impact,
            say.say(f"action_{f.rule}_short", subject=f.subject, **f.evidence),
        )
        for f in findings[:3]
    ]
    return ShopSummary(
        config.shown_shop,
        config.currency,
        config.symbol,
        gmv.value,
        gmv.previous,
        gmv.last_year,
        gmv.target,
        report.metrics["buyers"].value,
        report.metrics["paid_orders"].value,
        cards.summary,
        cards.cards,
        problems,
        config.platform,
        config.metrics.orders_basis == "placed",
        ctx.has("events"),
    )


def plan_portfolio(
    shops: list[ShopSummary],
    portfolio: PortfolioConfig,
    currency: str,
    symbol: str,
    language: str,
    period: Any,
    made_on: date,
) -> list[m.Slide]:
    """Every slide of the portfolio deck."""
    say = Narrator(language, symbol, "month")
    rate = {s.shop: 1.0 if s.currency == currency else portfolio.fx[s.currency] for s in shops}

    def total(values: list[float | None]) -> float | None:
        return None if any(v is None for v in values) else sum(values)  # type: ignore[misc]

    gmv = total([s.gmv * rate[s.shop] if s.gmv is not None else None for s in shops])
    prev = total([s.previous * rate[s.shop] if s.previous is not None else None for s in shops])
    ly = total([s.last_year * rate[s.shop] if s.last_year is not None else None for s in shops])
    targeted = [s for s in shops if s.target]
    target = sum(s.target * rate[s.shop] for s in targeted) or None  # type: ignore[operator]
    reached = sum((s.gmv or 0) * rate[s.shop] for s in targeted)
    met = sum(1 for s in targeted if (s.gmv or 0) >= (s.target or 0))
    mom = gmv / prev - 1 if gmv is not None and prev else None
    yoy = gmv / ly - 1 if gmv is not None and ly else None
    name = portfolio.name or say.word("portfolio_name")
    fx = [f"{c} = {v:g} {currency}" for c, v in portfolio.fx.items() if c in rate_currencies(shops)]
    footer = say.say(
        "portfolio_footnote",
        shops=len(shops),
        start=period.start.isoformat(),
        end=period.last_day.isoformat(),
        currency=currency,
        fx=", ".join(fx),
    )
    ranked = sorted(shops, key=lambda s: -((s.gmv or 0) * rate[s.shop]))
    deltas = [
        (s, (s.gmv - s.previous) * rate[s.shop])
        for s in shops
        if s.gmv is not None and s.previous is not None
    ]
    rise = max(deltas, key=lambda d: d[1], default=None)
    fall = min(deltas, key=lambda d: d[1], default=None)
    sections = [
        (
            "overview",
            _overview(say, symbol, gmv, mom, yoy, target, reached, shops, met, targeted, footer),
        ),
        ("ranking", _ranking(say, ranked, rate, gmv, footer, language, symbol)),
        ("problems", _problems(say, shops, rate, footer, language, symbol)),
        ("shops", _shop_slides(say, ranked, footer)),
    ]
    sections = [(k, s) for k, s in sections if s]
    slides: list[m.Slide] = [
        m.Cover(
            "cover",
            say.say("portfolio_title", year=period.start.year, month=period.start.month),
            name,
            shop=name,
            presenter_line=say.say(
                "presenter_line", name=written(portfolio.presenter, language) or "—"
            ),
            date_line=say.say("date_line", date=made_on.isoformat()),
            tagline=say.word("portfolio_tagline"),
        ),
        m.Catalogue(
            "catalogue",
            say.word("catalogue"),
            name,
            items=[
                (f"{i + 1:02d}", say.word(f"section_pf_{k}")) for i, (k, _) in enumerate(sections)
            ],
        ),
    ]
    summary_slide = sections[0][1][0]
    if isinstance(summary_slide, m.KpiCards) and rise and fall:
        summary_slide.summary = say.join(
            summary_slide.summary,
            say.say(
                "portfolio_movers",
                rise=rise[0].shop,
                rise_delta=rise[1],
                fall=fall[0].shop if fall[1] < 0 else None,
                fall_delta=fall[1],
            ),
        )
    for i, (key, made) in enumerate(sections):
        slides.append(
            m.Divider(
                "divider",
                say.word(f"section_pf_{key}"),
                name,
                part=f"PART {i + 1:02d}",
                subtitle=say.word(f"section_pf_{key}_sub"),
            )
        )
        slides.extend(made)
    slides.append(m.Closing("closing", say.word("thanks"), name, subtitle=say.word("thanks_sub")))
    named = named_metrics(slides, language)  # the appendix defines every metric a slide names
    counted = {s.events for s in shops}  # visitors defined as the shops count them, if alike
    events = counted.pop() if len(counted) == 1 else None
    definitions = [
        [label(k, language), metric_definition(k, language, say, False, events)]
        for k in METRICS
        if k in named
    ]
    basis = say.say(
        "pf_appendix_basis",
        platforms=[say.word(f"platform_{p}") for p in sorted({s.platform for s in shops})],
        placed=[s.shop for s in shops if s.placed],
        shops=len(shops),
    )
    slides.extend(definition_slides(say, definitions, basis))
    for slide in slides:
        slide.notes = slide.notes or speaker_notes(slide, say, language)
    return slides


def rate_currencies(shops: list[ShopSummary]) -> set[str]:
    """The currencies the shops report in."""
    return {s.currency for s in shops}


def _overview(
    say, symbol, gmv, mom, yoy, target, reached, shops, met, targeted, footer
) -> list[m.Slide]:
    """The portfolio's KPI cards and its sentence."""
    lang = say.language
    attainment = reached / target if target else None
    cards = [
        m.Kpi(
            say.word("pf_gmv"),
            fmt_money(gmv, symbol, lang),
            [change(say.word("mom"), "gmv", mom, lang), change(say.word("yoy"), "gmv", yoy, lang)],
            attainment,
            say.say("attainment_line", target=fmt_money(target, symbol, lang), att=attainment)
            if target
            else "",
            "good" if attainment is not None and attainment >= 1 else "neutral",
        ),
        m.Kpi(say.word("pf_buyers"), fmt_count(_sum(s.buyers for s in shops), lang)),
        m.Kpi(say.word("pf_orders"), fmt_count(_sum(s.orders for s in shops), lang)),
        m.Kpi(
            say.word("pf_met"),
            f"{met}/{len(targeted)}" if targeted else "—",
            attainment_text=say.say("pf_met_line", shops=len(shops), targeted=len(targeted)),
        ),
    ]
    summary = say.say(
        "portfolio_summary",
        gmv=gmv,
        mom=mom,
        yoy=yoy,
        att=attainment,
        shops=len(shops),
        targeted=len(targeted),
        met=met,
    )
    return [m.KpiCards("kpis", say.word("pf_kpi_title"), footer, cards=cards, summary=summary)]


def _sum(values) -> float | None:
    """The sum, or None when a shop lacks the value."""
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


def _ranking(say, ranked, rate, gmv, footer, language, symbol) -> list[m.Slide]:
    """The shops by GMV: a table (share, MoM, YoY, attainment) and the bars."""
    money = fmt_money_column([(s.gmv or 0) * rate[s.shop] for s in ranked], symbol, language)
    rows = [
        [
            str(i + 1),
            s.shop,
            money[i],
            fmt_pct((s.gmv or 0) * rate[s.shop] / gmv) if gmv else "—",
            fmt_pct(s.gmv / s.previous - 1, signed=True) if s.gmv and s.previous else "—",
            fmt_pct(s.gmv / s.last_year - 1, signed=True) if s.gmv and s.last_year else "—",
            fmt_pct(s.gmv / s.target) if s.gmv is not None and s.target else "—",
        ]
        for i, s in enumerate(ranked)
    ]
    words = ("col_rank", "col_shop", "col_gmv", "col_share", "col_mom", "col_yoy", "col_att")
    table = m.TableSlide(
        "table",
        say.word("pf_ranking_title"),
        footer,
        columns=[say.word(w) for w in words],
        rows=rows,
        align=["center", "left", "right", "right", "right", "right", "right"],
        note=say.say("pf_ranking_note", shops=len(ranked), mixed=len(rate_currencies(ranked)) > 1),
    )
    bars = m.ChartSlide(
        "chart",
        say.word("pf_bars_title"),
        footer,
        charts=[
            m.Chart(
                "hbar",
                {
                    "labels": [s.shop for s in ranked],
                    "values": [(s.gmv or 0) * rate[s.shop] for s in ranked],
                    "unit": "money",
                    "notes": [
                        say.say("pf_att_note", att=s.gmv / s.target)
                        if s.gmv is not None and s.target
                        else None
                        for s in ranked
                    ],
                },
                caption=say.word("pf_gmv"),
                alt=say.say("pf_bars_alt", top=ranked[0].shop, shops=len(ranked)),
            )
        ],
        heading=say.word("pf_bars_heading"),
        bullets=[
            say.say(
                "pf_bar_line",
                shop=s.shop,
                gmv=(s.gmv or 0) * rate[s.shop],
                mom=s.gmv / s.previous - 1 if s.gmv and s.previous else None,
            )
            for s in ranked[:3]
        ],
    )
    return [table, bars]


def _problems(say, shops, rate, footer, language, symbol) -> list[m.Slide]:
    """The biggest problems across shops, by GMV at risk (converted)."""
    found = sorted(
        ((s, p, p.impact * rate[s.shop]) for s in shops for p in s.problems),
        key=lambda t: -t[2],
    )[:TOP_PROBLEMS]
    if not found:
        return []
    money = fmt_money_column([v if v >= 0.5 else None for *_, v in found], symbol, language)
    rows = [[str(i + 1), s.shop, p.title, money[i], p.action] for i, (s, p, _) in enumerate(found)]
    words = ("col_rank", "col_shop", "col_issue", "col_impact", "col_action")
    return [
        m.TableSlide(
            "table",
            say.word("pf_problems_title"),
            footer,
            columns=[say.word(w) for w in words],
            rows=rows,
            align=["center", "left", "left", "right", "left"],
            note=say.say("impact_note"),
        )
    ]


def _shop_slides(say, ranked, footer) -> list[m.Slide]:
    """One slide per shop: its own deck's cards and headline, and its top problem."""
    slides: list[m.Slide] = []
    for s in ranked:
        top = s.problems[0] if s.problems else None
        line = say.say("pf_top_problem", title=top.title, action=top.action) if top else ""
        slides.append(
            m.KpiCards(
                "kpis",
                say.say("pf_shop_title", shop=s.shop),
                footer,
                cards=s.cards,
                summary=say.paragraphs(s.headline, line),
            )
        )
    return slides
