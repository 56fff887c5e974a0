"""The shop diagnosis (店铺运营诊断报告, source deck 001 淘宝运营管理模式): a quarter, a half year
or a run of months in the seed's six parts — 战略规划, 商品管理, 营销推广, 客户服务, 数据运营,
效果评估 — each part scored from rules kept as data (templates/scorecard.yaml), the problems
in the seed's four kinds ranked by GMV at risk, and the improvement plan."""

from __future__ import annotations

from datetime import date
from typing import Any

from shopreport.config import Config
from shopreport.deck import model as m
from shopreport.deck.blocks import (
    PROBLEM_CARDS,
    kpi_cards,
    money_column,
    problem_context,
    problem_slides,
)
from shopreport.deck.context import DeckContext
from shopreport.deck.monthly import (
    bridge_slide,
    customer_slides,
    exceptions_slide,
    gmv_cause,
    products_slide,
    promotions_slide,
    regions_slide,
    traffic_slides,
)
from shopreport.deck.monthly import (
    service as service_slides,
)
from shopreport.deck.sections import DeckKind, Section
from shopreport.fmt import fmt_pct, fmt_pp
from shopreport.insights.diagnosis import Finding, find_problems, finding_tables
from shopreport.insights.scorecard import (
    KINDS,
    Scorecard,
    improvement_plan,
    load_scorecard,
    score,
    weighted_mean,
    with_targets,
)
from shopreport.metrics import Period
from shopreport.metrics import schema as S
from shopreport.metrics.period import parse_months
from shopreport.metrics.review import ReviewReport, compute_review
from shopreport.vocab.metrics import METRICS

Ctx = DeckContext[ReviewReport]

KPI_REVIEW = [
    "gmv",
    "buyers",
    "paid_orders",
    "aov",
    "visitors",
    "conversion",
    "returning_share",
    "refund_rate",
]
ROLE_ROWS = 12
PLAN_ROWS = 10


def _scorecard(ctx: Ctx) -> Scorecard:
    """The parts' scores (computed once per deck from the rules)."""
    rules = with_targets(load_scorecard(ctx.config), ctx.config, ctx.report.period)
    return score(ctx.report, ctx.data.previous, rules)


# --- 01 strategy ------------------------------------------------------------------------------
def strategy(ctx: Ctx) -> list[m.Slide]:
    """Where the shop stands: the period's KPIs, the growth path, price bands, category roles,
    and the customers (RFM segments, member tiers)."""
    say, r = ctx.say, ctx.report
    slides: list[m.Slide] = [
        m.KpiCards(
            "kpis",
            say.word("review_kpi_title"),
            ctx.footnote("orders", "traffic", "refunds"),
            cards=kpi_cards(ctx, KPI_REVIEW),
            summary=_summary(ctx),
            topic="position",
        )
    ]
    if r.decomposition.get("mom") and ctx.available("gmv"):
        slides.append(m.tagged(bridge_slide(ctx), "growth"))
    if r.decomposition.get("yoy") and ctx.available("gmv"):
        slides.append(m.tagged(_yoy_bridge(ctx), "growth"))
    bands = [b for b in ctx.data.bands if b.units]
    if len(bands) >= 2:
        slides.append(m.tagged(_price_bands(ctx), "price_bands"))
    categories = [c for c in ctx.rows(S.BY_CATEGORY) if c["gmv"]]
    if len(categories) >= 2:
        slides.append(m.tagged(_roles(ctx, categories), "roles"))
    provinces = ctx.rows(S.BY_PROVINCE)
    if len([p for p in provinces if p["province"]]) >= 2:
        slides.append(m.tagged(regions_slide(ctx, provinces), "regions"))
    if ctx.available("gmv"):
        slides.extend(customer_slides(ctx))
    return slides


