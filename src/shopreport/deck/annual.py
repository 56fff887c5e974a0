"""The annual review (天猫店长年度工作总结, source deck 002): six sections on a year's report, the
previous year's, and what only the team knows (achievements, lessons, resources)."""

from __future__ import annotations

from datetime import date

from shopreport.config import Config
from shopreport.deck import model as m
from shopreport.deck.blocks import funnel_slide, kpi_cards, person_card, rate_delta
from shopreport.deck.context import DeckContext
from shopreport.deck.sections import DeckKind, Section
from shopreport.fmt import fmt_count, fmt_money, fmt_pct
from shopreport.insights.diagnosis import find_problems
from shopreport.insights.plan import year_targets
from shopreport.metrics import Period
from shopreport.metrics import schema as S
from shopreport.metrics.annual import AnnualReport, compute_annual
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


def _months(ctx: Ctx, year: int) -> dict[str, MonthRow]:
    """Monthly GMV, orders and buyers of `year` by 'YYYY-MM'."""
    return {r["month"]: r for r in ctx.rows(S.MONTHLY) if r["month"].startswith(f"{year}-")}


# --- 01 the year --------------------------------------------------------------------------------
def review(ctx: Ctx) -> list[m.Slide]:
    """KPIs of the year, GMV by month, categories, promotions, AOV path, funnel, customers."""
    say, r = ctx.say, ctx.report
    year = r.period.start.year
    gmv = r.metrics["gmv"]
    slides: list[m.Slide] = [
        m.KpiCards(
            "kpis",
            say.say("year_kpi_title", year=year),
            ctx.footnote("orders", "traffic", "refunds"),
            cards=kpi_cards(ctx, KPI_YEAR),
            summary=say.say(
                "year_summary",
                gmv=gmv.value,
                yoy=gmv.yoy,
                att=gmv.attainment,
                target=gmv.target,
                progress=r.time_progress,
                pace=gmv.pace,
            ),
        )
    ]
    this, last = _months(ctx, year), _months(ctx, year - 1)
    labels = [f"{mm:02d}" for mm in range(1, 13)]
    series = {
        str(year): [this.get(f"{year}-{mm}", {}).get("gmv") or 0 for mm in labels],
        str(year - 1): [last.get(f"{year - 1}-{mm}", {}).get("gmv") or 0 for mm in labels],
    }
    targets = [ctx.config.targets.get(f"{year}-{mm}", {}).get("gmv") for mm in labels]
    best = max(this.values(), key=lambda x: x["gmv"]) if this else None
    bullets = []
    if best:
        bullets.append(
            say.say(
                "best_month",
                month=best["month"],
                gmv=best["gmv"],
                share=best["gmv"] / (gmv.value or 1),
            )
        )
    growth = [
        (mm, this[f"{year}-{mm}"]["gmv"] / last[f"{year - 1}-{mm}"]["gmv"] - 1)
        for mm in labels
        if f"{year}-{mm}" in this and f"{year - 1}-{mm}" in last and last[f"{year - 1}-{mm}"]["gmv"]
    ]
    if growth:
        fastest = max(growth, key=lambda g: g[1])
        bullets.append(say.say("fastest_month", month=f"{year}-{fastest[0]}", growth=fastest[1]))
    hit = [(mm, t) for mm, t in zip(labels, targets, strict=False) if t]
    if hit:
        met = sum(1 for mm, t in hit if (this.get(f"{year}-{mm}", {}).get("gmv") or 0) >= t)
        bullets.append(say.say("months_on_target", met=met, months=len(hit)))
    slides.append(
        m.ChartSlide(
            "chart",
            say.word("months_title"),
            ctx.footnote("orders"),
            charts=[
                m.Chart(
                    "bars",
                    {"labels": labels, "series": series, "unit": "money", "labels_on": False},
                )
            ],
            heading=say.word("months_heading"),
            bullets=bullets,
        )
    )
    categories = [c for c in ctx.rows(S.BY_CATEGORY) if c["gmv"]]
    if len(categories) >= 2:
        shown = categories[:10]
        growing = [c for c in categories if c["yoy"] is not None]
        bullets = [
            say.say(
                "category_top",
                name=categories[0]["category"] or say.word("unknown"),
                share=categories[0]["share"],
                gmv=categories[0]["gmv"],
            )
        ]
        if growing:
            fastest = max(growing, key=lambda c: c["yoy"])
            bullets.append(say.say("category_yoy", name=fastest["category"], yoy=fastest["yoy"]))
        slides.append(
            m.ChartSlide(
                "chart",
                say.word("year_category_title"),
                ctx.footnote("order_items", "products"),
                charts=[
                    m.Chart(
                        "hbar",
                        {
                            "labels": [c["category"] or say.word("unknown") for c in shown],
                            "values": [c["gmv"] for c in shown],
                            "unit": "money",
                            "notes": [
                                f"{say.word('yoy')} {fmt_pct(c.get('yoy'), signed=True)}"
                                for c in shown
                            ],
                        },
                    )
                ],
                heading=say.word("category_heading"),
                bullets=bullets,
            )
        )
    slides.append(_promotions(ctx))
    aov_this = [_aov(this.get(f"{year}-{mm}")) for mm in labels]
    aov_last = [_aov(last.get(f"{year - 1}-{mm}")) for mm in labels]
    if any(v for v in aov_this):
        slides.append(
            m.ChartSlide(
                "chart",
                say.word("aov_path_title"),
                ctx.footnote("orders"),
                charts=[
                    m.Chart(
                        "daily_trend",
                        {
                            "gmv": aov_this,
                            "previous_gmv": aov_last,
                            "last_year_gmv": [None] * 12,
                            "labels": {"this": str(year), "previous": str(year - 1)},
                            "x_label": say.word("month_axis"),
                        },
                    )
                ],
                heading=say.word("aov_path_heading"),
                bullets=[
                    say.say("aov_year", aov=ctx.value("aov"), yoy=r.metrics["aov"].yoy),
                    say.say(
                        "order_value_year",
                        value=ctx.value("order_value"),
                        yoy=r.metrics["order_value"].yoy,
                    ),
                ],
            )
        )
    funnel = ctx.rows(S.FUNNEL)
    if funnel and all(f["count"] is not None for f in funnel):
        slides.append(
            funnel_slide(
                ctx,
                funnel,
                say.word("note_daily_uv") if not ctx.has("events") else "",
                title=say.word("year_funnel_title"),
            )
        )
    slides.extend(_customers(ctx))
    return slides


