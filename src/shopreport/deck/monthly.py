"""The monthly deck (电商月总结汇报, source deck 000): six sections of slides, every number from
the KPI report, every sentence from the narrative templates."""

from __future__ import annotations

from datetime import date

from shopreport.config import Config
from shopreport.deck import model as m
from shopreport.deck.blocks import funnel_slide, kpi_cards, person_card, rate_delta
from shopreport.deck.context import DeckContext
from shopreport.deck.sections import DeckKind, Section
from shopreport.fmt import fmt_count, fmt_money, fmt_pct
from shopreport.insights.diagnosis import find_problems
from shopreport.insights.plan import next_targets
from shopreport.metrics import KpiReport, Period, compute_kpis, parse_month
from shopreport.metrics import schema as S

Ctx = DeckContext[KpiReport]

KPI_OVERVIEW = [
    "gmv",
    "buyers",
    "paid_orders",
    "aov",
    "visitors",
    "conversion",
    "returning_share",
    "refund_rate",
]
KPI_GOODS = [
    "stock_value",
    "turnover_days",
    "sell_through",
    "days_of_cover",
    "stockout_skus",
    "slow_movers",
    "reorder_skus",
    "gross_margin",
]
KPI_SERVICE = [
    "satisfaction_rate",
    "first_response_s",
    "first_response_p90_s",
    "resolution_rate",
    "bot_share",
    "inquiry_conversion",
    "avg_rating",
    "bad_review_rate",
]
STAGES = ("new", "growing", "mature", "declining")


# --- 01 overview ----------------------------------------------------------------------------
def overview(ctx: Ctx) -> list[m.Slide]:
    """KPI cards, the month's numbered summary, daily trend, and the GMV bridge."""
    say, r = ctx.say, ctx.report
    gmv = r.metrics["gmv"]
    if ctx.available("gmv"):
        summary = say.say(
            "gmv_summary",
            gmv=gmv.value,
            mom=gmv.mom,
            yoy=gmv.yoy,
            att=gmv.attainment,
            target=gmv.target,
            progress=r.time_progress,
        )
    else:
        summary = say.say(
            "no_amount_summary", buyers=ctx.value("buyers"), orders=ctx.value("paid_orders")
        )
    slides: list[m.Slide] = [
        m.KpiCards(
            "kpis",
            say.word("kpi_title"),
            ctx.footnote("orders", "traffic", "refunds"),
            cards=kpi_cards(ctx, KPI_OVERVIEW),
            summary=summary,
        )
    ]
    slides.append(
        m.NumberedCards(
            "cards",
            say.word("targets_title"),
            ctx.footnote("orders", "traffic", "refunds"),
            cards=_summary_cards(ctx),
        )
    )
    daily = ctx.rows(S.DAILY)
    if daily and ctx.available("gmv"):
        slides.append(_daily_trend(ctx, daily))
    if r.decomposition.get("mom"):
        slides.append(_bridge(ctx))
    return slides


def _summary_cards(ctx: Ctx) -> list[m.Card]:
    """Four cards: GMV, traffic and conversion, AOV, customers and refunds."""
    say, r = ctx.say, ctx.report
    mt = r.metrics
    cards = []
    if ctx.available("gmv"):
        cards.append(
            m.Card(
                say.word("card_gmv"),
                say.say(
                    "card_gmv",
                    gmv=mt["gmv"].value,
                    mom=mt["gmv"].mom,
                    yoy=mt["gmv"].yoy,
                    att=mt["gmv"].attainment,
                    orders=mt["paid_orders"].value,
                    buyers=mt["buyers"].value,
                ),
            )
        )
    if ctx.available("conversion"):
        cards.append(
            m.Card(
                say.word("card_traffic"),
                say.say(
                    "card_traffic",
                    visitors=mt["visitors"].value,
                    visitors_mom=mt["visitors"].mom,
                    conversion=mt["conversion"].value,
                    conversion_delta=rate_delta(mt["conversion"]),
                    uv_value=mt["uv_value"].value,
                ),
            )
        )
    if ctx.available("aov"):
        cards.append(
            m.Card(
                say.word("card_aov"),
                say.say(
                    "card_aov",
                    aov=mt["aov"].value,
                    aov_mom=mt["aov"].mom,
                    order_value=mt["order_value"].value,
                    coupon_share=_promoted_share(ctx),
                ),
            )
        )
    customers = say.say(
        "card_customers",
        returning=mt["returning_share"].value,
        returning_delta=rate_delta(mt["returning_share"]),
        repurchase=mt["repurchase_rate"].value,
        refund=mt["refund_rate"].value if ctx.available("refund_rate") else None,
        refund_delta=rate_delta(mt["refund_rate"]) if ctx.available("refund_rate") else None,
    )
    cards.append(m.Card(say.word("card_customers"), customers))
    return cards


def _promoted_share(ctx: Ctx) -> float | None:
    """Share of GMV from orders with a coupon or promotion."""
    for row in ctx.rows(S.COUPONS):
        if row["promoted"]:
            return row["gmv_share"]
    return None


