"""The weekly report (周报, Monday morning): the ISO week against last week and the same ISO
week last year, the month's pace, the days, the movers, stock, service, problems and next
week's focus — one compact deck without a catalogue or dividers, 8–12 slides."""

from __future__ import annotations

from datetime import date, timedelta

from shopreport.config import Config
from shopreport.deck import model as m
from shopreport.deck.blocks import (
    kpi_cards,
    money_column,
    person_cards,
    problem_slides,
    shown_of,
)
from shopreport.deck.context import DeckContext
from shopreport.deck.monthly import KPI_SERVICE, driver_cards, gmv_cause, service_summary
from shopreport.deck.sections import DeckKind, Section
from shopreport.fmt import fmt_count, fmt_pct, product_label
from shopreport.insights.diagnosis import find_problems, finding_tables
from shopreport.metrics import Period
from shopreport.metrics import schema as S
from shopreport.metrics.period import parse_week
from shopreport.metrics.weekly import WeeklyReport, compute_weekly

Ctx = DeckContext[WeeklyReport]

KPI_WEEK = [
    "gmv",
    "paid_orders",
    "buyers",
    "aov",
    "visitors",
    "conversion",
    "new_buyers",
    "refund_rate",
]
MOVERS_PER_SIDE = 2  # the largest rises and falls of each dimension
STOCK_ROWS = 13
"""Rows of the stock table: as many as one slide holds at the body size."""


# --- the week ---------------------------------------------------------------------------------
def week(ctx: Ctx) -> list[m.Slide]:
    """KPI cards against last week and last year, with the month's pace; why the headlines
    moved; GMV by day beside last week's."""
    say, r = ctx.say, ctx.report
    gmv = r.metrics["gmv"]
    if ctx.available("gmv"):
        head = say.say(
            "weekly_summary",
            gmv=gmv.value,
            mom=gmv.mom,
            yoy=gmv.yoy,
            att=gmv.attainment,
            target=gmv.target,
        )
        summary = say.paragraphs(say.join(head, _pace(ctx)), gmv_cause(ctx))
    else:
        summary = say.say(
            "no_amount_summary", buyers=ctx.value("buyers"), orders=ctx.value("paid_orders")
        )
    title = say.word("week_kpi_title")
    until = ctx.report.covered_until
    if until:  # the exports stop before Sunday: the cards say up to which day
        title = say.say(
            "kpi_title_until", title=title, date=until.isoformat(), month=until.month, day=until.day
        )
    slides: list[m.Slide] = [
        m.KpiCards(
            "kpis",
            title,
            ctx.footnote("orders", "traffic", "refunds"),
            cards=kpi_cards(ctx, KPI_WEEK),
            summary=summary,
        )
    ]
    cards = driver_cards(ctx)
    if cards:
        slides.append(
            m.NumberedCards(
                "cards",
                say.word("drivers_title"),
                ctx.footnote("orders", "traffic", "order_items", "refunds"),
                cards=cards,
            )
        )
    daily = ctx.rows(S.DAILY)
    if ctx.available("gmv") and any(d["gmv"] is not None for d in daily):
        slides.append(_days(ctx, daily))
    return slides


def _pace(ctx: Ctx) -> str:
    """The month so far against the month's target."""
    pace = ctx.data.pace
    if pace.gmv is None:
        return ""
    return ctx.say.say(
        "month_pace",
        month=pace.month.label,
        until=pace.until.isoformat(),
        gmv=pace.gmv,
        target=pace.target,
        att=pace.attainment,
        progress=pace.progress,
        whole=pace.until == pace.month.last_day,
    )


