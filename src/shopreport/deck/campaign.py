"""The campaign retrospective (天猫活动复盘总结报告, source deck 003): six sections built from a
CampaignReport; comparisons aligned by phase day with the comparison campaign, and against
the baseline of the weeks before."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from shopreport.config import Config, in_language
from shopreport.deck import model as m
from shopreport.deck.blocks import funnel_slide, money_column, person_cards, problem_slides
from shopreport.deck.context import DeckContext, change
from shopreport.deck.sections import DeckKind, Section
from shopreport.errors import ConfigError, did_you_mean
from shopreport.fmt import fmt_pct, product_label
from shopreport.insights.diagnosis import find_campaign_problems, finding_tables
from shopreport.metrics import schema as S
from shopreport.metrics.campaign import CampaignReport, compute_campaign, window_of
from shopreport.vocab.metrics import METRICS, RETURNING

Ctx = DeckContext[CampaignReport]

KPIS = [
    "gmv",
    "buyers",
    "paid_orders",
    "aov",
    "visitors",
    "conversion",
    "new_buyers",
    "refund_rate",
]

PULL_SHARE = 0.3
"""Of a threshold coupon's orders, the share just above it (within 15%) that says the threshold
pulls baskets up; under `LITTLE_PULL` it pulls little."""
LITTLE_PULL = 0.1


def _foot(ctx: Ctx, *tables: str) -> str:
    """Footnote: sources, the window, and what it is compared with."""
    c, say = ctx.data, ctx.say
    window = c.window.period
    text = say.say(
        "campaign_footnote",
        platform=say.word(f"platform_{ctx.config.platform}"),
        tables=ctx.tables_line(*tables),
        start=window.start.isoformat(),
        end=window.last_day.isoformat(),
        baseline=c.baseline.label,
    )
    if c.comparison:
        text += " | " + say.say("campaign_footnote_cmp", name=c.comparison.name)
    return text


def _kpi(ctx: Ctx, metric: str) -> m.Kpi:
    """A KPI card: value, change against the comparison campaign and against the baseline's daily
    level."""
    c, say = ctx.data, ctx.say
    if metric == "refund_rate" and (own := _own_refunds(ctx)) is not None:
        return own
    value = c.report.metrics[metric].value
    changes = []
    if c.compared is not None:
        before = c.compared.metrics[metric].value
        if metric in RETURNING and c.compared.short_history:
            before = None  # less than a year of data before it: its "new" buyers overcounted
        changes.append(
            _change(say.say("vs_campaign", name=c.comparison.name), value, before, metric, ctx.lang)
        )
    kpi = ctx.kpi(metric)
    per_day = _per_day(value, metric, c.window.period.days)
    base_per_day = _per_day(c.base.metrics[metric].value, metric, c.baseline.days)
    kpi.changes = [
        *changes,
        _change(say.word("vs_baseline"), per_day, base_per_day, metric, ctx.lang),
    ]
    return kpi


def _own_refunds(ctx: Ctx) -> m.Kpi | None:
    """The refund-rate card of the window's own orders against the baseline's and the
    comparison campaign's own (`_order_refunds`), None without them."""
    c, say = ctx.data, ctx.say
    rates = {k: v["rate"] for k, v in c.facts["order_refunds"].items()}
    rate = rates.get("window")
    if rate is None:
        return None
    changes = []
    if c.comparison is not None:
        label = say.say("vs_campaign", name=c.comparison.name)
        changes.append(_change(label, rate, rates.get("compared"), "refund_rate", ctx.lang))
    changes.append(
        _change(say.word("vs_baseline"), rate, rates.get("baseline"), "refund_rate", ctx.lang)
    )
    kpi = ctx.kpi("refund_rate", replace(c.report.metrics["refund_rate"], value=rate))
    kpi.label, kpi.changes = say.word("card_own_refund_rate"), changes
    if "window" in c.facts["order_refunds"]:  # defined in the appendix, not in a 6.5 pt footer
        days = c.facts["order_refunds"]["window"]["days"]
        ctx.defined[kpi.label] = say.say("own_refunds_definition", days=days)
    return kpi


SUMMED = {"gmv", "buyers", "paid_orders", "visitors", "new_buyers", "refund_amount", "units"}