def _yoy_bridge(ctx: Ctx) -> m.ChartSlide:
    """The growth path against last year: GMV split into traffic, conversion and AOV effects."""
    say = ctx.say
    yoy = ctx.report.decomposition["yoy"]
    effects = yoy["effects"]
    main = max(effects, key=lambda k: abs(effects[k]))
    last_year = say.word("last_year")
    bullets = [
        say.say(
            "bridge_total",
            prev=last_year,
            delta=yoy["delta"],
            before=yoy["before"],
            after=yoy["after"],
        ),
        say.say(
            "yoy_bridge_main",
            name=say.word(f"{'traffic' if main == 'visitors' else main}_effect"),
            effect=effects[main],
            share=effects[main] / yoy["delta"] if yoy["delta"] else None,
        ),
        *[
            say.say(
                "yoy_bridge_factor",
                name=ctx.label(mid),
                now=ctx.fmt(mid),
                change=ctx.report.metrics[mid].yoy,
                pp=ctx.report.metrics[mid].yoy_pp,  # a rate's change in points
            )
            for mid in ("visitors", "conversion", "aov")
            if ctx.available(mid)
        ],
    ]
    data = {**yoy, "before_label": say.word("ly_gmv"), "after_label": say.word("this_gmv")}
    return m.ChartSlide(
        "chart",
        say.word("yoy_bridge_title"),
        ctx.footnote("orders", "traffic"),
        charts=[m.Chart("bridge", data, alt=bullets[0])],
        heading=say.word("bridge_heading"),
        bullets=bullets[:4],
    )


def _summary(ctx: Ctx) -> str:
    """The period's GMV against the period before, last year and the target, and its cause."""
    gmv = ctx.report.metrics["gmv"]
    if not ctx.available("gmv"):
        return ""
    head = ctx.say.say(
        "review_summary",
        gmv=gmv.value,
        mom=gmv.mom,
        yoy=gmv.yoy,
        att=gmv.attainment,
        target=gmv.target,
    )
    return ctx.say.paragraphs(head, gmv_cause(ctx))


def _band_label(ctx: Ctx, low: float, high: float | None) -> str:
    sym = ctx.symbol
    if not low:
        return f"<{sym}{high:,.0f}"
    if high is None:
        return f"≥{sym}{low:,.0f}"
    return f"{sym}{low:,.0f}–{high:,.0f}"


def _price_bands(ctx: Ctx) -> m.ChartSlide:
    """GMV and buyers by the lines' unit price."""
    say = ctx.say
    bands = ctx.data.bands
    total = sum(b.gmv for b in bands) or None
    labels = [_band_label(ctx, b.low, b.high) for b in bands]
    top = max(range(len(bands)), key=lambda i: bands[i].gmv)
    most = max(range(len(bands)), key=lambda i: bands[i].buyers)
    bullets = [
        say.say("band_top", band=labels[top], share=bands[top].gmv / total if total else None),
        say.say("band_buyers", band=labels[most], buyers=bands[most].buyers),
    ]
    charts = [
        m.Chart(
            "bars",
            {"labels": labels, "series": {say.word("col_gmv"): [b.gmv for b in bands]}},
            caption=say.word("band_gmv_caption"),
        ),
        m.Chart(
            "bars",
            {
                "labels": labels,
                "series": {say.word("buyers"): [b.buyers for b in bands]},
                "unit": "count",
            },
            caption=say.word("band_buyers_caption"),
        ),
    ]
    return m.ChartSlide(
        "chart",
        say.word("bands_title"),
        ctx.footnote("order_items", "orders"),
        charts=charts,
        heading=say.word("bands_heading"),
        bullets=bullets,
    )


def category_role(ctx: Ctx, row: S.CategoryRow) -> str:
    """核心 (a large share), 成长 (smaller, growing fast), 稳定 (the other sizeable ones) or 长尾
    (small)."""
    opts = ctx.config.review
    growth = row["yoy"] if row["yoy"] is not None else row["mom"]
    if (row["share"] or 0) >= opts.core_share:
        return "core"
    if growth is not None and growth >= opts.growth_rate:
        return "growth"
    return "stable" if (row["share"] or 0) >= opts.tail_share else "tail"