def _days(ctx: Ctx, daily: list[S.DailyRow]) -> m.ChartSlide:
    """GMV of each day of the week beside the same weekday last week and last year."""
    say = ctx.say
    covered = [d for d in daily if d["gmv"] is not None]
    best = max(covered, key=lambda d: d["gmv"] or 0.0)
    worst = min(covered, key=lambda d: d["gmv"] or 0.0)
    weekdays = say.word("weekdays").split()
    start = ctx.report.period.start
    ticks = [
        f"{weekdays[i]} {start + timedelta(days=i):%m-%d}" for i in range(ctx.report.period.days)
    ]
    bullets = [
        say.say(
            "week_best_day",
            weekday=weekdays[best["day"]],
            date=best["date"],
            value=best["gmv"],
            before=best["previous_gmv"],
        ),
        say.say(
            "week_worst_day",
            weekday=weekdays[worst["day"]],
            date=worst["date"],
            value=worst["gmv"],
            before=worst["previous_gmv"],
        ),
    ]
    before = [d for d in covered if d["previous_gmv"] is not None]
    if before:
        above = sum(1 for d in before if (d["gmv"] or 0.0) > (d["previous_gmv"] or 0.0))
        bullets.append(say.say("trend_vs_previous", above=above, days=len(before)))
    data = {
        "gmv": [d["gmv"] for d in daily],
        "previous_gmv": [d["previous_gmv"] for d in daily],
        "last_year_gmv": [d["last_year_gmv"] for d in daily],
        "x_ticks": ticks,
        "labels": {
            "this": say.word("cur_week_label"),
            "previous": say.word("prev_week_label"),
            "last_year": say.word("ly_week_label"),
        },
    }
    return m.ChartSlide(
        "chart",
        say.word("week_trend_title"),
        ctx.footnote("orders"),
        charts=[m.Chart("daily_trend", data, alt=bullets[0])],
        heading=say.word("week_trend_heading"),
        bullets=bullets,
    )


# --- movers -----------------------------------------------------------------------------------
def movers(ctx: Ctx) -> list[m.Slide]:
    """The week's largest rises and falls against last week: categories, sources, products,
    each with its GMV change (its contribution to the shop's change)."""
    say = ctx.say
    found: list[tuple[str, str, float, float]] = []  # kind, name, gmv, previous
    for kind, rows in (
        (
            "category",
            [(r["category"], r["gmv"], r["previous_gmv"]) for r in ctx.rows(S.BY_CATEGORY)],
        ),
        ("source", [(r["source"], r["gmv"], r["previous_gmv"]) for r in ctx.rows(S.BY_SOURCE)]),
        (
            "product",
            [(product_label(r), r["gmv"], r["previous_gmv"]) for r in ctx.rows(S.PRODUCT_MOVERS)],
        ),
    ):
        moved = [
            (name or say.word("unknown"), now or 0.0, before)
            for name, now, before in rows
            if before is not None and (now or 0.0) != before
        ]
        up = sorted((x for x in moved if x[1] > x[2]), key=lambda x: x[2] - x[1])
        down = sorted((x for x in moved if x[1] < x[2]), key=lambda x: x[1] - x[2])
        found += [(kind, *x) for x in up[:MOVERS_PER_SIDE] + down[:MOVERS_PER_SIDE]]
    if not found:
        return []
    deltas = [f[2] - f[3] for f in found]
    gmvs = money_column(  # one unit for the column of amounts and the column of changes
        ctx, [f[2] for f in found] + [f[3] for f in found] + [abs(d) for d in deltas]
    )
    rows = [
        [
            say.word(f"word_{kind}"),
            name,
            gmvs[i],
            gmvs[len(found) + i],
            ("+" if deltas[i] > 0 else "-") + gmvs[2 * len(found) + i],
            fmt_pct(now / before - 1, signed=True) if before else "—",
        ]
        for i, (kind, name, now, before) in enumerate(found)
    ]
    gmv = ctx.report.metrics["gmv"]
    total = (gmv.value or 0.0) - (gmv.previous or 0.0) if gmv.previous is not None else None
    change = gmvs[2 * len(found) :]  # the bullets say the table's changes, in its unit
    side = []
    for kind in ("category", "source", "product"):
        ups = [f for f in found if f[0] == kind and f[2] > f[3]]
        downs = [f for f in found if f[0] == kind and f[2] < f[3]]
        if ups or downs:
            side.append(
                say.say(
                    "movers_line",
                    kind=say.word(f"word_{kind}"),
                    up=ups[0][1] if ups else None,
                    up_delta=change[found.index(ups[0])] if ups else None,
                    down=downs[0][1] if downs else None,
                    down_delta=change[found.index(downs[0])] if downs else None,
                )
            )
    return [
        m.TableSlide(
            "table",
            say.word("movers_title"),
            ctx.footnote("orders", "order_items", "traffic"),
            columns=[
                say.word(w)
                for w in (
                    "col_kind",
                    "col_name",
                    "col_this_week",
                    "col_last_week",
                    "col_delta",
                    "col_mom",
                )
            ],
            rows=rows,
            align=["left", "left", "right", "right", "right", "right"],
            highlight=[i for i, d in enumerate(deltas) if d < 0],
            note=say.say("movers_note", total=total, per_side=MOVERS_PER_SIDE),
            side_heading=say.word("movers_heading"),
            side=side,
        )
    ]