def _daily_trend(ctx: Ctx, daily: list[dict]) -> m.ChartSlide:
    """Daily GMV with last month and last year, and what stands out."""
    say = ctx.say
    values = [d["gmv"] for d in daily]
    peak = max(daily, key=lambda d: d["gmv"])
    average = sum(values) / len(values)
    bullets = [
        say.say(
            "trend_peak",
            date=peak["date"][5:],
            value=peak["gmv"],
            ratio=peak["gmv"] / average if average else None,
        ),
        say.say("trend_average", value=average, days=len(values)),
    ]
    before = [d["previous_gmv"] for d in daily if d["previous_gmv"] is not None]
    if before:
        above = sum(
            1 for d in daily if d["previous_gmv"] is not None and d["gmv"] > d["previous_gmv"]
        )
        bullets.append(say.say("trend_vs_previous", above=above, days=len(before)))
    data = {k: [d[k] for d in daily] for k in ("gmv", "previous_gmv", "last_year_gmv")}
    return m.ChartSlide(
        "chart",
        say.word("trend_title"),
        ctx.footnote("orders"),
        charts=[m.Chart("daily_trend", data)],
        heading=say.word("trend_heading"),
        bullets=bullets,
    )


def _bridge(ctx: Ctx) -> m.ChartSlide:
    """The GMV change split into traffic, conversion and AOV effects, and who drove it."""
    say, r = ctx.say, ctx.report
    mom = r.decomposition["mom"]
    effects = mom["effects"]
    names = {
        "visitors": say.word("traffic_effect"),
        "conversion": say.word("conversion_effect"),
        "aov": say.word("aov_effect"),
    }
    main = max(effects, key=lambda k: abs(effects[k]))
    metric_of = {"visitors": "visitors", "conversion": "conversion", "aov": "aov"}
    bullets = [
        say.say("bridge_total", delta=mom["delta"], before=mom["before"], after=mom["after"]),
        say.say(
            "bridge_main",
            name=names[main],
            effect=effects[main],
            change=r.metrics[metric_of[main]].mom,
            share=effects[main] / mom["delta"] if mom["delta"] else None,
        ),
    ]
    parts = {
        "word_category": [
            (c["category"], c["delta_mom"], c["contribution_mom"]) for c in ctx.rows(S.BY_CATEGORY)
        ],
        "word_source": [
            (c["source"], c["delta_mom"], c["contribution_mom"]) for c in ctx.rows(S.BY_SOURCE)
        ],
    }
    for word, contributions in parts.items():
        top = _top_contributor(contributions, mom["delta"])
        if top:
            bullets.append(
                say.say(
                    "bridge_part",
                    kind=say.word(word),
                    name=top[0] or say.word("unknown"),
                    delta=top[1],
                    share=top[2],
                )
            )
    return m.ChartSlide(
        "chart",
        say.word("bridge_title"),
        ctx.footnote("orders", "traffic", "order_items"),
        charts=[m.Chart("bridge", mom)],
        heading=say.word("bridge_heading"),
        bullets=bullets[:4],
    )


Contribution = tuple[str | None, float, float]


def _top_contributor(
    parts: list[tuple[str | None, float | None, float | None]], delta: float
) -> Contribution | None:
    """The part (name, Δ, share of the total Δ) whose change moved GMV most in the direction of
    the total change."""
    known = [(name, d, c) for name, d, c in parts if d is not None and c is not None]
    if not known or not delta:
        return None
    return max(known, key=lambda p: p[1] * (1 if delta > 0 else -1))