def _roles(ctx: Ctx, categories: list[S.CategoryRow]) -> m.TableSlide:
    """Each category's role by share and growth."""
    say = ctx.say
    shown = categories[:ROLE_ROWS]
    roles = [category_role(ctx, c) for c in categories]
    gmv = money_column(ctx, [c["gmv"] for c in shown])
    rows = [
        [
            c["category"] or say.word("unknown"),
            say.word(f"role_{roles[i]}"),
            gmv[i],
            fmt_pct(c["share"]),
            fmt_pct(c["yoy"], signed=True) if c["yoy"] is not None else "—",
            fmt_pct(c["mom"], signed=True) if c["mom"] is not None else "—",
        ]
        for i, c in enumerate(shown)
    ]
    side = []
    for role in ("core", "growth", "stable", "tail"):
        members = [c for c, r in zip(categories, roles, strict=True) if r == role]
        if members:
            side.append(
                say.say(
                    f"role_line_{role}",
                    count=len(members),
                    names=[c["category"] or say.word("unknown") for c in members[:3]],
                    share=sum(c["share"] or 0 for c in members),
                )
            )
    return m.TableSlide(
        "table",
        say.word("roles_title"),
        ctx.footnote("order_items", "products"),
        columns=[
            say.word(w)
            for w in ("col_category", "col_role", "col_gmv", "col_share", "col_yoy", "col_mom")
        ],
        rows=rows,
        align=["left", "left", "right", "right", "right", "right"],
        note=say.say(
            "roles_note",
            core=ctx.config.review.core_share,
            growth=ctx.config.review.growth_rate,
            tail=ctx.config.review.tail_share,
        ),
        side_heading=say.word("roles_heading"),
        side=side,
    )


# --- 02 goods ---------------------------------------------------------------------------------
STAGES = ("new", "growing", "mature", "declining", "out_of_stock")


def goods(ctx: Ctx) -> list[m.Slide]:
    """Dependence on best sellers, lifecycle mix, launches, stock turnover, stockouts, slow
    movers; the top products."""
    say = ctx.say
    cards = []
    c = ctx.data.concentration
    if c is not None:
        cards.append(
            m.Card(
                say.word("card_concentration"),
                say.say(
                    "concentration_line",
                    top=c.top_share,
                    skus=c.skus,
                    pareto=c.pareto_skus,
                    pareto_share=c.pareto_skus / c.skus,
                ),
            )
        )
    stages = {s["stage"]: s for s in ctx.rows(S.LIFECYCLE)}
    total = sum(s["gmv"] for s in stages.values())
    if stages and None not in stages and total:
        cards.append(
            m.Card(
                say.word("card_lifecycle"),
                say.say(
                    "lifecycle_mix",
                    stages=[
                        {
                            "name": say.word(f"stage_{k}"),
                            "skus": stages[k]["skus"],
                            "share": stages[k]["gmv"] / total,
                        }
                        for k in STAGES
                        if k in stages
                    ],
                ),
            )
        )
    launches = ctx.rows(S.NEW_PRODUCTS)
    if launches:
        sellers = [n for n in launches if (n["gmv"] or 0) > 0]
        cards.append(
            m.Card(
                say.word("card_launches"),
                say.say(
                    "launches_line",
                    count=len(launches),
                    sellers=len(sellers),
                    gmv=sum(n["gmv"] or 0 for n in launches),
                ),
            )
        )
    if ctx.available("stock_value"):
        lost = sum(s["gmv"] or 0 for s in ctx.rows(S.STOCKOUTS))
        cards.append(
            m.Card(
                say.word("card_stock"),
                say.say(
                    "stock_line",
                    days=ctx.value("turnover_days"),
                    stockouts=ctx.value("stockout_skus"),
                    stockout_gmv=lost,
                    slow=ctx.value("slow_movers"),
                    slow_value=ctx.value("slow_stock_value"),
                ),
            )
        )
    slides: list[m.Slide] = []
    if cards:
        slides.append(
            m.NumberedCards(
                "cards",
                say.word("goods_structure_title"),
                ctx.footnote("order_items", "products", "inventory"),
                cards=cards[:4],
                topic="structure",
            )
        )
    products = ctx.rows(S.PRODUCTS)
    if products:
        slides.append(m.tagged(products_slide(ctx, products), "products"))
    if ctx.available("stock_value"):
        exceptions = exceptions_slide(ctx)
        if exceptions:
            slides.append(m.tagged(exceptions, "exceptions"))
    return slides


# --- 03 marketing -----------------------------------------------------------------------------
def marketing(ctx: Ctx) -> list[m.Slide]:
    """Promotions by type, traffic sources (content and affiliate channels among them), the
    funnel and the paid channels."""
    slides: list[m.Slide] = []
    promotions = promotions_slide(ctx)
    if promotions:
        slides.append(m.tagged(promotions, "promotion_types"))
    return slides + traffic_slides(ctx)


# --- 04 service -------------------------------------------------------------------------------
def service(ctx: Ctx) -> list[m.Slide]:
    """Service KPIs, response, refunds, bad-review words, delivery; DSR scores when given."""
    slides = service_slides(ctx)
    if ctx.data.dsr:
        slides.append(m.tagged(_dsr(ctx), "dsr"))
    return slides