# --- stock ------------------------------------------------------------------------------------
def stock(ctx: Ctx) -> list[m.Slide]:
    """Best sellers out of stock at the week's end, and those that sell out before a delivery
    ordered now can arrive."""
    say = ctx.say
    # what is out first, all of it while the table has room, then what sells out (5 of 7
    # stockouts were listed under a note counting 7, beside 5 rows of selling out)
    out = ctx.rows(S.STOCKOUTS)
    still = _still_out(ctx)
    soon = _selling_out(ctx)
    if not out and not still and not soon:
        return []
    listed = (
        [("stockout", r) for r in out]
        + [("still_out", r) for r in still]
        + [("selling_out", r) for r in soon]
    )[:STOCK_ROWS]
    urgent = sum(1 for kind, _ in listed if kind != "selling_out")
    values = money_column(ctx, [r["gmv"] for _, r in listed])
    rows = [
        [
            say.word(kind),
            product_label(r),
            r["category"] or "—",
            fmt_count(r["on_hand"], ctx.lang),
            values[i],
            f"{r['days_of_cover'] or 0:.0f}",  # out of stock: no days left
            f"{r['lead_time']:.0f}",
            fmt_count(r["reorder_qty"], ctx.lang),
        ]
        for i, (kind, r) in enumerate(listed)
    ]
    return [
        m.TableSlide(
            "table",
            say.word("week_stock_title"),
            ctx.footnote("inventory", "order_items", "products"),
            columns=[
                say.word(w)
                for w in (
                    "col_type",
                    "col_product",
                    "col_category",
                    "col_on_hand",
                    "col_week_gmv",
                    "col_cover",
                    "col_lead",
                    "col_reorder",
                )
            ],
            rows=rows,
            highlight=list(range(urgent)),
            # the note counts every one; the table lists the first of each kind
            caption=shown_of(
                ctx,
                len(listed),
                max(int(ctx.value("stockout_skus") or 0), len(out)) + len(still) + len(soon),
            ),
            note=say.say(
                "week_stock_note",
                stockouts=int(ctx.value("stockout_skus") or 0),
                still=len(still),
                soon=len(soon),
                days=ctx.config.metrics.cover_window_days,
                # the exports' last day when they stop before Sunday ("截至周日" of a Saturday)
                until=ctx.report.covered_until,
            ),
        )
    ]


def _still_out(ctx: Ctx) -> list[S.SkuStockRow]:
    """SKUs to reorder that had no stock all week, so sold nothing (no stockouts by the
    metric's definition, which counts those that sold): the most urgent reorders."""
    sold_out = {r["sku"] for r in ctx.rows(S.STOCKOUTS)}
    return [r for r in ctx.rows(S.REORDER) if r["on_hand"] <= 0 and r["sku"] not in sold_out]


def _selling_out(ctx: Ctx) -> list[S.SkuStockRow]:
    """SKUs in stock that sell out before a delivery ordered now arrives (cover ≤ lead time)."""
    return [
        r
        for r in ctx.rows(S.REORDER)
        if r["on_hand"] > 0
        and r["days_of_cover"] is not None
        and r["days_of_cover"] <= r["lead_time"]
    ]


# --- service ----------------------------------------------------------------------------------
def service(ctx: Ctx) -> list[m.Slide]:
    """Service and reviews: response, satisfaction, ratings, bad reviews, and what moved."""
    cards = kpi_cards(ctx, KPI_SERVICE)
    if not cards:
        return []
    return [
        m.KpiCards(
            "kpis",
            ctx.say.word("service_title"),
            ctx.footnote("service", "reviews"),
            cards=cards,
            summary=service_summary(ctx),
        )
    ]


# --- problems and next week -------------------------------------------------------------------
def problems(ctx: Ctx) -> list[m.Slide]:
    """The week's problems, the largest GMV at risk first: four cards and up to three more in
    a line under them (one slide)."""
    return problem_slides(
        ctx,
        ctx.findings[:WEEK_PROBLEMS],
        ctx.footnote(*finding_tables(ctx.findings[:WEEK_PROBLEMS])),
    )


WEEK_PROBLEMS = 7
FOCUS_CARDS = 4