def _per_day(value, metric: str, days: int):
    """Totals per day (so a 25-day window compares with a 28-day baseline); rates as they are."""
    if value is None:
        return None
    return value / days if metric in SUMMED else value


def _change(
    label: str, now: float | None, before: float | None, metric: str, language: str
) -> m.Change:
    """A change against a comparison: relative for amounts, points for rates."""
    if now is None or before in (None, 0):
        return change(label, metric, None, language)
    delta = now - before if METRICS[metric].unit == "ratio" else now / before - 1
    return change(label, metric, delta, language)


# --- 01 overview --------------------------------------------------------------------------------
def overview(ctx: Ctx) -> list[m.Slide]:
    """The window, its phases and the KPIs against target, comparison and baseline."""
    c, say = ctx.data, ctx.say
    phases = c.rows(S.PHASES)
    gmvs = money_column(ctx, [p["gmv"] for p in phases])
    daily = money_column(ctx, [p["daily_gmv"] for p in phases])
    cmps = money_column(ctx, [p["cmp_gmv"] for p in phases])
    rows = [
        [
            p["phase"],
            f"{p['start']:%m-%d} ~ {p['start'] + timedelta(days=p['days'] - 1):%m-%d}",
            str(p["days"]),
            gmv_s,
            daily_s,
            cmp_s,
            fmt_pct(p["gmv"] / p["cmp_gmv"] - 1, signed=True) if p["cmp_gmv"] else "—",
        ]
        for p, gmv_s, daily_s, cmp_s in zip(phases, gmvs, daily, cmps, strict=True)
    ]
    gmv = c.report.metrics["gmv"]
    base_gmv = c.base.metrics["gmv"].value
    side = [
        say.say(
            "scope_window",
            name=c.window.name,
            days=c.window.period.days,
            phases=len(c.window.phases),
            peak=c.window.peak,
        ),
        *(
            [say.say("scope_target", target=gmv.target, gmv=gmv.value, att=gmv.attainment)]
            if gmv.target
            else []
        ),
        *([say.say("scope_comparison", comparison=c.comparison.name)] if c.comparison else []),
        say.say(
            "scope_baseline",
            weeks=c.baseline.days // 7,
            start=c.baseline.start,
            end=c.baseline.last_day,
            daily=base_gmv / c.baseline.days if base_gmv is not None else None,
        ),
    ]
    columns = [
        "col_phase",
        "col_dates",
        "col_days",
        "col_gmv",
        "col_daily_gmv",
        "col_cmp_gmv",
        "col_vs_cmp",
    ]
    if not c.comparison:  # nothing to compare with: no empty columns
        columns, rows = columns[:-2], [r[:-2] for r in rows]
    slides: list[m.Slide] = [
        m.TableSlide(
            "table",
            say.word("campaign_window_title"),
            _foot(ctx, "orders"),
            columns=[_column(ctx, w) for w in columns],
            rows=rows,
            side_heading=say.word("scope_heading"),
            side=side,
        )
    ]
    cards = [_kpi(ctx, mid) for mid in KPIS if ctx.available(mid)][:8]
    slides.append(
        m.KpiCards(
            "kpis",
            say.word("campaign_kpi_title"),
            _foot(ctx, "orders", "traffic", "refunds"),
            cards=cards,
            summary=say.say(
                "campaign_summary",
                gmv=gmv.value,
                att=gmv.attainment,
                target=gmv.target,
                cmp_name=c.comparison.name if c.comparison else "",
                cmp=(gmv.value / c.compared.metrics["gmv"].value - 1)
                if c.compared and c.compared.metrics["gmv"].value
                else None,
                lift=(gmv.value / c.window.period.days) / c.facts["baseline_daily_gmv"]
                if c.facts["baseline_daily_gmv"] and gmv.value is not None
                else None,
            ),
        )
    )
    return slides


def _column(ctx: Ctx, key: str) -> str:
    """A column header; the comparison's named ("较2024年双11", not "较对比活动")."""
    c = ctx.data.comparison
    if c is not None and key in ("col_vs_cmp", "col_cmp_gmv"):
        return ctx.say.say(f"{key}_named", name=c.name)
    return ctx.say.word(key)