# --- 02 traffic -------------------------------------------------------------------------------
def traffic(ctx: Ctx) -> list[m.Slide]:
    """Sources (share, conversion, GMV), funnel, paid channels, new vs returning and RFM."""
    say = ctx.say
    slides: list[m.Slide] = []
    sources = [s for s in ctx.rows(S.BY_SOURCE) if s["visitors"]]
    note = say.word("note_daily_uv") if not ctx.has("events") else ""
    if sources:
        total_visitors = sum(s["visitors"] for s in sources)
        charts = [
            m.Chart(
                "share_and_rate",
                {
                    "labels": [s["source"] for s in sources],
                    "shares": [s["visitors"] / total_visitors for s in sources],
                    "rates": [s["conversion"] for s in sources],
                    "share_label": say.word("visitor_share"),
                    "rate_label": say.word("conversion"),
                },
                caption=say.word("source_chart_caption"),
            )
        ]
        if any(s["gmv"] for s in sources):
            charts.append(
                m.Chart(
                    "hbar",
                    {
                        "labels": [s["source"] for s in sources],
                        "values": [s["gmv"] or 0 for s in sources],
                        "unit": "money",
                        "notes": [
                            f"{say.word('mom')} {fmt_pct(s['mom'], signed=True)}"
                            if s["mom"] is not None
                            else ""
                            for s in sources
                        ],
                    },
                    caption=say.word("source_gmv_caption"),
                )
            )
        biggest = max(sources, key=lambda s: s["visitors"])
        bullets = [
            say.say(
                "source_biggest",
                name=biggest["source"],
                share=biggest["visitors"] / total_visitors,
                gmv_share=biggest["share"],
            )
        ]
        converting = [s for s in sources if s["conversion"] is not None]
        if converting:
            best = max(converting, key=lambda s: s["conversion"])
            bullets.append(
                say.say("source_best", name=best["source"], conversion=best["conversion"])
            )
        drops = [f for f in ctx.findings if f.rule == "conversion_drop"]
        if drops:
            d = drops[0]
            bullets.append(
                say.say(
                    "source_drop",
                    name=d.subject,
                    now=d.evidence["now"],
                    before=d.evidence["before"],
                    drop=d.evidence["drop"],
                    impact=d.impact,
                )
            )
        slides.append(
            m.ChartSlide(
                "chart",
                say.word("source_title"),
                ctx.footnote("traffic", "orders", note=note),
                charts=charts,
                bullets=bullets,
                heading=say.word("source_chart_caption"),
            )
        )
    funnel = ctx.rows(S.FUNNEL)
    if funnel and all(f["count"] is not None for f in funnel):
        slides.append(funnel_slide(ctx, funnel, note))
    channels = ctx.rows(S.MARKETING_BY_CHANNEL)
    if channels:
        slides.append(_paid_channels(ctx, channels))
    slides.append(_customers(ctx))
    return slides


def _paid_channels(ctx: Ctx, channels: list[dict]) -> m.TableSlide:
    """Spend, CTR, CPC, attributed GMV and ROAS by paid channel; under-target rows marked."""
    say, target = ctx.say, ctx.config.thresholds.target_roas
    rows, highlight = [], []
    for i, c in enumerate(channels):
        roas = c["roas"]
        rows.append(
            [
                c["channel"],
                fmt_money(c["spend"], ctx.symbol, ctx.lang),
                fmt_count(c["impressions"], ctx.lang),
                fmt_count(c["clicks"], ctx.lang),
                fmt_pct(c["ctr"]),
                fmt_money(c["cpc"], ctx.symbol, ctx.lang),
                fmt_money(c["attributed_gmv"], ctx.symbol, ctx.lang),
                f"{roas:.2f}" if roas is not None else "—",
            ]
        )
        if roas is not None and roas < target:
            highlight.append(i)
    low = [c for c in channels if c["roas"] is not None and c["roas"] < target]
    note = say.say(
        "paid_note",
        spend=ctx.value("spend"),
        roas=ctx.value("roas"),
        target=target,
        low=say.word("list_sep").join(c["channel"] for c in low),
        count=len(low),
    )
    return m.TableSlide(
        "table",
        say.word("paid_title"),
        ctx.footnote("marketing"),
        columns=[
            say.word(w)
            for w in (
                "col_channel",
                "col_spend",
                "col_impressions",
                "col_clicks",
                "col_ctr",
                "col_cpc",
                "col_attributed",
                "col_roas",
            )
        ],
        rows=rows,
        highlight=highlight,
        note=note,
    )


def _customers(ctx: Ctx) -> m.ChartSlide:
    """New vs returning buyers, and the RFM segments."""
    say = ctx.say
    nvr = {r["segment"]: r for r in ctx.rows(S.NEW_VS_RETURNING)}
    segments = [s for s in ctx.rows(S.RFM) if s["customers"]] if ctx.available("gmv") else []
    charts = []
    if nvr:
        order = [k for k in ("new", "returning") if k in nvr]
        charts.append(
            m.Chart(
                "bars",
                {
                    "labels": [say.word(f"segment_{k}") for k in order],
                    "series": {say.word("buyers"): [nvr[k]["buyers"] for k in order]},
                    "unit": "count",
                },
                caption=say.word("nvr_caption"),
            )
        )
    if segments:
        charts.append(
            m.Chart(
                "hbar",
                {
                    "labels": [
                        s["segment_en"] if ctx.lang == "en" else s["segment_zh"] for s in segments
                    ],
                    "values": [s["customers"] for s in segments],
                    "unit": "count",
                    "notes": [
                        f"{say.word('gmv_share')} {fmt_pct(s['monetary_share'])}" for s in segments
                    ],
                    "color": "secondary",
                },
                caption=say.word("rfm_caption"),
            )
        )
    bullets = []
    if nvr.get("new") and nvr.get("returning"):
        bullets.append(
            say.say(
                "nvr_compare",
                new=nvr["new"]["buyers"],
                returning=nvr["returning"]["buyers"],
                new_aov=nvr["new"]["aov"],
                returning_aov=nvr["returning"]["aov"],
                returning_share=nvr["returning"]["gmv_share"],
            )
        )
    if segments:
        top = max(segments, key=lambda s: s["monetary_share"] or 0)
        bullets.append(
            say.say(
                "rfm_top",
                name=top["segment_en"] if ctx.lang == "en" else top["segment_zh"],
                share=top["share"],
                gmv_share=top["monetary_share"],
            )
        )
    bullets.append(
        say.say(
            "repurchase_line",
            rate=ctx.value("repurchase_rate"),
            delta=rate_delta(ctx.report.metrics["repurchase_rate"]),
        )
    )
    return m.ChartSlide(
        "chart",
        say.word("customers_title"),
        ctx.footnote("orders"),
        charts=charts[:2],
        heading=say.word("customers_heading"),
        bullets=bullets,
    )


