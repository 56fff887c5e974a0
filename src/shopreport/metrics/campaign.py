"""Campaign retrospectives: a declared window against its comparison campaign (aligned by phase
day, not calendar date) and against the baseline of the weeks before."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, TypeVar, cast

import polars as pl

from shopreport.config import Campaign, in_language
from shopreport.errors import DataError
from shopreport.metrics.base import (
    BUYER,
    ENGINE,
    by_sku,
    fmean,
    fsum,
    in_range,
    products_of,
    read_base,
    satisfied,
)
from shopreport.metrics.engine import compute_kpis
from shopreport.metrics.measures import Context, buyers_of
from shopreport.metrics.period import Period
from shopreport.metrics.report import KpiReport
from shopreport.metrics.schema import CAMPAIGN_VIEWS, Breakdown, conform_all
from shopreport.sources.dataset import Dataset

R = TypeVar("R")

PEAK_NAMES = ("爆发", "正式", "高潮", "peak", "main", "live")
FOLLOW_UP_DAYS = 30


@dataclass(frozen=True)
class Window:
    """A campaign's phases as periods, its whole window and its peak phase."""

    key: str
    name: str
    phases: list[tuple[str, Period]]
    peak: str

    @property
    def period(self) -> Period:
        """The whole window."""
        start, end = self.phases[0][1].start, self.phases[-1][1].end
        return Period("range", start, end, f"{start}~{end - timedelta(days=1)}")

    @property
    def peak_period(self) -> Period:
        """The peak phase."""
        return dict(self.phases)[self.peak]


def window_of(key: str, campaign: Campaign) -> Window:
    """The campaign's window from its config; without `peak:`, the phase named like a peak
    (爆发, 正式, peak …), else the longest, until the data names the busiest (`busiest_phase`)."""
    phases = [
        (p.name, Period("range", p.start, p.end + timedelta(days=1), p.name))
        for p in campaign.phases
    ]
    peak = campaign.peak or next(
        (n for n, _ in phases if any(w in n.lower() for w in PEAK_NAMES)), None
    )
    peak = peak or max(phases, key=lambda p: p[1].days)[0]
    return Window(key, campaign.name or key, phases, peak)


def busiest_phase(ctx: Context, window: Window, campaign: Campaign) -> Window:
    """The window with its peak set to the phase of the highest GMV per day, unless the config
    names the peak (`peak:`)."""
    if campaign.peak or len(window.phases) < 2:
        return window
    daily = pl.collect_all(
        [
            ctx.lazy_paid(period).select(fsum("paid_amount") / period.days)
            for _, period in window.phases
        ],
        engine=ENGINE,
    )
    per_day = [frame.item() or 0.0 for frame in daily]
    if not any(per_day):
        return window
    best = max(range(len(per_day)), key=lambda i: per_day[i])
    return replace(window, peak=window.phases[best][0])


@dataclass
class CampaignReport:
    """Everything the campaign deck shows: three KPI reports and the campaign's own views."""

    window: Window
    comparison: Window | None
    baseline: Period
    report: KpiReport
    compared: KpiReport | None
    base: KpiReport
    frames: dict[str, pl.DataFrame]
    facts: dict[str, Any]

    def rows(self, view: Breakdown[R]) -> list[R]:
        """Records of a campaign view, typed by its declaration ([] when absent)."""
        frame = self.frames.get(view.name)
        return cast(list[R], frame.to_dicts()) if frame is not None else []