# --- 02 results ---------------------------------------------------------------------------------
def results(ctx: Ctx) -> list[m.Slide]:
    """GMV by phase, by aligned day and peak hour; categories; sources; new buyers and after."""
    c, say = ctx.data, ctx.say
    phases = c.rows(S.PHASES)
    series = {c.window.name: [p["gmv"] for p in phases]}
    if c.comparison:
        series[c.comparison.name] = [p["cmp_gmv"] or 0 for p in phases]
    daily = c.rows(S.PHASE_DAYS)
    charts = [
        m.Chart(
            "bars",
            {"labels": [p["phase"] for p in phases], "series": series, "unit": "money"},
            caption=say.word("phase_caption"),
        ),
        m.Chart(
            "daily_trend",
            {
                "gmv": [d["gmv"] for d in daily],
                "previous_gmv": [d["cmp_gmv"] for d in daily],
                "last_year_gmv": [None] * len(daily),
                "labels": {
                    "this": c.window.name,
                    "previous": c.comparison.name if c.comparison else "",
                },
                "x_label": say.word("phase_day_axis"),
                "x_ticks": [
                    say.say(
                        "phase_day_tick",
                        phase=phases[d["phase_index"]]["phase"],
                        day=d["phase_day"] + 1,
                        # "10.20" as 11.11 is written: LibreOffice wraps a narrow "10-20" after
                        # its hyphen (and after "/"), never inside a number
                        date=f"{d['date']:%m.%d}",
                    )
                    for d in daily
                ],
            },
            caption=say.word("aligned_caption"),
        ),
    ]
    peak = max(phases, key=lambda p: p["gmv"])
    bullets = [
        say.say(
            "phase_peak",
            phase=peak["phase"],
            share=peak["gmv"] / sum(p["gmv"] for p in phases),
            daily=peak["daily_gmv"],
            lift=peak["daily_gmv"] / c.facts["baseline_daily_gmv"]
            if c.facts["baseline_daily_gmv"]
            else None,
        )
    ]
    gmv = c.report.metrics["gmv"]
    if gmv.target:
        bullets.append(
            say.say("campaign_target", gmv=gmv.value, target=gmv.target, att=gmv.attainment)
        )
    slides: list[m.Slide] = [
        m.ChartSlide(
            "chart",
            say.word("phase_title"),
            _foot(ctx, "orders"),  # its comparison "(按阶段日对齐)" says how days are aligned
            charts=charts,
            bullets=bullets,
        )
    ]
    hours = c.rows(S.HOURS)
    if hours and any(h["gmv"] for h in hours):
        hour_series = {c.window.name: [h["gmv"] for h in hours]}
        if c.comparison:
            hour_series[c.comparison.name] = [h["cmp_gmv"] or 0 for h in hours]
        top = max(hours, key=lambda h: h["gmv"])
        night = sum(h["gmv"] for h in hours if h["hour"] < 2) / (sum(h["gmv"] for h in hours) or 1)
        slides.append(
            m.ChartSlide(
                "chart",
                say.say("hour_title", phase=c.window.peak),
                _foot(ctx, "orders"),
                charts=[
                    m.Chart(
                        "bars",
                        {
                            "labels": [f"{int(h['hour'])}" for h in hours],
                            "series": hour_series,
                            "unit": "money",
                            "labels_on": False,
                        },
                    )
                ],
                heading=say.word("hour_heading"),
                bullets=[
                    say.say("hour_top", hour=int(top["hour"]), gmv=top["gmv"]),
                    say.say("hour_night", share=night),
                ],
            )
        )
    categories = [r for r in c.rows(S.LIFT_CATEGORIES) if r["gmv"]]
    if len(categories) >= 2:
        shown = categories[:10]
        versus = _column(ctx, "col_vs_cmp")
        notes = [
            say.say("lift_note", lift=r["lift"])
            + (
                f" · {versus} {fmt_pct(r['gmv'] / r['cmp_gmv'] - 1, signed=True)}"
                if r["cmp_gmv"]
                else ""
            )
            for r in shown
        ]
        best = _tied_first(
            [
                r
                for r in categories
                if r["lift"] and (r["share"] or 0) >= ctx.thresholds.lift_min_share
            ]
        )
        bullets = [
            say.say(
                "category_top",
                name=categories[0]["category"] or say.word("unknown"),
                share=categories[0]["share"],
                gmv=categories[0]["gmv"],
            )
        ]
        if best:
            names = [r["category"] or say.word("unknown") for r in best]
            bullets.append(say.say("category_lift", names=names, lift=best[0]["lift"]))
        slides.append(
            m.ChartSlide(
                "chart",
                say.word("campaign_category_title"),
                _foot(ctx, "orders", "order_items", "products"),
                charts=[
                    m.Chart(
                        "hbar",
                        {
                            "labels": [r["category"] or say.word("unknown") for r in shown],
                            "values": [r["gmv"] for r in shown],
                            "unit": "money",
                            "notes": notes,
                        },
                    )
                ],
                heading=say.word("campaign_category_heading"),
                bullets=bullets,
            )
        )
    channels = c.rows(S.CHANNEL_LIFT)
    if channels:
        daily = money_column(ctx, [r["daily_gmv"] for r in channels])
        base = money_column(ctx, [r["baseline_daily_gmv"] for r in channels])
        rows = [
            [
                r["source"] or say.word("unknown"),
                daily[i],
                base[i],
                say.say("lift_value", lift=r["lift"]) if r["lift"] else "—",
                fmt_pct(r["conversion"]),
                fmt_pct(r["baseline_conversion"]),
            ]
            for i, r in enumerate(channels)
        ]
        lifted = [r for r in channels if r["lift"]]
        side = [say.word("baseline_note")]
        most, least = _tied_first(lifted), _tied_first(lifted, lowest=True)
        if most and least and round(most[0]["lift"], 1) != round(least[0]["lift"], 1):

            def named(rows: list[dict]) -> list[str]:
                return [r["source"] or say.word("unknown") for r in rows]

            side = [
                say.say("channel_winner", names=named(most), lift=most[0]["lift"]),
                say.say("channel_laggard", names=named(least), lift=least[0]["lift"]),
                *side,
            ]
        slides.append(
            m.TableSlide(
                "table",
                say.word("campaign_source_title"),
                _foot(ctx, "orders", "traffic"),
                columns=[
                    say.word(w)
                    for w in (
                        "col_source",
                        "col_daily_gmv",
                        "col_baseline_daily",
                        "col_lift",
                        "col_conversion",
                        "col_baseline_conversion",
                    )
                ],
                rows=rows,
                side_heading=say.word("channel_winners_heading"),
                side=side,
            )
        )
    slides.append(_new_buyers(ctx))
    return slides