# --- 03 sales ---------------------------------------------------------------------------------
def sales(ctx: Ctx) -> list[m.Slide]:
    """Category structure and change, promotions, regions."""
    say = ctx.say
    slides: list[m.Slide] = []
    categories = [c for c in ctx.rows(S.BY_CATEGORY) if c["gmv"]]
    if len(categories) >= 2:  # one category (the data has none) shows nothing
        slides.append(_category_chart(ctx, categories))
        slides.append(_category_table(ctx, categories))
    coupons = ctx.rows(S.COUPONS)
    if len(coupons) == 2:
        slides.append(_coupons(ctx, coupons))
    provinces = ctx.rows(S.BY_PROVINCE)
    if provinces:
        slides.append(_regions(ctx, provinces))
    return slides or [
        m.NumberedCards(
            "cards", say.word("sales_title"), ctx.footnote("orders"), cards=_summary_cards(ctx)
        )
    ]


def _category_chart(ctx: Ctx, categories: list[dict]) -> m.ChartSlide:
    say = ctx.say
    shown = categories[:10]
    chart = m.Chart(
        "hbar",
        {
            "labels": [c["category"] or say.word("unknown") for c in shown],
            "values": [c["gmv"] for c in shown],
            "unit": "money",
            "notes": [
                f"{fmt_pct(c['share'])} · {say.word('mom')} {fmt_pct(c['mom'], signed=True)}"
                for c in shown
            ],
        },
    )
    top = categories[0]
    bullets = [
        say.say(
            "category_top",
            name=top["category"] or say.word("unknown"),
            share=top["share"],
            gmv=top["gmv"],
        )
    ]
    delta = ctx.report.metrics["gmv"].value - (ctx.report.metrics["gmv"].previous or 0)
    lead = _top_contributor(
        [(c["category"], c["delta_mom"], c["contribution_mom"]) for c in categories], delta
    )
    if lead:
        bullets.append(
            say.say(
                "category_contributor",
                name=lead[0] or say.word("unknown"),
                delta=lead[1],
                share=lead[2],
            )
        )
    growing = [
        c
        for c in categories
        if c["mom"] is not None and (c["share"] or 0) >= ctx.thresholds.category_mover_min_share
    ]
    if growing:
        fastest = max(growing, key=lambda c: c["mom"])
        slowest = min(growing, key=lambda c: c["mom"])
        bullets.append(say.say("category_fastest", name=fastest["category"], mom=fastest["mom"]))
        if slowest["mom"] < 0:
            bullets.append(
                say.say("category_declining", name=slowest["category"], mom=slowest["mom"])
            )
    return m.ChartSlide(
        "chart",
        say.word("category_title"),
        ctx.footnote("orders", "order_items", "products"),
        charts=[chart],
        heading=say.word("category_heading"),
        bullets=bullets[:4],
    )


def _category_table(ctx: Ctx, categories: list[dict]) -> m.TableSlide:
    say = ctx.say
    rows = [
        [
            c["category"] or say.word("unknown"),
            fmt_money(c["gmv"], ctx.symbol, ctx.lang),
            fmt_pct(c["share"]),
            fmt_pct(c["mom"], signed=True),
            fmt_pct(c["yoy"], signed=True),
            fmt_money(c["delta_mom"], ctx.symbol, ctx.lang),
            fmt_pct(c["contribution_mom"]),
            fmt_count(c["units"], ctx.lang),
        ]
        for c in categories[:12]
    ]
    return m.TableSlide(
        "table",
        say.word("category_table_title"),
        ctx.footnote("orders", "order_items", "products"),
        columns=[
            say.word(w)
            for w in (
                "col_category",
                "col_gmv",
                "col_share",
                "col_mom",
                "col_yoy",
                "col_delta",
                "col_contribution",
                "col_units",
            )
        ],
        rows=rows,
        note=say.word("category_table_note"),
    )