def _dsr(ctx: Ctx) -> m.ChartSlide:
    """The shop's DSR scores (描述相符, 服务态度, 物流服务) by month."""
    say = ctx.say
    rows = ctx.data.dsr
    names = {k: say.word(f"dsr_{k}") for k in ("description", "service", "logistics")}
    last = rows[-1]
    # against the previous period's last month (the 12 months' first, Oct 2025 for Q3 2026, was
    # neither the period before nor last year)
    previous = f"{ctx.report.previous.last_day:%Y-%m}"
    first = next((r for r in rows if r["month"] == previous), rows[0])
    bullets = [
        say.say(
            "dsr_line",
            name=names[k],
            now=last[k],
            before=first[k],
            first=first["month"],
            last=last["month"],
        )
        for k in names
        if last[k] is not None
    ]
    return m.ChartSlide(
        "chart",
        say.word("dsr_title"),
        ctx.footnote("dsr"),
        charts=[
            m.Chart(
                "daily_trend",
                {
                    "gmv": [r["description"] for r in rows],
                    "previous_gmv": [r["service"] for r in rows],
                    "last_year_gmv": [r["logistics"] for r in rows],
                    "x_ticks": [say.say("trend_tick", month=r["month"]) for r in rows],
                    "labels": {
                        "this": names["description"],
                        "previous": names["service"],
                        "last_year": names["logistics"],
                    },
                    "unit": "multiple",
                },
                caption=say.word("dsr_caption"),
                alt=bullets[0] if bullets else "",
            )
        ],
        heading=say.word("dsr_heading"),
        bullets=bullets,
    )


# --- 05 operations ----------------------------------------------------------------------------
def operations(ctx: Ctx) -> list[m.Slide]:
    """The seed's monitored indicators over twelve months, each beside its scorecard band."""
    say = ctx.say
    rules = with_targets(load_scorecard(ctx.config), ctx.config, ctx.report.period)
    bands = {
        i["metric"]: i
        for part in rules["parts"].values()
        for i in part.get("metrics", [])
        if i.get("measure", "value") == "value"
    }
    months = ctx.data.months
    charts = []
    for mid, values in ctx.data.trends.items():
        if sum(v is not None for v in values) < 2:
            continue
        ctx.shown.add(mid)
        data: dict[str, Any] = {
            "gmv": values,
            "previous_gmv": [None] * len(values),
            "last_year_gmv": [None] * len(values),
            "x_ticks": [say.say("trend_tick", month=mo) for mo in months],
            "x_label": say.word("month_axis"),
            "unit": _unit(mid),
            "labels": {"this": ctx.label(mid)},
        }
        band = bands.get(mid)
        if mid == "repurchase_rate" and not ctx.config.metrics.repurchase_window_days:
            # the band is for the period's rate (≥ 2 orders in a quarter); a month's rate is
            # another, lower quantity (the demo: 2.0 % in September, 5.7 % in the quarter)
            band = None
        if band:
            data["previous_gmv"] = [band["good"]] * len(values)
            data["last_year_gmv"] = [band["poor"]] * len(values)
            data["labels"] |= {
                "previous": say.word("band_target" if band.get("own") else "band_good"),
                "last_year": say.word("band_poor"),
            }
        now = next((v for v in reversed(values) if v is not None), None)
        charts.append(
            (
                mid,
                m.Chart(
                    "daily_trend",
                    data,
                    caption=ctx.label(mid),
                    alt=say.say("trend_line", name=ctx.label(mid), value=ctx.fmt(mid, now)),
                ),
                now,
                band,
            )
        )
    slides: list[m.Slide] = []
    for start in range(0, len(charts), 2):
        pair = charts[start : start + 2]
        bullets = [
            say.say(
                "indicator_line",
                month=ctx.data.months[-1],
                name=ctx.label(mid),
                value=ctx.fmt(mid, now),
                low=min(v for v in ctx.data.trends[mid] if v is not None),
                high=max(v for v in ctx.data.trends[mid] if v is not None),
                low_text=ctx.fmt(mid, min(v for v in ctx.data.trends[mid] if v is not None)),
                high_text=ctx.fmt(mid, max(v for v in ctx.data.trends[mid] if v is not None)),
                good=ctx.fmt(mid, band["good"]) if band else None,
                poor=ctx.fmt(mid, band["poor"]) if band else None,
                # the verdict is the period's, as the cards and the scorecard judge it (September's
                # 7.7 % read "达到目标" beside the quarter's 8.1 % over its 8 % target)
                period=ctx.fmt(mid) if band and ctx.available(mid) else None,
                state=_state(ctx.value(mid) if ctx.available(mid) else now, band),
                own=bool(band and band.get("own")),
                below=band is not None and band["good"] > band["poor"],
            )
            for mid, _, now, band in pair
        ]
        slides.append(
            m.ChartSlide(
                "chart",
                say.say(
                    "indicators_title",
                    names=[ctx.label(mid) for mid, *_ in pair],
                ),
                ctx.footnote("orders", "traffic", "refunds", "reviews", "inventory"),
                charts=[chart for _, chart, _, _ in pair],
                heading=say.word("indicators_heading"),
                bullets=bullets,
            )
        )
    return slides