def _new_buyers(ctx: Ctx) -> m.ChartSlide:
    c, say = ctx.data, ctx.say
    nvr = {r["segment"]: r for r in c.report.rows(S.NEW_VS_RETURNING)}
    order = [k for k in ("new", "returning") if k in nvr]
    follow = c.facts["followup"]
    charts = [
        m.Chart(
            "bars",
            {
                "labels": [say.word(f"segment_{k}") for k in order],
                "series": {say.word("buyers"): [nvr[k]["buyers"] for k in order]},
                "unit": "count",
            },
            caption=say.word("nvr_caption"),
        )
    ]
    bullets = []
    if len(order) == 2:
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
    bullets.append(
        say.say(
            "followup_line",
            new=follow["new_buyers"],
            returned=follow["returned"],
            share=follow["share"],
            gmv=follow["returned_gmv"],
            days=follow["days"],
        )
    )
    return m.ChartSlide(
        "chart",
        say.word("campaign_buyers_title"),
        _foot(ctx, "orders"),
        charts=charts,
        heading=say.word("campaign_buyers_heading"),
        bullets=bullets,
    )


# --- 03 behaviour -------------------------------------------------------------------------------
def behaviour(ctx: Ctx) -> list[m.Slide]:
    """Source mix, the cart path from pre-heat to peak, new vs returning buyers' profile."""
    c, say = ctx.data, ctx.say
    slides: list[m.Slide] = []
    sources = [s for s in c.report.rows(S.BY_SOURCE) if s["visitors"]]
    if sources:
        total = sum(s["visitors"] for s in sources)
        slides.append(
            m.ChartSlide(
                "chart",
                say.word("campaign_mix_title"),
                _foot(ctx, "traffic", "orders"),
                charts=[
                    m.Chart(
                        "share_and_rate",
                        {
                            "labels": [s["source"] for s in sources],
                            "shares": [s["visitors"] / total for s in sources],
                            "rates": [s["conversion"] for s in sources],
                            "share_label": say.word("visitor_share"),
                            "rate_label": say.word("conversion"),
                        },
                    )
                ],
                heading=say.word("source_chart_caption"),
                bullets=[
                    say.say(
                        "source_biggest",
                        name=max(sources, key=lambda s: s["visitors"])["source"],
                        share=max(s["visitors"] for s in sources) / total,
                        gmv_share=max(sources, key=lambda s: s["visitors"]).get("share"),
                    )
                ],
            )
        )
    path = c.facts.get("cart_path")
    body = None
    # the warm-up's carts followed to the peak's payments: visitor by visitor from a behaviour
    # log; daily traffic counts cannot follow anyone (their ratio, "加购访客1.24万人次 … 支付买家
    # 7,763人（比值62.8%）", mixed visits with people and meant nothing)
    if path and path.get("carted") and c.facts.get("basis_cart") == "events":
        body = say.say(
            "cart_path_events",
            carted=path["carted"],
            converted=path["converted"],
            rate=path["converted"] / path["carted"],
        )
    funnel = c.report.rows(S.FUNNEL)
    if funnel:
        slide = funnel_slide(
            ctx,
            funnel,
            say.word("note_daily_uv") if not ctx.has("events") else "",
            title=say.word("campaign_funnel_title"),
        )
        if body:
            slide.bullets = [*slide.bullets[:2], body]
        # the campaign's own footnote: its window, baseline and comparison (not "环比")
        note = say.word("note_daily_uv") if not ctx.has("events") else ""
        slide.footnote = " | ".join(p for p in (_foot(ctx, "traffic", "orders"), note) if p)
        slides.append(slide)
    elif body:
        cards = [m.Card(say.word("cart_path_heading"), body)]
        slides.append(
            m.NumberedCards(
                "cards", say.word("campaign_funnel_title"), _foot(ctx, "traffic"), cards=cards
            )
        )
    profile = c.rows(S.PROFILE)
    nvr = {r["segment"]: r for r in c.report.rows(S.NEW_VS_RETURNING)}
    if profile:
        bands = sorted({p["age_band"] for p in profile if p["age_band"]})
        series = {
            say.word(f"segment_{seg}"): [
                next(
                    (p["share"] for p in profile if p["segment"] == seg and p["age_band"] == b), 0.0
                )
                for b in bands
            ]
            for seg in ("new", "returning")
        }
        bullets = []
        if len(nvr) == 2:
            bullets.append(
                say.say(
                    "profile_aov", new_aov=nvr["new"]["aov"], returning_aov=nvr["returning"]["aov"]
                )
            )
        top_new = (
            max(bands, key=lambda b: series[say.word("segment_new")][bands.index(b)])
            if bands
            else None
        )
        if top_new:
            bullets.append(
                say.say(
                    "profile_age",
                    band=top_new,
                    share=series[say.word("segment_new")][bands.index(top_new)],
                )
            )
        slides.append(
            m.ChartSlide(
                "chart",
                say.word("profile_title"),
                _foot(ctx, "orders", "customers"),
                charts=[m.Chart("bars", {"labels": bands, "series": series, "unit": "ratio"})],
                heading=say.word("profile_heading"),
                bullets=bullets,
            )
        )
    return slides