def _coupons(ctx: Ctx, coupons: list[dict]) -> m.ChartSlide:
    say = ctx.say
    by = {r["promoted"]: r for r in coupons}
    labels = [say.word("with_promo"), say.word("without_promo")]
    charts = [
        m.Chart(
            "donut",
            {"labels": labels, "values": [by[True]["gmv"], by[False]["gmv"]]},
            caption=say.word("promo_share_caption"),
        ),
        m.Chart(
            "bars",
            {
                "labels": labels,
                "series": {
                    say.word("order_value"): [by[True]["order_value"], by[False]["order_value"]]
                },
                "unit": "money",
            },
            caption=say.word("promo_aov_caption"),
        ),
    ]
    lift = (
        by[True]["order_value"] / by[False]["order_value"] - 1 if by[False]["order_value"] else None
    )
    bullets = [
        say.say("promo_share", share=by[True]["gmv_share"], orders=by[True]["orders"]),
        say.say(
            "promo_aov",
            with_value=by[True]["order_value"],
            without=by[False]["order_value"],
            lift=lift,
        ),
    ]
    if by[True]["discount"]:
        bullets.append(
            say.say(
                "promo_discount",
                discount=by[True]["discount"],
                rate=by[True]["discount"] / (by[True]["gmv"] + by[True]["discount"]),
            )
        )
    return m.ChartSlide(
        "chart", say.word("promo_title"), ctx.footnote("orders"), charts=charts, bullets=bullets
    )


def _regions(ctx: Ctx, provinces: list[dict]) -> m.ChartSlide:
    say = ctx.say
    top = provinces[:10]
    charts = [
        m.Chart(
            "hbar",
            {
                "labels": [p["province"] or say.word("unknown") for p in top],
                "values": [p["gmv"] for p in top],
                "unit": "money",
                "notes": [fmt_pct(p["share"]) for p in top],
            },
            caption=say.word("province_caption"),
        )
    ]
    tiers = ctx.rows(S.BY_CITY_TIER)
    if (
        sum(t["share"] or 0 for t in tiers if t["tier"] == "其他")
        > ctx.thresholds.unknown_tier_max_share
    ):
        tiers = []  # cities the tier list does not know (a shop outside China): no tier view
    if tiers:
        charts.append(
            m.Chart(
                "donut",
                {
                    "labels": [
                        say.word(f"tier_{t['tier']}") if ctx.lang == "en" else t["tier"]
                        for t in tiers
                    ],
                    "values": [t["gmv"] for t in tiers],
                },
                caption=say.word("tier_caption"),
            )
        )
    top3 = sum(p["share"] for p in provinces[:3])
    names = say.word("list_sep").join(p["province"] or say.word("unknown") for p in provinces[:3])
    bullets = [say.say("region_top", names=names, share=top3)]
    movers = [
        p
        for p in provinces
        if p["mom"] is not None
        and (p["share"] or 0) >= ctx.thresholds.region_mover_min_share
        and p["province"]
    ]
    if movers:
        fastest = max(movers, key=lambda p: p["mom"])
        bullets.append(say.say("region_fastest", name=fastest["province"], mom=fastest["mom"]))
    if tiers:
        best = max(tiers, key=lambda t: t["share"])
        bullets.append(
            say.say(
                "tier_top",
                name=best["tier"] if ctx.lang != "en" else say.word(f"tier_{best['tier']}"),
                share=best["share"],
            )
        )
    return m.ChartSlide(
        "chart", say.word("region_title"), ctx.footnote("orders"), charts=charts, bullets=bullets
    )


# --- 04 goods ---------------------------------------------------------------------------------
def goods(ctx: Ctx) -> list[m.Slide]:
    """Top products with lifecycle stage; stock, cover, stockouts, slow movers, reorders."""
    say = ctx.say
    slides: list[m.Slide] = []
    products = ctx.rows(S.PRODUCTS)
    if products:
        rows = [
            [
                str(p["rank"]),
                p["name"] or p["sku"],
                p["category"] or "—",
                fmt_money(p["gmv"], ctx.symbol, ctx.lang),
                fmt_pct(p["share"]),
                fmt_count(p["units"], ctx.lang),
                fmt_pct(p["growth"], signed=True),
                say.word(f"stage_{p['stage']}"),
            ]
            for p in products[:12]
        ]
        stages = {r["stage"]: r for r in ctx.rows(S.LIFECYCLE)}
        note = say.say(
            "lifecycle_note",
            **{s: stages.get(s, {}).get("skus", 0) for s in STAGES},
            new_share=_stage_share(stages, "new"),
            declining_share=_stage_share(stages, "declining"),
        )
        slides.append(
            m.TableSlide(
                "table",
                say.word("products_title"),
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
                        "col_growth3",
                        "col_stage",
                    )
                ],
                rows=rows,
                note=note,
            )
        )
    if ctx.available("stock_value"):
        slides.append(
            m.KpiCards(
                "kpis",
                say.word("stock_title"),
                ctx.footnote("inventory", "products", "order_items"),
                cards=kpi_cards(ctx, KPI_GOODS),
                summary=say.say(
                    "stock_summary",
                    value=ctx.value("stock_value"),
                    days=ctx.value("turnover_days"),
                    cover=ctx.value("days_of_cover"),
                    stockouts=ctx.value("stockout_skus"),
                    slow=ctx.value("slow_movers"),
                ),
            )
        )
        cover = [c for c in ctx.rows(S.INVENTORY_BY_CATEGORY) if c["days_of_cover"] is not None]
        if cover:
            slides.append(_cover(ctx, cover))
        exceptions = _exceptions(ctx)
        if exceptions:
            slides.append(exceptions)
        reorder = ctx.rows(S.REORDER)
        if reorder:
            rows = [
                [
                    r["name"] or r["sku"],
                    r["sku"],
                    fmt_count(r["on_hand"], ctx.lang),
                    f"{r['velocity']:.1f}",
                    f"{r['days_of_cover']:.0f}" if r["days_of_cover"] is not None else "—",
                    f"{r['lead_time']:.0f}",
                    fmt_count(r["reorder_qty"], ctx.lang),
                ]
                for r in reorder[:12]
            ]
            slides.append(
                m.TableSlide(
                    "table",
                    say.word("reorder_title"),
                    ctx.footnote("inventory", "order_items", "products"),
                    columns=[
                        say.word(w)
                        for w in (
                            "col_product",
                            "col_sku",
                            "col_on_hand",
                            "col_velocity",
                            "col_cover",
                            "col_lead",
                            "col_reorder",
                        )
                    ],
                    rows=rows,
                    note=say.say(
                        "reorder_note",
                        skus=ctx.value("reorder_skus"),
                        units=ctx.value("reorder_qty"),
                        z=ctx.config.metrics.safety_z,
                        review=ctx.config.metrics.review_days,
                    ),
                )
            )
    return slides