def compute_campaign(ds: Dataset, key: str, today: date | None = None) -> CampaignReport:
    """The campaign `key` of the config, against its comparison campaign and its baseline."""
    campaigns = in_language(ds.config, ds.config.language).campaigns  # names as the deck says
    campaign = campaigns[key]
    window = window_of(key, campaign)
    comparison = (
        window_of(campaign.compare_with, campaigns[campaign.compare_with])
        if campaign.compare_with
        else None
    )
    start = window.period.start
    baseline = Period(
        "range",
        start - timedelta(weeks=campaign.baseline_weeks),
        start,
        f"{start - timedelta(weeks=campaign.baseline_weeks)}~{start - timedelta(days=1)}",
    )
    end = ds.data_end()
    if end is not None and end < window.period.last_day:  # half a campaign compares nothing
        raise DataError(
            f"campaign {key} runs to {window.period.last_day}, and the data ends on {end}: its "
            "retrospective needs the whole campaign; build it once the exports cover its last "
            "day (the monthly and weekly decks already name it)."
        )
    report = compute_kpis(ds, window.period, today, targets=campaign.targets)
    compared = compute_kpis(ds, comparison.period, today, targets={}) if comparison else None
    base_report = compute_kpis(ds, baseline, today, targets={})
    lookback = window.period.start - timedelta(days=ds.config.metrics.returning_lookback_days)
    first = min([baseline.start, lookback] + ([comparison.period.start] if comparison else []))
    ctx = Context(
        ds,
        read_base(ds, first, window.period.end + timedelta(days=FOLLOW_UP_DAYS)),
        ds.config.metrics,
    )
    window = busiest_phase(ctx, window, campaign)
    if comparison and campaign.compare_with:
        comparison = busiest_phase(ctx, comparison, campaigns[campaign.compare_with])
    frames, facts = _views(ctx, window, comparison, baseline)
    frames = conform_all(frames, CAMPAIGN_VIEWS)
    return CampaignReport(
        window, comparison, baseline, report, compared, base_report, frames, facts
    )


def _views(ctx: Context, window: Window, comparison: Window | None, baseline: Period):
    """The campaign's own tables, collected together."""
    queries: dict[str, pl.LazyFrame] = {
        "phases": _phases(ctx, window, comparison),
        "daily": _aligned_daily(ctx, window, comparison),
        "hourly": _hourly(ctx, window, comparison),
        "baseline_total": ctx.lazy_paid(baseline).select(gmv=fsum("paid_amount")),
        "followup": _follow_up(ctx, window),
        **_order_refunds(ctx, window, comparison, baseline),
        "coupons": _coupons(ctx, window.period, baseline),
    }
    if ctx.base.lines is not None:
        queries["categories"] = _lift(ctx, window, comparison, baseline, "category")
        queries["products"] = _lift(ctx, window, comparison, baseline, "sku")
    if "channel" in ctx.base.paid.columns:
        queries["channels"] = _channel_lift(ctx, window, baseline)
    if ctx.ds.has("inventory") and ctx.base.lines is not None:
        queries["stockouts"] = _stockouts(ctx, window, baseline)
    if ctx.ds.has("service"):
        queries["service"] = _service_by_day(ctx, window, baseline)
    if ctx.ds.has("customers") and "age_band" in ctx.ds.columns("customers"):
        queries["profile"] = _profile(ctx, window.period)
    if ctx.ds.has("events") or (
        ctx.ds.has("traffic") and "cart_visitors" in ctx.ds.columns("traffic")
    ):
        queries["cart_path"] = _cart_path(ctx, window)
    names = list(queries)
    frames = dict(
        zip(
            names,
            pl.collect_all([queries[n] for n in names], engine=ENGINE),
            strict=False,
        )
    )
    facts = {
        "baseline_daily_gmv": (frames.pop("baseline_total")["gmv"][0] or 0.0) / baseline.days,
        "followup": frames.pop("followup").row(0, named=True),
        "cart_path": frames.pop("cart_path").row(0, named=True) if "cart_path" in frames else None,
        "basis_cart": "events" if ctx.ds.has("events") else "traffic",
        "order_refunds": {
            name[len("refunds_") :]: frames.pop(name).row(0, named=True)
            for name in list(frames)
            if name.startswith("refunds_")
        },
    }
    return frames, facts


def _phase_frame(windows: list[tuple[str, Period]], prefix: str) -> pl.LazyFrame:
    """(phase index, name, start, end) of a campaign's phases."""
    return pl.LazyFrame(
        {
            "phase_index": list(range(len(windows))),
            f"{prefix}phase": [n for n, _ in windows],
            f"{prefix}start": [p.start for _, p in windows],
            f"{prefix}days": [p.days for _, p in windows],
        }
    )


def _phase_sales(ctx: Context, windows: list[tuple[str, Period]], prefix: str) -> pl.LazyFrame:
    """GMV, orders and buyers of each phase."""
    parts = []
    for i, (_, period) in enumerate(windows):
        parts.append(
            ctx.lazy_paid(period).select(
                pl.lit(i).alias("phase_index"),
                fsum("paid_amount").alias(f"{prefix}gmv"),
                pl.len().alias(f"{prefix}orders"),
                pl.col(BUYER).n_unique().alias(f"{prefix}buyers"),
            )
        )
    return pl.concat(parts)