# --- 04 problems --------------------------------------------------------------------------------
def problems(ctx: Ctx) -> list[m.Slide]:
    """Stockouts during the window, coupon thresholds and AOV, service under load."""
    c, say = ctx.data, ctx.say
    slides: list[m.Slide] = []
    stockouts = c.rows(S.WINDOW_STOCKOUTS)
    if stockouts:
        shown = stockouts[:10]
        daily = money_column(ctx, [s["baseline_daily"] for s in shown])
        lost = money_column(ctx, [s["lost"] for s in shown])
        rows = [
            [product_label(s), s["category"] or "—", str(s["days_out"]), d, lo]
            for s, d, lo in zip(shown, daily, lost, strict=True)
        ]
        slides.append(
            m.TableSlide(
                "table",
                say.word("campaign_stockout_title"),
                _foot(ctx, "inventory", "order_items"),
                columns=[
                    say.word(w)
                    for w in (
                        "col_product",
                        "col_category",
                        "col_days_out",
                        "col_baseline_daily",
                        "col_lost",
                    )
                ],
                rows=rows,
                note=say.say(
                    "stockout_note", total=sum(s["lost"] for s in stockouts), count=len(stockouts)
                ),
            )
        )
    coupons = c.rows(S.THRESHOLDS)
    promo = {r["promoted"]: r for r in c.report.rows(S.COUPONS)}
    if coupons:

        def near(orders: int | None, count: int | None) -> float | None:
            return count / orders if orders and count is not None else None

        series = {c.window.name: [near(t["orders"], t["near"]) or 0 for t in coupons]}
        if any(t["baseline_orders"] for t in coupons):  # how baskets sat before the campaign
            series[say.word("baseline_level")] = [
                near(t["baseline_orders"], t["baseline_near"]) or 0 for t in coupons
            ]
        charts = [
            m.Chart(
                "bars",
                {
                    "labels": [say.say("threshold_label", value=t["threshold"]) for t in coupons],
                    "series": series,
                    "unit": "ratio",
                },
                caption=say.word("threshold_caption"),
            )
        ]
        top = max(coupons, key=lambda t: near(t["orders"], t["near"]) or 0)
        share = near(top["orders"], top["near"]) or 0
        before = near(top["baseline_orders"], top["baseline_near"])
        # a pull only when many baskets stop just above it, more than before the campaign
        pull = (
            "no"
            if share < LITTLE_PULL or (before is not None and share <= before)
            else "yes"
            if share >= PULL_SHARE
            else None
        )
        bullets = [
            say.say(
                "threshold_line",
                threshold=top["threshold"],
                orders=top["orders"],
                share=share,
                before=before,
                pull=pull,
            )
        ]
        if True in promo and False in promo:
            charts.append(
                m.Chart(
                    "bars",
                    {
                        "labels": [say.word("with_promo"), say.word("without_promo")],
                        "series": {
                            say.word("order_value"): [
                                promo[True]["order_value"],
                                promo[False]["order_value"],
                            ]
                        },
                        "unit": "money",
                    },
                    caption=say.word("promo_aov_caption"),
                )
            )
            bullets.append(
                say.say(
                    "promo_aov",
                    with_value=promo[True]["order_value"],
                    without=promo[False]["order_value"],
                    lift=promo[True]["order_value"] / promo[False]["order_value"] - 1
                    if promo[False]["order_value"]
                    else None,
                )
            )
        slides.append(
            m.ChartSlide(
                "chart",
                say.word("coupon_title"),
                _foot(ctx, "orders"),
                charts=charts,
                bullets=bullets,
            )
        )
    service = c.rows(S.SERVICE_DAYS)
    days = [s for s in service if s["date"] is not None]
    base = next((s for s in service if s["date"] is None), None)
    if days and base:
        worst = max(days, key=lambda s: s["first_response_s"] or 0)
        slides.append(
            m.ChartSlide(
                "chart",
                say.word("load_title"),
                _foot(ctx, "service"),
                charts=[
                    m.Chart(
                        "daily_trend",
                        {
                            "gmv": [s["first_response_s"] for s in days],
                            "previous_gmv": [base["first_response_s"]] * len(days),
                            "last_year_gmv": [None] * len(days),
                            "unit": "seconds",
                            "labels": {
                                "this": say.word("first_response"),
                                "previous": say.word("baseline_level"),
                            },
                            "x_label": say.word("window_day_axis"),
                            "x_ticks": [
                                say.say("window_day_tick", day=i + 1, date=f"{s['date']:%m.%d}")
                                for i, s in enumerate(days)
                            ],
                        },
                    )
                ],
                heading=say.word("load_heading"),
                bullets=[
                    say.say(
                        "load_worst",
                        date=f"{worst['date']:%m-%d}",
                        value=worst["first_response_s"],
                        base=base["first_response_s"],
                        sessions=worst["sessions"],
                        base_sessions=base["sessions"],
                    ),
                    say.say(
                        "load_satisfaction",
                        now=c.report.metrics["satisfaction_rate"].value,
                        base=base["satisfaction_rate"],
                    ),
                ],
            )
        )
    return slides