def focus(ctx: Ctx) -> list[m.Slide]:
    """Next week's focus: the team's plan for it (`plans:` under this week), the reorder of
    what is out of stock or selling out, then the largest problems' actions in their order
    (the focus led with a ¥1,831 refund problem while ¥98.5K of late deliveries were left to
    the slide before)."""
    say = ctx.say
    cards = person_cards(ctx.written(ctx.config.plans.get(ctx.report.period.label, [])))
    ahead = _campaign_next_week(ctx)
    if ahead:
        cards.append(ahead)
    restock = (
        [r for r in ctx.rows(S.STOCKOUTS) if r["reorder_qty"] > 0]
        + _still_out(ctx)
        + _selling_out(ctx)
    )
    if restock and ctx.has("inventory"):
        cards.append(
            m.Card(
                say.word("restock_heading"),
                say.say(
                    "restock_focus",
                    names=[product_label(r) for r in restock[:3]],
                    count=len(restock),
                    units=sum(r["reorder_qty"] for r in restock),
                ),
            )
        )
    for f in ctx.findings[:WEEK_PROBLEMS]:
        if f.rule == "stockout" and restock:
            continue  # the reorder card says it
        cards.append(
            m.Card(
                say.say(f"finding_{f.rule}_title", subject=f.subject, **f.evidence),
                say.say(f"action_{f.rule}_short", subject=f.subject, **f.evidence),
            )
        )
    if not cards:
        return []
    nxt = _label(ctx.report.period.end)
    targets = ctx.config.targets.get(nxt, {})
    note = say.say("next_week_target", gmv=targets["gmv"], label=nxt) if "gmv" in targets else ""
    planned = bool(ctx.config.plans.get(ctx.report.period.label))
    return [
        m.NumberedCards(
            "cards",
            say.word("focus_title"),
            say.say("team_footnote") if planned else ctx.footnote("inventory", "orders"),
            cards=cards[:FOCUS_CARDS],
            note=note,
        )
    ]


def _campaign_next_week(ctx: Ctx) -> m.Card | None:
    """A card for a configured campaign whose phases fall in next week: W44's focus named no
    Double 11 while its peak ran all of next week (its reorders are at the everyday pace). A
    phase that began before next week is said to be under way, not to come."""
    start = ctx.report.period.end
    end = start + timedelta(days=6)
    for key, campaign in ctx.config.campaigns.items():
        phases = [p for p in campaign.phases if p.start <= end and p.end >= start]
        if phases:
            return m.Card(
                ctx.say.word("campaign_ahead_heading"),
                ctx.say.say(
                    "campaign_ahead",
                    name=ctx.written([campaign.name])[0] if campaign.name else key,
                    phases=[
                        {
                            "name": ctx.written([p.name])[0],
                            "start": p.start,
                            "end": p.end,
                            "started": p.start < start,
                        }
                        for p in phases
                    ],
                    target=campaign.targets.get("gmv"),
                ),
            )
    return None


def _label(monday: date) -> str:
    """The ISO week label of the week starting `monday`."""
    year, week_no = monday.isocalendar()[:2]
    return f"{year:04d}-W{week_no:02d}"


def _parse(config: Config, text: str, today: date) -> Period:
    """'2026-W44' or 'previous'."""
    return parse_week(text, config.timezone, today)


KIND: DeckKind[Period, WeeklyReport] = DeckKind(
    name="weekly",
    file_words={"zh-CN": "周报", "en": "weekly_report"},
    parse=_parse,
    label=lambda period: period.label,
    window=lambda config, period: period,
    compute=compute_weekly,
    report=lambda weekly: weekly.report,
    diagnose=lambda weekly, config: find_problems(
        weekly.report, config.thresholds, campaigns=config.campaigns
    ),
    title_values=lambda period, weekly: {
        "year": int(period.label[:4]),
        "week": int(period.label[-2:]),
        "start": period.start,
        # a week whose exports stop early is the days they cover (10月26日–31日, not –11月1日)
        "end": weekly.report.covered_until or period.last_day,
    },
    sections=[
        Section("week", week),
        Section("week_movers", movers),
        Section(
            "week_stock", stock, lambda ctx: None if ctx.has("inventory") else "needs_inventory"
        ),
        Section(
            "week_service",
            service,
            lambda ctx: None if ctx.has("service") or ctx.has("reviews") else "needs_service",
        ),
        Section("week_problems", problems),
        Section("week_focus", focus),
    ],
    compact=True,
)