def _phases(ctx: Context, window: Window, comparison: Window | None) -> pl.LazyFrame:
    """Each phase: GMV, orders, buyers, daily GMV; beside the comparison campaign's same phase."""
    frame = _phase_frame(window.phases, "").join(
        _phase_sales(ctx, window.phases, ""), on="phase_index"
    )
    if comparison:
        cmp = _phase_frame(comparison.phases, "cmp_").join(
            _phase_sales(ctx, comparison.phases, "cmp_"), on="phase_index"
        )
        frame = frame.join(cmp, on="phase_index", how="left")
    return frame.with_columns(daily_gmv=pl.col("gmv") / pl.col("days")).sort("phase_index")


def _aligned_daily(ctx: Context, window: Window, comparison: Window | None) -> pl.LazyFrame:
    """GMV by phase day: day k of phase p here beside day k of phase p in the comparison."""

    def days_of(w: Window, prefix: str) -> pl.LazyFrame:
        rows = [
            (i, k, p.start + timedelta(days=k))
            for i, (_, p) in enumerate(w.phases)
            for k in range(p.days)
        ]
        grid = pl.LazyFrame(
            {
                "phase_index": [r[0] for r in rows],
                "phase_day": [r[1] for r in rows],
                f"{prefix}date": [r[2] for r in rows],
            }
        )
        sales = (
            ctx.lazy_paid(w.period).group_by("day").agg(fsum("paid_amount").alias(f"{prefix}gmv"))
        )
        return grid.join(sales, left_on=f"{prefix}date", right_on="day", how="left").with_columns(
            pl.col(f"{prefix}gmv").fill_null(0.0)
        )

    frame = days_of(window, "")
    if comparison:
        frame = frame.join(days_of(comparison, "cmp_"), on=["phase_index", "phase_day"], how="left")
    return frame.sort("phase_index", "phase_day").with_row_index("position")


def _hourly(ctx: Context, window: Window, comparison: Window | None) -> pl.LazyFrame:
    """GMV by hour of day over the peak phase (and the comparison's peak phase)."""
    hours = pl.LazyFrame({"hour": list(range(24))}, schema={"hour": pl.Int8})

    def by_hour(period: Period, name: str) -> pl.LazyFrame:
        return (
            ctx.lazy_paid(period)
            .group_by(pl.col("pay_time").dt.hour().alias("hour"))
            .agg(fsum("paid_amount").alias(name))
        )

    frame = hours.join(by_hour(window.peak_period, "gmv"), on="hour", how="left")
    if comparison:
        frame = frame.join(by_hour(comparison.peak_period, "cmp_gmv"), on="hour", how="left")
    return frame.with_columns(pl.exclude("hour").fill_null(0.0)).sort("hour")


def _lift(
    ctx: Context, window: Window, comparison: Window | None, baseline: Period, key: str
) -> pl.LazyFrame:
    """GMV by category or SKU: window, comparison, and the baseline's daily GMV × window days."""
    days = window.period.days

    def gmv(period: Period, name: str) -> pl.LazyFrame:
        return by_sku(ctx.lazy_lines(period), ctx.ds).group_by(key).agg(fsum("gmv").alias(name))

    frame = gmv(window.period, "gmv").join(
        gmv(baseline, "baseline_gmv"), on=key, how="left", nulls_equal=True
    )
    if comparison:
        frame = frame.join(gmv(comparison.period, "cmp_gmv"), on=key, how="left", nulls_equal=True)
    frame = frame.with_columns(
        baseline_same_days=pl.col("baseline_gmv") / baseline.days * days,
        share=pl.col("gmv") / fsum("gmv"),
    ).with_columns(
        lift=pl.when(pl.col("baseline_same_days") > 0).then(
            pl.col("gmv") / pl.col("baseline_same_days")
        )
    )
    if key == "sku":
        frame = frame.join(
            products_of(ctx.ds).select("sku", "name", "category"), on="sku", how="left"
        )
    return frame.sort(["gmv", key], descending=[True, False], nulls_last=True)