# --- 05 what worked -----------------------------------------------------------------------------
def successes(ctx: Ctx) -> list[m.Slide]:
    """Products and channels that beat their baseline most; the team's own lessons."""
    c, say = ctx.data, ctx.say
    slides: list[m.Slide] = []
    total = sum(x["gmv"] for x in c.rows(S.LIFT_PRODUCTS))
    products = [
        p
        for p in c.rows(S.LIFT_PRODUCTS)
        if p["lift"] and p["gmv"] >= ctx.thresholds.winner_min_share * total
    ]
    # a product whose bad reviews make it a problem is no success to repeat ("2.1×" here, "stop
    # selling; inspect the batch" on the problems slide)
    faulty = {f.subject for f in ctx.findings if f.rule == "faulty_product"}
    left_out = [product_label(p) for p in products if product_label(p) in faulty]
    products = [p for p in products if product_label(p) not in faulty]
    if products:
        top = sorted(products, key=lambda p: -(p["lift"] or 0))[:10]
        gmv = money_column(ctx, [p["gmv"] for p in top])
        base = money_column(ctx, [p["baseline_same_days"] for p in top])
        rows = [
            [
                product_label(p),
                p["category"] or "—",
                gmv[i],
                base[i],
                say.say("lift_value", lift=p["lift"]),
                fmt_pct(p["gmv"] / p["cmp_gmv"] - 1, signed=True) if p["cmp_gmv"] else "—",
            ]
            for i, p in enumerate(top)
        ]
        columns = [
            "col_product",
            "col_category",
            "col_gmv",
            "col_baseline_same_days",
            "col_lift",
            "col_vs_cmp",
        ]
        if not c.comparison:
            columns, rows = columns[:-1], [r[:-1] for r in rows]
        slides.append(
            m.TableSlide(
                "table",
                say.word("winners_title"),
                _foot(ctx, "order_items", "products"),
                columns=[_column(ctx, w) for w in columns],
                rows=rows,
                note=say.join(
                    say.word("lift_explained"),
                    say.say("winners_faulty", names=left_out) if left_out else "",
                ),
            )
        )
    return slides


