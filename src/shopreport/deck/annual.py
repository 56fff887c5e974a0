"""The annual review (天猫店长年度工作总结, source deck 002): six sections on a year's report, the
previous year's, the year's campaigns as the campaign engine counts them, and what only the
team knows (achievements, lessons, resources)."""

from __future__ import annotations

import math
from datetime import date, timedelta

from shopreport.config import Config, Lesson, written
from shopreport.deck import model as m
from shopreport.deck.blocks import (
    TOP_ROWS,
    funnel_slide,
    money_column,
    person_cards,
    problem_slides,
    shown_of,
)
from shopreport.deck.context import SMALL_COUNT, DeckContext, change
from shopreport.deck.narrative import months_span
from shopreport.deck.sections import DeckKind, Section
from shopreport.fmt import fmt_count, fmt_metric, fmt_pct, product_label
from shopreport.insights import drivers as dr
from shopreport.insights.diagnosis import find_problems, finding_tables
from shopreport.insights.plan import year_targets
from shopreport.metrics import KpiReport, Period
from shopreport.metrics import schema as S
from shopreport.metrics.annual import AnnualReport, compute_annual
from shopreport.metrics.decompose import lmdi
from shopreport.metrics.period import parse_year, year_to_date
from shopreport.metrics.schema import MonthRow
from shopreport.vocab.metrics import METRICS

Ctx = DeckContext[AnnualReport]

KPI_YEAR = [
    "gmv",
    "buyers",
    "paid_orders",
    "aov",
    "visitors",
    "conversion",
    "repurchase_rate",
    "refund_rate",
]
MONTHS = [f"{mm:02d}" for mm in range(1, 13)]


def _months(ctx: Ctx, year: int) -> dict[str, MonthRow]:
    """Monthly GMV, orders and buyers of `year` by 'MM'."""
    return {r["month"][5:]: r for r in ctx.rows(S.MONTHLY) if r["month"].startswith(f"{year}-")}


def _kpi(ctx: Ctx, metric: str) -> m.Kpi:
    """A year's KPI card: YoY from the like-for-like months when last year is covered in part."""
    card = ctx.kpi(metric)
    if ctx.data.comparable is not None:
        mv = ctx.data.comparable.metrics[metric]
        card.changes = [
            change(ctx.say.word("yoy"), metric, mv.yoy_pp if mv.is_rate else mv.yoy, ctx.lang)
        ]
    return card


def _foot(ctx: Ctx, *tables: str) -> str:
    """The footnote, saying once when YoY compares only the months both years have."""
    comparable = ctx.data.comparable
    note = ""
    if comparable is not None:
        note = ctx.say.say(
            "comparable_note",
            start=comparable.period.start.month,
            end=comparable.period.last_day.month,
        )
    return ctx.footnote(*tables, note=note)


def _main_effect(split: dict) -> str:
    """The largest effect in the change's direction (visitors +¥360 of a +¥40 year, not orders
    per visitor's −¥415 against it)."""
    sign = 1 if split["delta"] >= 0 else -1
    return max(split["effects"], key=lambda k: split["effects"][k] * sign)


def _per_buyer_cause(now: float | None, before: float | None, aov_yoy: float | None) -> dict:
    """Orders per buyer as the cause of a year's AOV change, when it makes at least half of it
    (AOV = order value × orders per buyer, so the shares are of the logs): 1.57 → 1.31 of
    −16.9 % is; 1.50 → 1.51 of +20 % is not."""
    none = {"per_buyer": None, "per_buyer_before": None}
    if not now or not before or aov_yoy is None or aov_yoy <= -1 or aov_yoy == 0:
        return none
    share = math.log(now / before) / math.log(1 + aov_yoy)
    return {"per_buyer": now, "per_buyer_before": before} if share >= 0.5 else none


def _campaign_target(ctx: Ctx, key: str) -> float | None:
    """A campaign's GMV target from the config (a campaign short of it is no plain success)."""
    campaign = ctx.config.campaigns.get(key)
    return campaign.targets.get("gmv") if campaign else None