def _channel_lift(ctx: Context, window: Window, baseline: Period) -> pl.LazyFrame:
    """Daily GMV and buyers by source in the window against the baseline, with visitors where
    known."""

    def per_day(period: Period, prefix: str) -> pl.LazyFrame:
        return (
            ctx.lazy_paid(period)
            .group_by(pl.col("channel").alias("source"))
            .agg(
                (fsum("paid_amount") / period.days).alias(f"{prefix}daily_gmv"),
                pl.col(BUYER).n_unique().alias(f"{prefix}buyers"),
            )
        )

    frame = per_day(window.period, "").join(per_day(baseline, "baseline_"), on="source", how="left")
    for period, prefix in ((window.period, ""), (baseline, "baseline_")):
        visitors = _visitors_by_source(ctx, period)
        if visitors is not None:
            frame = frame.join(
                visitors.rename({"visitors": f"{prefix}visitors"}), on="source", how="left"
            )
            frame = frame.with_columns(
                pl.when(pl.col(f"{prefix}visitors") > 0)
                .then(pl.col(f"{prefix}buyers") / pl.col(f"{prefix}visitors"))
                .alias(f"{prefix}conversion")
            )
    return frame.with_columns(
        lift=pl.when(pl.col("baseline_daily_gmv") > 0).then(
            pl.col("daily_gmv") / pl.col("baseline_daily_gmv")
        )
    ).sort(["daily_gmv", "source"], descending=[True, False])