def _aov(month: dict | None) -> float | None:
    """GMV ÷ buyers of a month record."""
    return month["gmv"] / month["buyers"] if month and month["buyers"] else None


def _promotions(ctx: Ctx) -> m.ChartSlide:
    """Daily GMV over the year: the big campaigns against the ordinary day."""
    say = ctx.say
    daily = ctx.rows(S.DAILY)
    values = [d["gmv"] for d in daily]
    ordinary = sorted(values)[len(values) // 2] if values else 0  # the median day
    bullets = []
    for campaign in ctx.data.campaigns:
        window = [
            d["gmv"]
            for d in daily
            if campaign.start.isoformat() <= d["date"] <= campaign.end.isoformat()
        ]
        if window:
            bullets.append(
                say.say(
                    "campaign_vs_day",
                    name=campaign.name,
                    gmv=sum(window),
                    share=sum(window) / (sum(values) or 1),
                    lift=(sum(window) / len(window)) / ordinary if ordinary else None,
                )
            )
    peak = max(daily, key=lambda d: d["gmv"]) if daily else None
    if peak:
        bullets.insert(
            0,
            say.say(
                "year_peak_day",
                date=peak["date"],
                gmv=peak["gmv"],
                lift=peak["gmv"] / ordinary if ordinary else None,
            ),
        )
    return m.ChartSlide(
        "chart",
        say.word("promotions_title"),
        ctx.footnote("orders"),
        charts=[
            m.Chart(
                "daily_trend",
                {
                    "gmv": values,
                    "previous_gmv": [d["previous_gmv"] for d in daily],
                    "last_year_gmv": [None] * len(daily),
                    "labels": {
                        "this": str(ctx.report.period.start.year),
                        "previous": str(ctx.report.period.start.year - 1),
                    },
                    "x_label": say.word("day_of_year_axis"),
                },
            )
        ],
        heading=say.word("promotions_heading"),
        bullets=bullets[:4],
    )


def _customers(ctx: Ctx) -> list[m.Slide]:
    """Repurchase and RFM segments against last year's year end; cohort retention."""
    say = ctx.say
    slides: list[m.Slide] = []
    now = {s["segment"]: s for s in ctx.rows(S.RFM)}
    before = {s["segment"]: s for s in ctx.data.previous.rows(S.RFM)}
    if now and ctx.available("gmv"):
        order = list(now)
        moved = max(
            order,
            key=lambda k: (now[k]["customers"] or 0) - (before.get(k, {}).get("customers") or 0),
        )
        slides.append(
            m.ChartSlide(
                "chart",
                say.word("rfm_year_title"),
                ctx.footnote("orders"),
                charts=[
                    m.Chart(
                        "bars",
                        {
                            "labels": [_short_segment(now[k], ctx.lang) for k in order],
                            "series": {
                                str(ctx.report.period.start.year): [
                                    now[k]["customers"] for k in order
                                ],
                                str(ctx.report.period.start.year - 1): [
                                    before.get(k, {}).get("customers") or 0 for k in order
                                ],
                            },
                            "unit": "count",
                            "labels_on": False,
                        },
                    )
                ],
                heading=say.word("rfm_year_heading"),
                bullets=[
                    say.say(
                        "repurchase_year",
                        rate=ctx.value("repurchase_rate"),
                        delta=rate_delta(ctx.report.metrics["repurchase_rate"]),
                        returning=ctx.value("returning_share"),
                    ),
                    say.say(
                        "rfm_moved",
                        name=now[moved]["segment_en"]
                        if ctx.lang == "en"
                        else now[moved]["segment_zh"],
                        now=now[moved]["customers"],
                        before=before.get(moved, {}).get("customers"),
                    ),
                ],
            )
        )
    cohorts = ctx.rows(S.COHORTS)
    if cohorts:
        names = sorted({c["cohort"] for c in cohorts})
        width = max(c["k"] for c in cohorts) + 1
        matrix = [
            [
                next((c["rate"] for c in cohorts if c["cohort"] == n and c["k"] == k), None)
                for k in range(width)
            ]
            for n in names
        ]
        sizes = [next(c["size"] for c in cohorts if c["cohort"] == n) for n in names]
        month1 = [row[1] for row in matrix if len(row) > 1 and row[1] is not None]
        slides.append(
            m.ChartSlide(
                "chart",
                say.word("cohort_title"),
                ctx.footnote("orders"),
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
                    )
                ],
                heading=say.word("cohort_heading"),
                bullets=[
                    say.say("cohort_line", rate=sum(month1) / len(month1) if month1 else None)
                ],
            )
        )
    return slides