def _year_split(report: KpiReport) -> dict | None:
    """GMV's change against last year split (LMDI) over visitors, paid orders per visitor and
    order value, with each factor's change. Not over buyers: a year counts each buyer once and
    its visitors day by day, so a year of less repeat buying shows as more "conversion" (demo
    2025: buyers +45.5 % on orders +21.8 %, a conversion effect of +¥954万 that no visitor
    converted more for)."""

    def factors(pick) -> dict[str, float | None]:
        visitors, orders = pick(report.metrics["visitors"]), pick(report.metrics["paid_orders"])
        return {
            "visitors": visitors,
            "order_rate": orders / visitors if visitors and orders else None,
            "order_value": pick(report.metrics["order_value"]),
        }

    before, after = factors(lambda mv: mv.last_year), factors(lambda mv: mv.value)
    split = lmdi(before, after, tuple(after))
    if split is None:
        return None
    split["changes"] = {k: after[k] / before[k] - 1 for k in after}  # type: ignore[operator]
    return split


# --- 01 the year --------------------------------------------------------------------------------
def review(ctx: Ctx) -> list[m.Slide]:
    """KPIs of the year, GMV by month, categories, campaigns, AOV path, funnel, customers."""
    say, r = ctx.say, ctx.report
    year = r.period.start.year
    gmv = r.metrics["gmv"]
    yoy = ctx.data.changes.metrics["gmv"].yoy
    cards = [_kpi(ctx, mid) for mid in KPI_YEAR if ctx.available(mid)][:8]
    summary = say.say(
        "year_summary",
        gmv=gmv.value,
        yoy=yoy,
        att=gmv.attainment,
        target=gmv.target,
        progress=r.time_progress,
        pace=gmv.pace,
    )
    split = _year_split(ctx.data.changes)
    if split:
        main = _main_effect(split)
        summary = summary.rstrip("。.") + say.say(
            "year_cause",
            factor=say.word(f"{main}_effect"),
            effect=split["effects"][main],
            delta=split["delta"],
            metric=say.word(f"{main}_factor"),
            change=split["changes"][main],
        )
    slides: list[m.Slide] = [
        m.KpiCards(
            "kpis",
            say.say("year_kpi_title", year=year),
            _foot(ctx, "orders", "traffic", "refunds"),
            cards=cards,
            summary=summary,
        )
    ]
    slides.append(_by_month(ctx, year))
    categories = [c for c in ctx.rows(S.BY_CATEGORY) if c["gmv"]]
    if len(categories) >= 2:
        slides.append(_categories(ctx, categories))
    slides.append(_campaigns(ctx))
    aov = _aov_path(ctx, year)
    if aov:
        slides.append(aov)
    funnel = ctx.rows(S.FUNNEL)
    if funnel and all(f["count"] is not None for f in funnel):
        slide = funnel_slide(
            ctx,
            funnel,
            say.word("note_daily_uv") if not ctx.has("events") else "",
            title=say.word("year_funnel_title"),
        )
        slide.bullets += _year_conversion(ctx, year)
        slides.append(slide)
    slides.extend(_customers(ctx))
    return slides


def _year_conversion(ctx: Ctx, year: int) -> list[str]:
    """Why the year's conversion is below every month's: a buyer of several months is one
    buyer of the year (2025's 2.1 % under months of 2.5–3.1 % read as an error)."""
    months = [r for r in _months(ctx, year).values() if r["visitors"] and r["buyers"]]
    rate = ctx.value("conversion") if ctx.available("conversion") else None
    rates = [r["buyers"] / r["visitors"] for r in months]
    if rate is None or len(months) < 2 or rate >= min(rates):
        return []
    return [
        ctx.say.say(
            "year_conversion",
            low=min(rates),
            high=max(rates),
            average=sum(r["buyers"] for r in months) / sum(r["visitors"] for r in months),
        )
    ]