def _stage_share(stages: dict, stage: str) -> float | None:
    total = sum(s["gmv"] for s in stages.values())
    return stages[stage]["gmv"] / total if stage in stages and total else None


def _cover(ctx: Ctx, cover: list[dict]) -> m.ChartSlide:
    say = ctx.say
    cover = sorted(cover, key=lambda c: c["days_of_cover"])
    lead = ctx.config.metrics.lead_time_days + ctx.config.metrics.review_days
    chart = m.Chart(
        "hbar",
        {
            "labels": [c["category"] or say.word("unknown") for c in cover],
            "values": [c["days_of_cover"] for c in cover],
            "unit": "days",
            "notes": [fmt_money(c["stock_value"], ctx.symbol, ctx.lang) for c in cover],
            "reference": lead,
            "reference_label": say.word("lead_reference"),
            "color": "secondary",
        },
    )
    short = [c for c in cover if c["days_of_cover"] < lead]
    long = [c for c in cover if c["days_of_cover"] > ctx.thresholds.cover_long_days]
    bullets = [
        say.say("cover_total", days=ctx.value("days_of_cover"), value=ctx.value("stock_value"))
    ]
    if short:
        bullets.append(
            say.say(
                "cover_short",
                names=say.word("list_sep").join(c["category"] for c in short[:3]),
                lead=lead,
            )
        )
    if long:
        bullets.append(
            say.say("cover_long", names=say.word("list_sep").join(c["category"] for c in long[:3]))
        )
    return m.ChartSlide(
        "chart",
        say.word("cover_title"),
        ctx.footnote("inventory", "order_items", "products"),
        charts=[chart],
        heading=say.word("cover_heading"),
        bullets=bullets,
    )


def _exceptions(ctx: Ctx) -> m.TableSlide | None:
    say = ctx.say
    rows: list[list[str]] = []
    highlight: list[int] = []
    for s in ctx.rows(S.STOCKOUTS)[:6]:
        highlight.append(len(rows))
        rows.append(
            [
                say.word("stockout"),
                s["name"] or s["sku"],
                s["category"] or "—",
                fmt_count(s["on_hand"], ctx.lang),
                fmt_money(s["gmv"], ctx.symbol, ctx.lang),
                f"{s['lead_time']:.0f}",
                fmt_count(s["reorder_qty"], ctx.lang),
            ]
        )
    for s in ctx.rows(S.SLOW_MOVERS)[:6]:
        rows.append(
            [
                say.word("slow_mover"),
                s["name"] or s["sku"],
                s["category"] or "—",
                fmt_count(s["on_hand"], ctx.lang),
                fmt_money(s["stock_value"], ctx.symbol, ctx.lang),
                say.say("days_since", days=s["days_since_sale"]),
                "—",
            ]
        )
    if not rows:
        return None
    return m.TableSlide(
        "table",
        say.word("exceptions_title"),
        ctx.footnote("inventory", "order_items", "products"),
        columns=[
            say.word(w)
            for w in (
                "col_type",
                "col_product",
                "col_category",
                "col_on_hand",
                "col_value",
                "col_lead_or_idle",
                "col_reorder",
            )
        ],
        rows=rows,
        highlight=highlight,
        note=say.say(
            "exceptions_note",
            stockouts=ctx.value("stockout_skus"),
            slow=ctx.value("slow_movers"),
            days=ctx.config.metrics.slow_mover_days,
        ),
    )