def _unit(mid: str) -> str:
    """The chart unit of a metric (a rating is drawn with two decimals)."""
    unit = METRICS[mid].unit
    return "multiple" if unit == "rating" else unit


def _state(value: float | None, band: dict[str, Any] | None) -> str:
    """good, watch or poor against the scorecard band (none without one)."""
    if value is None or band is None:
        return "none"
    good, poor = float(band["good"]), float(band["poor"])
    share = (value - poor) / (good - poor)
    return "good" if share >= 1 else "poor" if share <= 0 else "watch"


def _printed_mean(parts: list[tuple[float | None, float]]) -> float | None:
    """The weighted mean of the scores as the table prints them (whole points)."""
    return weighted_mean([(None if s is None else round(s), w) for s, w in parts])


# --- 06 assessment ----------------------------------------------------------------------------
def assessment(ctx: Ctx) -> list[m.Slide]:
    """The scorecard with its lights and the change against the previous period, the problems
    ranked by GMV at risk, and the improvement plan."""
    say = ctx.say
    card = _scorecard(ctx)
    rows, highlight = [], []
    for i, part in enumerate(card.parts):
        light = card.light(part.score)
        if light == "red":
            highlight.append(i)
        basis = [
            say.say(
                "score_basis",
                name=ctx.label(item.metric),
                measure=item.measure,
                value=_measure_text(ctx, item.metric, item.measure, item.value),
                score=item.score,
                weight=item.weight,
            )
            for item in part.items
            if item.score is not None
        ]
        rows.append(
            [
                say.word(f"part_{part.part}"),
                f"{part.score:.0f}" if part.score is not None else "—",
                say.word(f"light_{light}"),
                say.say("points", value=part.change) if part.change is not None else "—",
                say.word("list_sep").join(basis) or say.word("no_data"),  # every scored one
            ]
        )
        for item in part.items:
            if item.score is not None:
                ctx.shown.add(item.metric)
    slides: list[m.Slide] = [
        m.TableSlide(
            "table",
            say.word("scorecard_title"),
            ctx.footnote("orders", "traffic", "inventory", "service", "reviews"),
            columns=[
                say.word(w)
                for w in ("col_part", "col_score", "col_light", "col_vs_previous", "col_basis")
            ],
            rows=rows,
            align=["left", "right", "center", "right", "left"],
            highlight=highlight,
            note=say.say(
                "scorecard_note",
                # from the parts as printed: 91, 83, 74, 33 and 57 read "67分" (of 67.4 unrounded)
                # where a reader's mean of the column is 67.6, 68
                overall=_printed_mean([(p.score, p.weight) for p in card.parts]),
                before=_printed_mean([(p.previous, p.weight) for p in card.parts]),
                green=card.green,
                amber=card.amber,
            ),
        )
    ]
    # the four largest problems as cards with their numbers; all of them, ranked, in the plan
    slides.extend(
        problem_slides(
            ctx,
            ctx.findings[:PROBLEM_CARDS],
            ctx.footnote(*finding_tables(ctx.findings[:PROBLEM_CARDS])),
        )
    )
    plan = improvement_plan(ctx.findings, load_scorecard(ctx.config))[:PLAN_ROWS]
    if plan:
        impacts = money_column(
            ctx, [p.finding.impact if p.finding.impact >= 0.5 else None for p in plan]
        )
        plan_rows = [
            [
                str(i + 1),
                say.say(
                    f"finding_{p.finding.rule}_title",
                    subject=p.finding.subject,
                    **p.finding.evidence,
                ),
                impacts[i] if p.finding.impact >= 0.5 else problem_context(ctx, p.finding),
                say.word(f"kind_{p.kind}"),
                say.say(
                    f"action_{p.finding.rule}_short",
                    subject=p.finding.subject,
                    **p.finding.evidence,
                ),
                say.word(f"owner_{p.owner}"),
                _watch(ctx, p.watch, p.finding),
            ]
            for i, p in enumerate(plan)
        ]
        counts = {k: sum(1 for p in plan if p.kind == k) for k in KINDS}
        slides.append(
            m.TableSlide(
                "table",
                say.word("plan_title"),
                ctx.footnote("orders", "traffic", "inventory", "service", "reviews"),
                columns=[
                    say.word(w)
                    for w in (
                        "col_rank",
                        "col_issue",
                        "col_impact",
                        "col_problem_kind",
                        "col_action",
                        "col_owner",
                        "col_watch",
                    )
                ],
                rows=plan_rows,
                align=["center", "left", "right", "left", "left", "left", "left"],
                note=say.say(
                    "plan_note",
                    kinds=[
                        {"name": say.word(f"kind_{k}"), "count": n} for k, n in counts.items() if n
                    ],
                ),
            )
        )
    return slides