def _by_month(ctx: Ctx, year: int) -> m.ChartSlide:
    """GMV by month against last year, the best month, the fastest, months on target."""
    say = ctx.say
    this, last = _months(ctx, year), _months(ctx, year - 1)
    series = {
        str(year): [this[mm]["gmv"] if mm in this else None for mm in MONTHS],
        str(year - 1): [last[mm]["gmv"] if mm in last else None for mm in MONTHS],
    }
    bullets = []
    if this:
        best = max(this.values(), key=lambda x: x["gmv"])
        bullets.append(
            say.say(
                "best_month",
                month=best["month"],
                gmv=best["gmv"],
                share=best["gmv"] / (ctx.value("gmv") or 1),
            )
        )
    growth = [
        (mm, this[mm]["gmv"] / last[mm]["gmv"] - 1)
        for mm in MONTHS
        if mm in this and mm in last and last[mm]["gmv"]
    ]
    if growth:
        fastest = max(growth, key=lambda g: g[1])
        base = last[fastest[0]]["gmv"]
        average = sum(r["gmv"] for r in last.values()) / len(last)
        bullets.append(
            say.say(
                "fastest_month",
                month=f"{year}-{fastest[0]}",
                growth=fastest[1],
                base=base,
                # its growth is the low base's when last year's month sold under 80 % of that
                # year's average month (the demo's February 2024: ¥163万 against ¥349万)
                low=base < 0.8 * average,
                average=average,
            )
        )
    targets = [(mm, ctx.config.targets.get(f"{year}-{mm}", {}).get("gmv")) for mm in MONTHS]
    hit = [(mm, t) for mm, t in targets if t and mm in this]
    if hit:
        met = sum(1 for mm, t in hit if this[mm]["gmv"] >= t)
        bullets.append(say.say("months_on_target", met=met, months=len(hit)))
    chart = m.Chart(
        "bars",
        {"labels": MONTHS, "series": series, "unit": "money", "labels_on": False},
        alt=bullets[0] if bullets else "",
    )
    return m.ChartSlide(
        "chart",
        say.word("months_title"),
        _foot(ctx, "orders"),
        charts=[chart],
        heading=say.word("months_heading"),
        bullets=bullets,
    )


def _categories(ctx: Ctx, categories: list[S.CategoryRow]) -> m.TableSlide:
    """Categories of the year: GMV, share, YoY, Δ on last year, units."""
    say = ctx.say
    shown = categories[:TOP_ROWS]
    gmv = money_column(ctx, [c["gmv"] for c in shown])
    delta = money_column(
        ctx,
        [c["gmv"] - c["last_year_gmv"] if c["last_year_gmv"] is not None else None for c in shown],
        signed=True,
    )
    rows = [
        [
            c["category"] or say.word("unknown"),
            gmv[i],
            fmt_pct(c["share"]),
            fmt_pct(c["yoy"], signed=True),
            delta[i],
            fmt_count(c["units"], ctx.lang),
        ]
        for i, c in enumerate(shown)
    ]
    side = [
        say.say(
            "category_top",
            name=categories[0]["category"] or say.word("unknown"),
            share=categories[0]["share"],
            gmv=categories[0]["gmv"],
        )
    ]
    growing = [
        c
        for c in categories
        if c["yoy"] is not None and (c["share"] or 0) >= ctx.thresholds.category_mover_min_share
    ]
    if growing:
        fastest = max(growing, key=lambda c: c["yoy"] or 0)
        side.append(say.say("category_yoy", name=fastest["category"], yoy=fastest["yoy"]))
        biggest = max(growing, key=lambda c: c["gmv"] - (c["last_year_gmv"] or 0))
        side.append(
            say.say(
                "category_year_delta",
                name=biggest["category"],
                delta=biggest["gmv"] - (biggest["last_year_gmv"] or 0),
            )
        )
    return m.TableSlide(
        "table",
        say.word("year_category_title"),
        _foot(ctx, "order_items", "products"),
        columns=[
            say.word(w)
            for w in (
                "col_category",
                "col_gmv",
                "col_share",
                "col_yoy",
                "col_delta_yoy",
                "col_units",
            )
        ],
        rows=rows,
        caption=shown_of(ctx, len(shown), len(categories)),
        side_heading=say.word("category_heading"),
        side=side,
    )


def _repurchase_why(ctx: Ctx) -> dr.Driver | None:
    """The part that moved the repurchase rate most against last year (a whole previous year:
    a like-for-like comparison has no segment rows of its own)."""
    if ctx.data.comparable is not None:
        return None
    if ctx.data.previous.short_history:
        return None  # last year's "new" buyers include every earlier buyer: no segment to compare
    moved = ctx.report.metrics["repurchase_rate"]
    drivers = dr.repurchase_drivers(ctx.report, ctx.data.previous)
    if not drivers or moved.yoy_pp is None or drivers[0].effect * moved.yoy_pp <= 0:
        return None
    return drivers[0]