# --- 05 service -------------------------------------------------------------------------------
def service(ctx: Ctx) -> list[m.Slide]:
    """Service KPIs, response times, refunds by reason and category, ratings and the words of
    bad reviews."""
    say = ctx.say
    slides: list[m.Slide] = []
    cards = kpi_cards(ctx, KPI_SERVICE)
    if cards:
        slides.append(
            m.KpiCards(
                "kpis", say.word("service_title"), ctx.footnote("service", "reviews"), cards=cards
            )
        )
    bands = ctx.rows(S.RESPONSE_TIMES)
    ratings = ctx.rows(S.RATINGS)
    charts, bullets = [], []
    if bands:
        labels = list(dict.fromkeys(b["band"] for b in bands))
        parts: dict[str, list[float]] = {}
        for b in bands:
            parts.setdefault(say.word(f"handler_{b['handled_by']}"), [0.0] * len(labels))[
                labels.index(b["band"])
            ] += b["sessions"]
        charts.append(
            m.Chart(
                "stacked", {"labels": labels, "parts": parts}, caption=say.word("response_caption")
            )
        )
        bullets.append(
            say.say(
                "response_line",
                mean=ctx.value("first_response_s"),
                p90=ctx.value("first_response_p90_s"),
                bot=ctx.value("bot_share"),
            )
        )
        slow = [f for f in ctx.findings if f.rule == "slow_response"]
        if slow:
            bullets.append(say.say("response_slow", threshold=slow[0].evidence["threshold"]))
    if ratings and any(r["reviews"] for r in ratings):
        charts.append(
            m.Chart(
                "bars",
                {
                    "labels": [f"{r['rating']}★" for r in ratings],
                    "series": {say.word("reviews"): [r["reviews"] for r in ratings]},
                    "unit": "count",
                },
                caption=say.word("rating_caption"),
            )
        )
        bullets.append(
            say.say(
                "rating_line",
                avg=ctx.value("avg_rating"),
                bad=ctx.value("bad_review_rate"),
                delta=rate_delta(ctx.report.metrics["bad_review_rate"]),
            )
        )
    if charts:
        slides.append(
            m.ChartSlide(
                "chart",
                say.word("response_title"),
                ctx.footnote("service", "reviews"),
                charts=charts,
                bullets=bullets,
            )
        )
    reasons = ctx.rows(S.REFUNDS_BY_REASON)
    if len(reasons) >= 2:  # one reason (e.g. every refund a cancellation) needs no chart
        slides.append(_refunds(ctx, reasons))
    words = ctx.rows(S.BAD_REVIEW_WORDS)
    if (
        words
        and words[0]["reviews"] / words[0]["share"] >= ctx.thresholds.bad_review_words_min_reviews
    ):
        slides.append(_review_words(ctx, words))
    return slides


def _refunds(ctx: Ctx, reasons: list[dict]) -> m.ChartSlide:
    say = ctx.say
    charts = [
        m.Chart(
            "hbar",
            {
                "labels": [r["reason"] or say.word("unknown") for r in reasons[:8]],
                "values": [r["amount"] for r in reasons[:8]],
                "unit": "money",
                "notes": [fmt_pct(r["share"]) for r in reasons[:8]],
            },
            caption=say.word("reason_caption"),
        )
    ]
    categories = ctx.rows(S.REFUNDS_BY_CATEGORY)
    if len(categories) >= 2:
        charts.append(
            m.Chart(
                "hbar",
                {
                    "labels": [c["category"] or say.word("unknown") for c in categories[:8]],
                    "values": [c["amount"] for c in categories[:8]],
                    "unit": "money",
                    "notes": [fmt_pct(c["share"]) for c in categories[:8]],
                    "color": "secondary",
                },
                caption=say.word("refund_category_caption"),
            )
        )
    bullets = [
        say.say(
            "refund_line",
            amount=ctx.value("refund_amount"),
            rate=ctx.value("refund_rate"),
            delta=rate_delta(ctx.report.metrics["refund_rate"]),
        ),
        say.say("refund_reason", name=reasons[0]["reason"], share=reasons[0]["share"]),
    ]
    for f in [f for f in ctx.findings if f.rule == "refund_rise"][:2]:
        bullets.append(
            say.say(
                "refund_rise",
                name=f.subject,
                rate=f.evidence["rate"],
                rise=f.evidence["rise"],
                reason=f.evidence["reason"],
                reason_share=f.evidence["reason_share"],
            )
        )
    return m.ChartSlide(
        "chart",
        say.word("refund_title"),
        ctx.footnote("refunds", "products"),
        charts=charts,
        bullets=bullets[:4],
    )


def _review_words(ctx: Ctx, words: list[dict]) -> m.ChartSlide:
    say = ctx.say
    shown = words[:10]
    chart = m.Chart(
        "hbar",
        {
            "labels": [w["word"] for w in shown],
            "values": [w["reviews"] for w in shown],
            "unit": "count",
            "notes": [fmt_pct(w["share"]) for w in shown],
            "color": "accent",
        },
    )
    bullets = [
        say.say(
            "words_top",
            words=say.word("list_sep").join(w["word"] for w in words[:3]),
            share=words[0]["share"],
        )
    ]
    skus = ctx.rows(S.REVIEWS_BY_SKU)
    if skus and skus[0]["bad"]:
        top = skus[0]
        bullets.append(
            say.say(
                "words_sku",
                name=top["name"] or top["sku"],
                bad=top["bad"],
                rate=top["bad_rate"],
                share=top["bad_share"],
            )
        )
    return m.ChartSlide(
        "chart",
        say.word("words_title"),
        ctx.footnote("reviews", "products"),
        charts=[chart],
        heading=say.word("words_heading"),
        bullets=bullets,
    )