def _measure_text(ctx: Ctx, metric: str, measure: str, value: float | None) -> str:
    """A scorecard item's number: the value as the deck formats it, or its change."""
    if measure == "value":
        return ctx.fmt(metric, value)
    if measure.endswith("_pp"):
        return fmt_pp(value, ctx.lang)
    return fmt_pct(value, signed=True)


OWN_VALUE = {
    "refund_rate": "rate",
    "conversion_drop": "now",
    "low_roas": "roas",
    "faulty_product": "sku_bad_rate",
}
"""Problems of one category or channel, and where their evidence holds its own value of the
metric to watch (the shop's is another figure: 「女装」退款率 22.2 %, the shop's 8.1 %)."""


def _watch(ctx: Ctx, metric: str, finding: Finding | None = None) -> str:
    """The metric to watch with its value now: the problem's own (its category's, its
    channel's) where it has one, else the shop's."""
    if not metric or metric not in METRICS:
        return "—"
    key = OWN_VALUE.get(finding.rule) if finding is not None and finding.subject else None
    if key is not None and finding is not None and finding.evidence.get(key) is not None:
        own = ctx.fmt(metric, finding.evidence[key])
        subject = f"「{finding.subject}」" if ctx.lang != "en" else f"{finding.subject}: "
        return f"{subject}{ctx.label(metric)} {own}"
    if not ctx.available(metric):
        return ctx.label(metric)
    return f"{ctx.label(metric)} {ctx.fmt(metric)}"


def _parse(config: Config, text: str, today: date) -> Period:
    """'2026-Q3', '2026-H1' or '2026-07..2026-09'."""
    return parse_months(text)


def _title_values(period: Period, review: ReviewReport) -> dict[str, Any]:
    label = period.label
    return {
        "year": period.start.year,
        "quarter": int(label[-1]) if "-Q" in label else None,
        "half": int(label[-1]) if "-H" in label else None,
        "first": period.start.month,
        "last": period.last_day.month,
        "last_year": period.last_day.year,
    }


KIND: DeckKind[Period, ReviewReport] = DeckKind(
    name="review",
    file_words={"zh-CN": "运营诊断", "en": "shop_review"},
    parse=_parse,
    label=lambda period: period.label,
    window=lambda config, period: period,
    reports=lambda period: [period, period.previous()],
    compute=compute_review,
    report=lambda review: review.report,
    diagnose=lambda review, config: find_problems(
        review.report, config.thresholds, campaigns=config.campaigns
    ),
    title_values=_title_values,
    sections=[
        Section("review_strategy", strategy),
        Section(
            "review_goods",
            goods,
            lambda ctx: None if ctx.has("order_items") else "needs_goods",
        ),
        Section("review_marketing", marketing),
        Section(
            "review_service",
            service,
            lambda ctx: (
                None
                if ctx.has("service") or ctx.has("reviews") or ctx.has("refunds") or ctx.data.dsr
                else "needs_service"
            ),
        ),
        Section("review_operations", operations),
        Section("review_assessment", assessment),
    ],
)