def _per_buyer(ctx: Ctx) -> list[str]:
    """Without a segment to name (last year's buyers had no look-back), the repurchase rate's
    move said by the orders a buyer placed: the demo's 2025 fell 15.0 points as buyers grew
    45.5 % and orders 21.8 % (1.57 → 1.31 orders a buyer), which the deck said nowhere."""
    metrics = ctx.data.changes.metrics
    moved = metrics["repurchase_rate"].yoy_pp
    orders, buyers = metrics["paid_orders"], metrics["buyers"]
    if (
        moved is None
        or abs(moved) < 0.005  # a move of a tenth of a point is no story of one-time buyers
        or None in (orders.value, orders.last_year, buyers.value, buyers.last_year)
    ):
        return []
    now = orders.value / buyers.value if buyers.value else None  # type: ignore[operator]
    before = orders.last_year / buyers.last_year if buyers.last_year else None  # type: ignore[operator]
    if now is None or before is None or (now - before) * moved <= 0:
        return []
    return [
        ctx.say.say(
            "repurchase_per_buyer",
            now=now,
            before=before,
            orders=orders.yoy,
            buyers=buyers.yoy,
        )
    ]


def _campaigns(ctx: Ctx) -> m.ChartSlide:
    """Daily GMV over the year: the campaigns (as the campaign retrospective counts them, against
    the campaign they are compared with) against the ordinary day."""
    say = ctx.say
    daily = [d for d in ctx.rows(S.DAILY) if d["gmv"] is not None]  # days the data covers
    values = [d["gmv"] or 0.0 for d in daily]
    ordinary = sorted(values)[len(values) // 2] if values else 0  # the median day
    bullets = []
    peak = max(daily, key=lambda d: d["gmv"] or 0.0) if daily else None
    if peak:
        bullets.append(
            say.say(
                "year_peak_day",
                date=peak["date"],
                gmv=peak["gmv"],
                lift=peak["gmv"] / ordinary if ordinary else None,
            )
        )
    for c in ctx.data.campaigns:
        days = (c.end - c.start).days + 1
        bullets.append(
            say.say(
                "campaign_vs_day",
                name=c.name,
                gmv=c.gmv,
                share=c.gmv / (sum(values) or 1),
                lift=(c.gmv / days) / ordinary if ordinary else None,
                compared=c.compared,
                growth=c.growth,
                target=_campaign_target(ctx, c.key),
            )
        )
    chart = m.Chart(
        "daily_trend",
        {
            "gmv": values,
            "previous_gmv": [d["previous_gmv"] for d in daily],
            "last_year_gmv": [None] * len(daily),
            "labels": {
                "this": str(ctx.report.period.start.year),
                "previous": str(ctx.report.period.start.year - 1),
            },
            "x_label": say.word("month_axis"),
            "x_tick_at": [  # a tick on the first of each month
                (i, say.say("month_tick", month=int(d["date"][5:7])))
                for i, d in enumerate(daily)
                if d["date"].endswith("-01")
            ],
        },
        alt=bullets[0] if bullets else "",
    )
    return m.ChartSlide(
        "chart",
        say.word("promotions_title"),
        _foot(ctx, "orders"),
        charts=[chart],
        heading=say.word("promotions_heading"),
        bullets=bullets[:4],
    )


def _aov_path(ctx: Ctx, year: int) -> m.ChartSlide | None:
    """AOV month by month, and why the year's AOV is above every month's."""
    say, r = ctx.say, ctx.report
    this, last = _months(ctx, year), _months(ctx, year - 1)

    def aov(month: MonthRow | None) -> float | None:
        return month["gmv"] / month["buyers"] if month and month["buyers"] else None

    path = [aov(this.get(mm)) for mm in MONTHS]
    known = [v for v in path if v]
    if not known:
        return None
    changes = ctx.data.changes.metrics
    yoy = changes["aov"].yoy

    def per_buyer(pick) -> float | None:  # paid orders per buyer: AOV = order value × this
        orders, buyers = pick(changes["paid_orders"]), pick(changes["buyers"])
        return orders / buyers if orders and buyers else None

    bullets = [
        say.say(
            "aov_year",
            aov=ctx.value("aov"),
            yoy=yoy,
            low=min(known),
            high=max(known),
            average=ctx.value("gmv") / sum(this[mm]["buyers"] for mm in this) if this else None,
            **_per_buyer_cause(
                per_buyer(lambda mv: mv.value), per_buyer(lambda mv: mv.last_year), yoy
            ),
        ),
        say.say(
            "order_value_year",
            value=ctx.value("order_value"),
            yoy=ctx.data.changes.metrics["order_value"].yoy,
        ),
    ]
    chart = m.Chart(
        "daily_trend",
        {
            "gmv": path,
            "previous_gmv": [aov(last.get(mm)) for mm in MONTHS],
            "last_year_gmv": [None] * 12,
            "labels": {"this": str(year), "previous": str(year - 1)},
            "x_label": say.word("month_axis"),
            "unit": "money",
        },
        alt=bullets[0],
    )
    del r
    return m.ChartSlide(
        "chart",
        say.word("aov_path_title"),
        _foot(ctx, "orders"),
        charts=[chart],
        heading=say.word("aov_path_heading"),
        bullets=bullets,
    )


def _customers(ctx: Ctx) -> list[m.Slide]:
    """Repurchase and RFM segments against last year's year end; cohort retention."""
    say = ctx.say
    slides: list[m.Slide] = []
    now = {s["segment"]: s for s in ctx.rows(S.RFM)}
    before = {s["segment"]: s for s in ctx.data.previous.rows(S.RFM)}
    if now and ctx.available("gmv"):
        order = list(now)
        # the segment whose spend moved most (the most customers moved in the low-value lapsed
        # segment while the high-value one needing a win-back grew from 4.6K to 11.9K)
        moved = max(
            order,
            key=lambda k: abs(
                (now[k]["monetary"] or 0) - (before[k]["monetary"] if k in before else 0)
            ),
        )
        name = now[moved]["segment_en"] if ctx.lang == "en" else now[moved]["segment_zh"]
        bullets = [
            say.say(
                "repurchase_year",
                rate=ctx.value("repurchase_rate"),
                delta=ctx.data.changes.metrics["repurchase_rate"].yoy_pp,
                returning=ctx.value("returning_share"),
            ),
            *(
                [
                    say.say(
                        "repurchase_why",
                        kind=why.kind,
                        segment=why.subject,
                        effect=why.effect,
                        **why.evidence,
                    )
                ]
                if (why := _repurchase_why(ctx))
                else _per_buyer(ctx)
            ),
            say.say(
                "rfm_moved",
                name=name,
                meaning=say.word(f"rfm_meaning_{moved}"),
                now=now[moved]["customers"],
                before=before[moved]["customers"]
                if moved in before and before[moved]["customers"]
                else None,
                spend=now[moved]["monetary"],
                spend_before=before[moved]["monetary"] if moved in before else None,
            ),
        ]
        chart = m.Chart(
            "bars",
            {
                "labels": [_short_segment(now[k], ctx.lang) for k in order],
                "series": {
                    str(ctx.report.period.start.year): [now[k]["customers"] for k in order],
                    str(ctx.report.period.start.year - 1): [
                        before[k]["customers"] if k in before else 0 for k in order
                    ],
                },
                "unit": "count",
                "labels_on": False,
            },
            alt=bullets[0],
        )
        slides.append(
            m.ChartSlide(
                "chart",
                say.word("rfm_year_title"),
                _foot(ctx, "orders"),
                charts=[chart],
                heading=say.word("rfm_year_heading"),
                bullets=bullets,
            )
        )
    cohorts = ctx.rows(S.COHORTS)
    if cohorts:
        names = sorted({c["cohort"] for c in cohorts})
        width = max(c["k"] for c in cohorts) + 1
        cells = {(c["cohort"], c["k"]): c for c in cohorts}
        matrix = [
            [cells[(n, k)]["rate"] if (n, k) in cells else None for k in range(width)]
            for n in names
        ]
        sizes = [next(c["size"] for c in cohorts if c["cohort"] == n) for n in names]
        month1 = [row[1] for row in matrix if len(row) > 1 and row[1] is not None]
        bullet = say.say("cohort_line", rate=sum(month1) / len(month1) if month1 else None)
        slides.append(
            m.ChartSlide(
                "chart",
                say.word("cohort_title"),
                _foot(ctx, "orders"),
                charts=[
                    m.Chart(
                        "heatmap",
                        {
                            "matrix": matrix,
                            "cohorts": names,
                            "sizes": sizes,
                            "size_label": say.word("cohort_size"),
                            "x_label": say.word("cohort_axis"),
                        },
                        alt=bullet,
                    )
                ],
                heading=say.word("cohort_heading"),
                bullets=[bullet],
            )
        )
    return slides


def _short_segment(segment: S.RfmRow, language: str) -> str:
    """A segment's name short enough for an axis: 重要价值 / Champions."""
    if language != "en":
        return segment["segment_zh"][:4]
    return SHORT_SEGMENTS.get(segment["segment"], segment["segment_en"])


SHORT_SEGMENTS = {
    "important_develop": "Promising",
    "important_keep": "Loyal, lapsing",
    "important_winback": "At risk",
    "general_value": "Loyal, small",
    "general_develop": "Recent, small",
}
"""English segment names an axis shortens (the others are short already)."""


# --- 02 achievements ----------------------------------------------------------------------------
def achievements(ctx: Ctx) -> list[m.Slide]:
    """Best months, campaigns and products found in the data, and the team's own achievements."""
    say, r = ctx.say, ctx.report
    year = r.period.start.year
    this = _months(ctx, year)
    cards = []
    if this:
        best = sorted(this.values(), key=lambda x: -x["gmv"])[:3]
        cards.append(
            m.Card(
                say.word("best_months"),
                say.say(
                    "best_months_line",
                    months=[b["month"] for b in best],
                    gmv=best[0]["gmv"],
                ),
            )
        )
    # a campaign is an achievement for the target it met, or without one for the growth it
    # made; one that missed its target is none, however it grew (here "完成98.8%，未达成" and
    # then "增长18.5%" alone read as a success)
    targets = {c.key: _campaign_target(ctx, c.key) for c in ctx.data.campaigns}
    met = {k: t for k, t in targets.items() if t is not None}
    won = [
        c
        for c in ctx.data.campaigns
        if (c.gmv >= met[c.key] if c.key in met else (c.growth or 0) > 0)
    ]
    if won:
        c = max(won, key=lambda c: c.gmv)
        cards.append(
            m.Card(
                say.word("best_campaign"),
                say.say(
                    "campaign_year_line",
                    name=c.name,
                    gmv=c.gmv,
                    compared=c.compared,
                    growth=c.growth,
                    target=met.get(c.key),
                ),
            )
        )
    products = ctx.rows(S.PRODUCTS)
    if products:
        top = products[0]
        cards.append(
            m.Card(
                say.word("best_product"),
                say.say(
                    "best_product_line",
                    name=product_label(top),
                    gmv=top["gmv"],
                    share=top["share"],
                ),
            )
        )
    changes = ctx.data.changes.metrics
    if changes["gmv"].yoy is not None:
        cards.append(
            m.Card(
                say.word("year_growth"),
                say.say(
                    "year_growth_line",
                    gmv=r.metrics["gmv"].value,
                    yoy=changes["gmv"].yoy,
                    buyers=r.metrics["buyers"].value,
                    buyers_yoy=changes["buyers"].yoy,
                ),
            )
        )
    slides: list[m.Slide] = []
    if cards:
        slides.append(
            m.NumberedCards(
                "cards",
                say.word("data_achievements_title"),
                _foot(ctx, "orders", "order_items"),
                cards=cards[:4],
            )
        )
    if products:
        shown = products[:10]
        gmv = money_column(ctx, [p["gmv"] for p in shown])
        rows = [
            [
                str(p["rank"]),
                product_label(p),
                p["category"] or "—",
                gmv[i],
                fmt_pct(p["share"]),
                fmt_count(p["units"], ctx.lang),
            ]
            for i, p in enumerate(shown)
        ]
        own = ctx.written(ctx.config.achievements.get(str(year), []))
        slides.append(
            m.TableSlide(
                "table",
                say.word("year_products_title"),
                ctx.footnote("order_items", "products"),
                columns=[
                    say.word(w)
                    for w in (
                        "col_rank",
                        "col_product",
                        "col_category",
                        "col_gmv",
                        "col_share",
                        "col_units",
                    )
                ],
                rows=rows,
                side_heading=say.word("own_achievements_title") if own else "",
                side=[t.strip() for t in own[:5]],  # as the team wrote them
            )
        )
        if len({p["category"] for p in products}) < 2:  # one category ("Medluck" on every row)
            table = slides[-1]
            assert isinstance(table, m.TableSlide)
            table.drop_column(2)
        rest = ctx.written(ctx.config.achievements.get(str(year), []))[5:]
    else:
        rest = ctx.written(ctx.config.achievements.get(str(year), []))
    for start in range(0, len(rest), 4):
        slides.append(
            m.NumberedCards(
                "cards",
                say.word("own_achievements_title"),
                say.say("team_footnote"),
                cards=person_cards(rest[start : start + 4]),
            )
        )
    return slides


# --- 03 problems --------------------------------------------------------------------------------
def challenges(ctx: Ctx) -> list[m.Slide]:
    """The diagnosis of the year: problems ranked by GMV at risk, with actions."""
    return problem_slides(ctx, ctx.findings, _foot(ctx, *finding_tables(ctx.findings)))


# --- 04 lessons ---------------------------------------------------------------------------------
def lessons(ctx: Ctx) -> list[m.Slide]:
    """The team's lessons, each with a compact row of the numbers that support it."""
    say = ctx.say
    items = ctx.config.lessons.get(str(ctx.report.period.start.year), [])
    changes = ctx.data.changes.metrics
    cards = []
    for item in items:
        text, evidence = (item, []) if not isinstance(item, Lesson) else (item.text, item.evidence)
        text = written(text, ctx.lang)
        facts = []
        for mid in evidence:
            if mid not in METRICS:
                facts += _named_evidence(ctx, mid)
            elif ctx.available(mid):
                mv = changes[mid]
                small = (  # a few SKUs: 2 → 4 is "▲2", not "▲100.0%" (as the cards say it)
                    mv.value - mv.last_year
                    if METRICS[mid].unit == "count"
                    and mv.value is not None
                    and mv.last_year is not None
                    and mv.last_year < SMALL_COUNT
                    else None
                )
                moved = change("", mid, mv.yoy_pp if mv.is_rate else mv.yoy, ctx.lang, small)
                facts.append(
                    say.say(
                        "evidence_item",
                        label=ctx.label(mid),
                        value=ctx.fmt(mid),
                        change=moved.text,
                        direction=moved.direction,
                    )
                )
        cards.append(
            m.Card(text, say.say("lesson_evidence", facts=" · ".join(facts)) if facts else "")
        )
    return [
        m.NumberedCards(
            "cards", say.word("lessons_title"), say.word("lessons_footnote"), cards=cards[i : i + 4]
        )
        for i in range(0, len(cards), 4)
    ]


def _named_evidence(ctx: Ctx, item: str) -> list[str]:
    """A lesson's evidence of one name (`Lesson.evidence`): a source's visitors or a
    category's GMV with its change on last year, or a refund reason's share; none when the
    year has no such row ("直播与短视频是增长最快的流量来源" read beside the shop's visitors
    only, where 直播's own +50.6 % was the point)."""
    say, r = ctx.say, ctx.report
    kind, _, name = item.partition(":")
    shown = ctx.config.names  # the data's names as this deck shows them

    def row(rows: list, key: str, value: str) -> dict | None:
        return next((x for x in rows if x[key] == shown.get(value, value)), None)

    def fact(label: str, metric: str, now: float | None, before: float | None) -> list[str]:
        if now is None:
            return []
        moved = change("", metric, now / before - 1 if before else None, ctx.lang)
        value = fmt_metric(now, METRICS[metric].unit, ctx.symbol, ctx.lang)
        return [
            say.say(
                "evidence_item",
                label=label,
                value=value,
                change=moved.text,
                direction=moved.direction,
            )
        ]

    if kind == "source" and (x := row(r.rows(S.BY_SOURCE), "source", name)):
        label = say.say("evidence_source", name=x["source"])
        return fact(label, "visitors", x["visitors"], x["previous_visitors"])
    if kind == "category" and (x := row(r.rows(S.BY_CATEGORY), "category", name)):
        label = say.say("evidence_category", name=x["category"])
        return fact(label, "gmv", x["gmv"], x["previous_gmv"])
    if kind == "refund_reason":
        category, _, reason = name.rpartition("/")
        if not category:
            x = row(r.rows(S.REFUNDS_BY_REASON), "reason", reason)
            share = x["share"] if x else None
        else:
            both = [
                y
                for y in r.rows(S.REFUND_REASONS_BY_CATEGORY)
                if y["category"] == shown.get(category, category)
            ]
            x = row(both, "reason", reason)
            total = sum(y["amount"] for y in both)
            share = x["amount"] / total if x and total else None
        if x is None or share is None:
            return []
        label = say.say("evidence_reason", name=x["reason"], category=x.get("category"))
        return [
            say.say("evidence_item", label=label, value=fmt_pct(share), change="", direction="")
        ]
    return []


# --- 05 next year -------------------------------------------------------------------------------
def next_year(ctx: Ctx) -> list[m.Slide]:
    """Next year's GMV target by month: configured, or proposed from this year's curve."""
    say, r = ctx.say, ctx.report
    year = r.period.start.year
    targets = year_targets(ctx.data, ctx.config)
    actual = money_column(ctx, [t.actual for t in targets])
    target = money_column(ctx, [t.target for t in targets])
    rows = [
        [
            t.month,
            actual[i],
            target[i],
            fmt_pct(t.target / t.actual - 1, signed=True) if t.target and t.actual else "—",
            say.say(f"basis_year_{t.source}_{t.basis}", year=year) if t.source else "—",
        ]
        for i, t in enumerate(targets)
    ]
    annual = ctx.config.targets.get(str(year + 1), {}).get("gmv")
    total, actual_year = sum(t.target or 0 for t in targets), ctx.value("gmv")
    same, months = None, None
    last = ctx.report.covered_until or ctx.report.period.last_day
    if f"{last:%m-%d}" != "12-31":
        # a year the data covers in part (still running, or exports to August): the targets
        # of the months it has whole against those months (¥7,197万 for next year against
        # ¥4,566万 for January–October read as +19.0%: it is +57.6%)
        full = last.month if (last + timedelta(days=1)).day == 1 else last.month - 1
        known = [t for t in targets if int(t.month[5:]) <= full and t.actual and t.target]
        same = sum(t.target or 0 for t in known) if known else None
        actual_year = sum(t.actual or 0 for t in known) if known else None
        months = months_span(ctx.lang, full) if full else None
    # the total's own growth (the months' targets may grow at different rates), against a
    # whole year or the months a running year has
    whole = all(t.target for t in targets) and actual_year and ctx.report.time_progress is None
    base = same if same is not None else (total if whole else None)
    side = [
        say.say(
            "next_year_total",
            year=year,
            total=total,
            annual=annual,
            actual=actual_year,
            same=same,
            months=months,
            growth=base / actual_year - 1 if base is not None and actual_year else None,
        )
    ]
    bases = {t.basis for t in targets if t.source == "proposed"}
    if bases:
        side.append(say.say("proposed_year_note", year=year, bases=sorted(bases)))
    return [
        m.TableSlide(
            "table",
            say.say("next_year_title", year=year + 1),
            _foot(ctx, "orders"),
            columns=[
                say.word("col_month"),
                say.say("col_year_actual", year=year),
                say.word("col_year_target"),
                say.say("col_vs_year", year=year),
                say.word("col_target_source"),
            ],
            rows=rows,
            side_heading=say.word("next_year_heading"),
            side=side,
        )
    ]


# --- 06 resources -------------------------------------------------------------------------------
def resources(ctx: Ctx) -> list[m.Slide]:
    """资源与支持需求 from the team."""
    say = ctx.say
    items = ctx.written(ctx.config.resources.get(str(ctx.report.period.start.year), []))
    return [
        m.NumberedCards(
            "cards",
            say.word("resources_title"),
            say.say("team_footnote"),
            cards=person_cards(items[i : i + 4]),
        )
        for i in range(0, len(items), 4)
    ]


def _parse(config: Config, text: str, today: date) -> Period:
    """'2025': the year, or the year to date while it runs."""
    return year_to_date(parse_year(text), today)


KIND: DeckKind[Period, AnnualReport] = DeckKind(
    name="annual",
    file_words={"zh-CN": "年度总结", "en": "annual_review"},
    parse=_parse,
    label=lambda period: period.label,
    window=lambda config, period: period,
    reports=lambda period: [period, period.last_year()],
    compute=compute_annual,
    report=lambda annual: annual.report,
    diagnose=lambda annual, config: find_problems(annual.report, config.thresholds),
    title_values=lambda period, annual: {"year": period.start.year},
    sections=[
        Section("year_review", review),
        Section("year_achievements", achievements),
        Section("year_challenges", challenges),
        Section(
            "year_lessons",
            lessons,
            lambda ctx: (
                None
                if ctx.config.lessons.get(str(ctx.report.period.start.year))
                else "needs_lessons"
            ),
        ),
        Section("year_plan", next_year),
        Section(
            "year_resources",
            resources,
            lambda ctx: (
                None
                if ctx.config.resources.get(str(ctx.report.period.start.year))
                else "needs_resources"
            ),
        ),
    ],
)