# --- 06 actions ---------------------------------------------------------------------------------
def actions(ctx: Ctx) -> list[m.Slide]:
    """Problems of the campaign ranked by the GMV they cost in the window, each with an action;
    then the team's lessons and actions together."""
    c, say = ctx.data, ctx.say
    slides = problem_slides(ctx, ctx.findings, _foot(ctx, *finding_tables(ctx.findings)))
    campaign = ctx.config.campaigns[c.window.key]
    team = person_cards(ctx.written([*campaign.lessons, *campaign.actions]))
    for start in range(0, len(team), 4):
        slides.append(
            m.NumberedCards(
                "cards",
                say.word("campaign_team_title"),
                say.say("team_footnote"),
                cards=team[start : start + 4],
            )
        )
    return slides


def _parse(config: Config, key: str, today: date) -> str:
    """A campaign key declared in the config."""
    if key not in config.campaigns:
        raise ConfigError(
            f"--campaign '{key}' is not declared under `campaigns:` in {config.source}."
            f"{did_you_mean(key, config.campaigns)} "
            f"Declared: {', '.join(config.campaigns) or 'none'}."
        )
    return key


KIND: DeckKind[str, CampaignReport] = DeckKind(
    name="campaign",
    file_words={"zh-CN": "活动复盘", "en": "campaign_review"},
    parse=_parse,
    label=lambda key: key,
    window=lambda config, key: (
        window_of(key, in_language(config, config.language).campaigns[key]).period
    ),
    compute=compute_campaign,
    report=lambda c: c.report,
    diagnose=lambda c, config: find_campaign_problems(c, config.thresholds),
    title_values=lambda key, c: {"name": c.window.name},
    sections=[
        Section("campaign_overview", overview),
        Section("campaign_results", results),
        Section("campaign_behaviour", behaviour),
        Section("campaign_problems", problems),
        Section("campaign_successes", successes),
        Section("campaign_actions", actions),
    ],
)


def _tied_first(rows: list[dict], lowest: bool = False) -> list[dict]:
    """The rows with the highest lift (`lowest`: the lowest), all of those the deck shows as the
    same "2.5倍" (two categories at 2.53 and 2.48 were one named strongest beside the other's
    equal figure); at most three."""
    if not rows:
        return []
    ranked = sorted(rows, key=lambda r: r["lift"], reverse=not lowest)
    shown = round(ranked[0]["lift"], 1)
    return [r for r in ranked if round(r["lift"], 1) == shown][:3]