def _visitors_by_source(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Visitors by source in a period (events distinct; traffic summed)."""
    if ctx.ds.has("events") and "source" in ctx.ds.columns("events"):
        events = ctx.ds.frame("events").filter(in_range("time", period.start, period.end))
        return events.group_by("source").agg(visitors=pl.col("visitor_id").n_unique())
    if ctx.ds.has("traffic"):
        traffic = ctx.ds.frame("traffic").filter(
            in_range("date", period.start, period.end, dates=True)
        )
        return traffic.group_by("source").agg(visitors=fsum("visitors"))
    return None


def _order_refunds(
    ctx: Context, window: Window, comparison: Window | None, baseline: Period
) -> dict[str, pl.LazyFrame]:
    """The refunds of each period's own orders ("refunds_window", "refunds_baseline",
    "refunds_compared"): each refunded within as many days of its payment as the data covers
    after the window (up to FOLLOW_UP_DAYS; none when it covers no day), ÷ those orders' GMV.
    Refunds made in a window ÷ its GMV fall in a sales peak only because refunds come days
    after payment (618: 7.2 % against 8.9 % before, while the campaign's orders were refunded
    as much as before's)."""
    if not ctx.ds.has("refunds") or "order_id" not in ctx.ds.columns("refunds"):
        return {}
    data_end = ctx.ds.data_end()
    days = (
        FOLLOW_UP_DAYS
        if data_end is None
        else max(0, min(FOLLOW_UP_DAYS, (data_end - window.period.last_day).days))
    )
    if days < 1:  # the data ends with the window: no order has had a day to be refunded
        return {}
    periods = {"window": window.period, "baseline": baseline}
    if comparison:
        periods["compared"] = comparison.period
    orders = ctx.ds.frame("orders").filter(pl.col("pay_time").is_not_null())
    refunds = ctx.ds.frame("refunds")
    out = {}
    for name, period in periods.items():
        own = orders.filter(in_range("pay_time", period.start, period.end))
        # each order's refunds within the same days of its own payment: a peak's young orders
        # are not measured with fewer days than the baseline's
        refunded = refunds.join(own.select("order_id", "pay_time"), on="order_id").filter(
            pl.col("refund_time") < pl.col("pay_time") + timedelta(days=days)
        )
        out[f"refunds_{name}"] = pl.concat(
            [own.select(gmv=fsum("paid_amount")), refunded.select(refunded=fsum("amount"))],
            how="horizontal",
        ).with_columns(
            rate=pl.when(pl.col("gmv") > 0).then(pl.col("refunded") / pl.col("gmv")),
            days=pl.lit(days),
        )
    return out


def _follow_up(ctx: Context, window: Window) -> pl.LazyFrame:
    """The campaign's new buyers (as the new_buyers metric counts them: no payment in the
    look-back days before the window): who paid again within 30 days after it.

    When the data ends sooner, the days it covers are counted (`days`), and with no day after
    the window the share is unknown, not zero.
    """
    period = window.period
    data_end = ctx.ds.data_end()
    covered = (
        FOLLOW_UP_DAYS
        if data_end is None
        else max(0, min(FOLLOW_UP_DAYS, (data_end - period.last_day).days))
    )
    new = buyers_of(ctx, period).filter(~pl.col("returning")).select(BUYER)
    after = ctx.base.paid.lazy().filter(
        in_range("pay_time", period.end, period.end + timedelta(days=covered))
    )
    again = after.join(new, on=BUYER, how="semi")
    known = pl.lit(covered > 0)
    return pl.concat(
        [
            new.select(new_buyers=pl.len()),
            again.select(returned=pl.col(BUYER).n_unique(), returned_gmv=fsum("paid_amount")),
        ],
        how="horizontal",
    ).with_columns(
        returned=pl.when(known).then(pl.col("returned")),
        returned_gmv=pl.when(known).then(pl.col("returned_gmv")),
        share=pl.when(known & (pl.col("new_buyers") > 0)).then(
            pl.col("returned") / pl.col("new_buyers")
        ),
        days=pl.lit(covered),
    )


def _profile(ctx: Context, period: Period) -> pl.LazyFrame:
    """Age bands of the window's new and returning buyers (share within each group)."""
    buyers = buyers_of(ctx, period, ids=True).select(
        "customer_id",
        segment=pl.when(pl.col("returning")).then(pl.lit("returning")).otherwise(pl.lit("new")),
    )
    customers = ctx.ds.frame("customers").select("customer_id", "age_band").unique("customer_id")
    return (
        buyers.join(customers, on="customer_id", how="left")
        .group_by("segment", "age_band")
        .agg(buyers=pl.len())
        .with_columns(share=pl.col("buyers") / pl.col("buyers").sum().over("segment"))
        .sort("segment", "age_band", nulls_last=True)
    )


def _coupons(ctx: Context, period: Period, baseline: Period) -> pl.LazyFrame:
    """Orders with a 满X减Y coupon: how many sat just above the threshold (within the
    `coupon_near_threshold` share above it), in the window and in the baseline weeks before it
    (a threshold "pulls" baskets only against how they sat without the campaign: 满99's share
    fell from 19.5 % before to 6.3 %)."""
    cols = ctx.base.paid.columns
    near = 1 + ctx.ds.config.thresholds.coupon_near_threshold
    if "coupon_code" not in cols:
        return pl.LazyFrame(
            schema={
                "threshold": pl.Float64,
                "orders": pl.UInt32,
                "near": pl.UInt32,
                "order_value": pl.Float64,
                "baseline_orders": pl.UInt32,
                "baseline_near": pl.UInt32,
            }
        )
    # the basket the threshold is checked on: what was paid, plus the coupon's own 减Y, less
    # shipping (满减 counts goods after their markdowns; adding back every discount put a 双11
    # 9折 order's list price against 满200 and found 1.5 % "just above" where 38.9 % were)
    coupon = pl.col("coupon_code").str.extract(r"满\d+减(\d+)", 1).cast(pl.Float64, strict=False)
    fallback = pl.col("discount_amount").fill_null(0) if "discount_amount" in cols else pl.lit(0.0)
    shipping = pl.col("shipping_fee").fill_null(0) if "shipping_fee" in cols else pl.lit(0.0)

    def of(window: Period) -> pl.LazyFrame:
        return (
            ctx.lazy_paid(window)
            .with_columns(
                threshold=pl.col("coupon_code")
                .str.extract(r"满(\d+)减", 1)
                .cast(pl.Float64, strict=False),
                before=pl.col("paid_amount") - shipping + pl.coalesce(coupon, fallback),
            )
            .filter(pl.col("threshold").is_not_null())
            .group_by("threshold")
            .agg(
                orders=pl.len(),
                near=(
                    (pl.col("before") >= pl.col("threshold"))
                    & (pl.col("before") < pl.col("threshold") * near)
                ).sum(),
                order_value=fmean("paid_amount"),
            )
        )

    before = of(baseline).select("threshold", baseline_orders="orders", baseline_near="near")
    return of(period).join(before, on="threshold", how="left").sort("threshold")


def _stockouts(ctx: Context, window: Window, baseline: Period) -> pl.LazyFrame:
    """SKUs that sold before the window and had days without stock in it, with the GMV those
    days likely lost: days out × baseline daily GMV × the shop's campaign lift."""
    period = window.period
    inventory = ctx.ds.frame("inventory").filter(
        in_range("date", period.start, period.end, dates=True)
    )
    out = (
        inventory.group_by("date", "sku")
        .agg(on_hand=fsum("on_hand"))
        .group_by("sku")
        .agg(days_out=(pl.col("on_hand") <= 0).sum())
    )
    before = by_sku(ctx.lazy_lines(baseline), ctx.ds).select(
        "sku", "name", "category", baseline_daily=pl.col("gmv") / baseline.days
    )
    shop_lift = pl.concat(
        [
            ctx.lazy_paid(period).select(now=fsum("paid_amount") / period.days),
            ctx.lazy_paid(baseline).select(then=fsum("paid_amount") / baseline.days),
        ],
        how="horizontal",
    ).select(lift=pl.when(pl.col("then") > 0).then(pl.col("now") / pl.col("then")).otherwise(1.0))
    return (
        out.filter(pl.col("days_out") > 0)
        .join(before, on="sku", how="inner")
        .join(shop_lift, how="cross")
        .with_columns(lost=pl.col("days_out") * pl.col("baseline_daily") * pl.col("lift"))
        .sort(["lost", "sku"], descending=[True, False])
        .head(ctx.opts.top_n)
    )


def _service_by_day(ctx: Context, window: Window, baseline: Period) -> pl.LazyFrame:
    """Sessions, mean first response and satisfaction per day of the window, and the baseline's."""
    cols = ctx.ds.columns("service")
    rate = (
        (satisfied().sum() / pl.col("satisfaction").count())
        if "satisfaction" in cols
        else pl.lit(None, pl.Float64)
    )

    def stats(period: Period, by_day: bool) -> pl.LazyFrame:
        frame = ctx.ds.frame("service").filter(in_range("start_time", period.start, period.end))
        aggs = [
            pl.len().alias("sessions"),
            fmean("first_response_seconds").alias("first_response_s"),
            rate.alias("satisfaction_rate"),
        ]
        if by_day:
            return frame.group_by(pl.col("start_time").dt.date().alias("date")).agg(aggs)
        return frame.select(aggs).with_columns(
            date=pl.lit(None, pl.Date), sessions=pl.col("sessions") / period.days
        )

    return pl.concat(
        [stats(window.period, True).sort("date"), stats(baseline, False)], how="diagonal_relaxed"
    )


def _cart_path(ctx: Context, window: Window) -> pl.LazyFrame:
    """Pre-heat carts converted at the peak: with events, visitors who carted in the phases
    before the peak and paid in it; with daily traffic, pre-heat cart visitors against peak
    buyers."""
    names = [n for n, _ in window.phases]
    before = [p for n, p in window.phases[: names.index(window.peak)]]
    peak = window.peak_period
    if not before:
        return pl.LazyFrame(
            {"carted": [None], "converted": [None]},
            schema={"carted": pl.Float64, "converted": pl.Float64},
        )
    pre = Period("range", before[0].start, before[-1].end, "pre")
    if ctx.ds.has("events"):
        events = ctx.ds.frame("events")
        carted = (
            events.filter(in_range("time", pre.start, pre.end) & (pl.col("event") == "cart"))
            .select("visitor_id")
            .unique()
        )
        paid = (
            events.filter(in_range("time", peak.start, peak.end) & (pl.col("event") == "pay"))
            .select("visitor_id")
            .unique()
        )
        return pl.concat(
            [
                carted.select(carted=pl.len().cast(pl.Float64)),
                carted.join(paid, on="visitor_id", how="semi").select(
                    converted=pl.len().cast(pl.Float64)
                ),
            ],
            how="horizontal",
        )
    traffic = ctx.ds.frame("traffic")
    return pl.concat(
        [
            traffic.filter(in_range("date", pre.start, pre.end, dates=True)).select(
                carted=fsum("cart_visitors")
            ),
            ctx.lazy_paid(peak).select(converted=pl.col(BUYER).n_unique().cast(pl.Float64)),
        ],
        how="horizontal",
    )