def _short_segment(segment: dict, language: str) -> str:
    """A segment's name short enough for an axis: 重要价值 / Imp. value."""
    if language != "en":
        return segment["segment_zh"][:4]
    kind, what = segment["segment"].split("_", 1)
    return f"{'Imp.' if kind == 'important' else 'Gen.'} {what.replace('winback', 'win-back')}"


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
                    months=say.word("list_sep").join(f"{b['month'][5:]}" for b in best),
                    gmv=best[0]["gmv"],
                ),
            )
        )
    daily = ctx.rows(S.DAILY)
    for campaign in ctx.data.campaigns[:1]:
        window = [
            d for d in daily if campaign.start.isoformat() <= d["date"] <= campaign.end.isoformat()
        ]
        if window:
            cards.append(
                m.Card(
                    say.word("best_campaign"),
                    say.say(
                        "campaign_year_line",
                        name=campaign.name,
                        gmv=sum(d["gmv"] for d in window),
                        yoy=_yoy(window),
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
                    name=top["name"] or top["sku"],
                    gmv=top["gmv"],
                    share=top["share"],
                ),
            )
        )
    if r.metrics["gmv"].yoy is not None:
        cards.append(
            m.Card(
                say.word("year_growth"),
                say.say(
                    "year_growth_line",
                    gmv=r.metrics["gmv"].value,
                    yoy=r.metrics["gmv"].yoy,
                    buyers=r.metrics["buyers"].value,
                    buyers_yoy=r.metrics["buyers"].yoy,
                ),
            )
        )
    slides: list[m.Slide] = []
    if cards:
        slides.append(
            m.NumberedCards(
                "cards",
                say.word("data_achievements_title"),
                ctx.footnote("orders", "order_items"),
                cards=cards[:4],
            )
        )
    if products:
        rows = [
            [
                str(p["rank"]),
                p["name"] or p["sku"],
                p["category"] or "—",
                fmt_money(p["gmv"], ctx.symbol, ctx.lang),
                fmt_pct(p["share"]),
                fmt_count(p["units"], ctx.lang),
            ]
            for p in products[:10]
        ]
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
            )
        )
    own = ctx.config.achievements.get(str(year), [])
    for start in range(0, len(own), 4):
        slides.append(
            m.NumberedCards(
                "cards",
                say.word("own_achievements_title"),
                say.word("config_footnote"),
                cards=[person_card(t) for t in own[start : start + 4]],
            )
        )
    return slides