# --- 06 plan ----------------------------------------------------------------------------------
def plan(ctx: Ctx) -> list[m.Slide]:
    """Next month's targets, the month's problems ranked by impact with actions, own plan items."""
    say = ctx.say
    slides: list[m.Slide] = []
    targets = next_targets(ctx.report, ctx.config)
    if targets:
        rows = [
            [
                ctx.label(t.metric),
                ctx.fmt(t.metric, t.actual) if t.actual is not None else "—",
                ctx.fmt(t.metric, t.target),
                fmt_pct(t.change, signed=True) if t.change is not None else "—",
                say.word(f"source_{t.source}"),
            ]
            for t in targets
        ]
        proposed = any(t.source == "proposed" for t in targets)
        nxt = ctx.report.period.shift_months(1)
        slides.append(
            m.TableSlide(
                "table",
                say.say("targets_next_title", year=nxt.start.year, month=nxt.start.month),
                ctx.footnote("orders", "traffic", "refunds"),
                columns=[
                    say.word(w)
                    for w in (
                        "col_metric",
                        "col_actual",
                        "col_target",
                        "col_change",
                        "col_target_source",
                    )
                ],
                rows=rows,
                note=say.word("proposed_note") if proposed else "",
            )
        )
    if ctx.findings:
        top = ctx.findings[:4]
        cards = [
            m.Card(
                say.say(f"finding_{f.rule}_title", subject=f.subject),
                say.say(f"finding_{f.rule}", subject=f.subject, impact=f.impact, **f.evidence)
                + " "
                + say.say(f"action_{f.rule}", subject=f.subject, **f.evidence),
            )
            for f in top
        ]
        slides.append(
            m.NumberedCards(
                "cards",
                say.word("issues_title"),
                ctx.footnote("orders", "traffic", "inventory", "service", "reviews"),
                cards=cards,
            )
        )
        if len(ctx.findings) > 1:
            rows = [
                [
                    str(i + 1),
                    say.say(f"finding_{f.rule}_title", subject=f.subject),
                    say.word(f"impact_{f.impact_kind}")
                    + " "
                    + fmt_money(f.impact, ctx.symbol, ctx.lang)
                    if f.impact >= 0.5
                    else "—",
                    say.say(f"action_{f.rule}_short", subject=f.subject, **f.evidence),
                ]
                for i, f in enumerate(ctx.findings[:10])
            ]
            slides.append(
                m.TableSlide(
                    "table",
                    say.word("issues_table_title"),
                    ctx.footnote("orders"),
                    columns=[
                        say.word(w) for w in ("col_rank", "col_issue", "col_impact", "col_action")
                    ],
                    rows=rows,
                    align=["center", "left", "right", "left"],
                    note=say.word("impact_note"),
                )
            )
    items = ctx.config.plans.get(ctx.report.period.label, [])
    for start in range(0, len(items), 4):
        chunk = items[start : start + 4]
        slides.append(
            m.NumberedCards(
                "cards",
                say.word("own_plan_title"),
                say.say("own_plan_footnote"),
                cards=[person_card(text) for text in chunk],
            )
        )
    return slides


def _parse(config: Config, text: str, today: date) -> Period:
    """'2026-10' or 'previous'."""
    return parse_month(text, config.timezone, today)


KIND: DeckKind[Period, KpiReport] = DeckKind(
    name="monthly",
    file_words={"zh-CN": "月度总结", "en": "monthly_report"},
    parse=_parse,
    label=lambda period: period.label,
    window=lambda config, period: period,
    compute=lambda ds, period, today: compute_kpis(ds, period, today),
    report=lambda report: report,
    diagnose=lambda report, config: find_problems(report, config.thresholds),
    title_values=lambda period, report: {"year": period.start.year, "month": period.start.month},
    sections=[
        Section("overview", overview),
        Section(
            "traffic",
            traffic,
            lambda ctx: (
                None
                if ctx.has("traffic") or ctx.has("events") or ctx.has("marketing")
                else "needs_traffic"
            ),
        ),
        Section(
            "sales",
            sales,
            lambda ctx: (
                None if ctx.has("order_items") or ctx.rows(S.BY_PROVINCE) else "needs_items"
            ),
        ),
        Section(
            "goods",
            goods,
            lambda ctx: None if ctx.has("order_items", "products") else "needs_goods",
        ),
        Section(
            "service",
            service,
            lambda ctx: (
                None
                if ctx.has("service") or ctx.has("reviews") or ctx.has("refunds")
                else "needs_service"
            ),
        ),
        Section("plan", plan),
    ],
)