def _yoy(window: list[dict]) -> float | None:
    """Growth of a window's GMV on the same days last year."""
    before = sum(d["previous_gmv"] or 0 for d in window)
    return sum(d["gmv"] for d in window) / before - 1 if before else None


# --- 03 problems --------------------------------------------------------------------------------
def challenges(ctx: Ctx) -> list[m.Slide]:
    """The diagnosis over the year against last year: trends, not one month's noise."""
    say = ctx.say
    findings = ctx.findings
    if not findings:
        return []
    cards = [
        m.Card(
            say.say(f"finding_{f.rule}_title", subject=f.subject),
            say.say(f"finding_{f.rule}", subject=f.subject, impact=f.impact, **f.evidence)
            + " "
            + say.say(f"action_{f.rule}", subject=f.subject, **f.evidence),
        )
        for f in findings[:4]
    ]
    return [
        m.NumberedCards(
            "cards",
            say.word("year_challenges_title"),
            ctx.footnote("orders", "traffic", "inventory", "service", "reviews"),
            cards=cards,
        )
    ]


# --- 04 lessons ---------------------------------------------------------------------------------
def lessons(ctx: Ctx) -> list[m.Slide]:
    """The team's lessons, each beside the numbers that support it."""
    say = ctx.say
    items = ctx.config.lessons.get(str(ctx.report.period.start.year), [])
    cards = []
    for item in items:
        text, evidence = (item, []) if isinstance(item, str) else (item.text, item.evidence)
        facts = [
            say.say(
                "evidence_line",
                label=ctx.label(mid),
                value=ctx.fmt(mid),
                yoy=ctx.report.metrics[mid].yoy,
                pp=METRICS[mid].unit == "ratio",
                delta=_yoy_delta(ctx, mid),
            )
            for mid in evidence
            if mid in METRICS and ctx.available(mid)
        ]
        card = person_card(text)
        evidence_text = (
            say.say("lesson_body", facts=say.word("list_sep").join(facts)) if facts else ""
        )
        cards.append(m.Card(card.heading, " ".join(x for x in (card.body, evidence_text) if x)))
    return [
        m.NumberedCards(
            "cards", say.word("lessons_title"), say.word("lessons_footnote"), cards=cards[i : i + 4]
        )
        for i in range(0, len(cards), 4)
    ]


def _yoy_delta(ctx: Ctx, metric: str) -> float | None:
    m_ = ctx.report.metrics[metric]
    return None if m_.value is None or m_.last_year is None else m_.value - m_.last_year


# --- 05 next year -------------------------------------------------------------------------------
def next_year(ctx: Ctx) -> list[m.Slide]:
    """Next year's GMV target by month: configured, or proposed from this year's curve."""
    say, r = ctx.say, ctx.report
    year = r.period.start.year
    targets = year_targets(ctx.data, ctx.config)
    rows = [
        [
            t.month,
            fmt_money(t.actual, ctx.symbol, ctx.lang),
            fmt_money(t.target, ctx.symbol, ctx.lang),
            say.word(f"source_{t.source}") if t.source else "—",
        ]
        for t in targets
    ]
    proposed = any(t.source == "proposed" for t in targets)
    annual = ctx.config.targets.get(str(year + 1), {}).get("gmv")
    note = say.say(
        "next_year_note",
        total=sum(t.target or 0 for t in targets),
        annual=annual,
        growth=r.metrics["gmv"].yoy,
    )
    return [
        m.TableSlide(
            "table",
            say.say("next_year_title", year=year + 1),
            ctx.footnote("orders"),
            columns=[
                say.word(w)
                for w in ("col_month", "col_this_year", "col_year_target", "col_target_source")
            ],
            rows=rows,
            note=note + (" " + say.word("proposed_year_note") if proposed else ""),
        )
    ]


# --- 06 resources -------------------------------------------------------------------------------
def resources(ctx: Ctx) -> list[m.Slide]:
    """资源与支持需求 from the config."""
    say = ctx.say
    items = ctx.config.resources.get(str(ctx.report.period.start.year), [])
    return [
        m.NumberedCards(
            "cards",
            say.word("resources_title"),
            say.word("config_footnote"),
            cards=[person_card(t) for t in items[i : i + 4]],
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
