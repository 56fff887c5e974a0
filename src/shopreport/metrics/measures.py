"""Measured metrics: per query group, one-row LazyFrames for one period.

Each `measure_*` returns the queries of its group for a period and the reasons of the
metrics it cannot measure with the data at hand. Derived metrics are not computed here
(see registry.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import polars as pl

from shopreport.config import MetricOptions
from shopreport.metrics.base import (
    BUYER,
    Base,
    bad_review,
    by_sku,
    fmean,
    fsum,
    in_range,
    products_of,
    satisfied,
)
from shopreport.metrics.period import Period
from shopreport.sources.dataset import Dataset
from shopreport.vocab.metrics import group_ids

BOT_NAMES = ["bot", "robot", "机器人", "智能客服", "ai"]


@dataclass
class Context:
    """What every measure needs: the data, the shared frames and the metric options."""

    ds: Dataset
    base: Base
    opts: MetricOptions
    covered_until: date | None = None
    """The data's last day when it stops inside the report's period (see engine)."""
    as_of: date | None = None
    """The day after the last day the data speaks for in the report's period, when that is
    before its end (the data stops early, or the period is still running): stock and the
    sales rates beside it are taken as of then."""

    def end_of(self, w: Period) -> date:
        """Where a window's stock and sales-rate figures end: `as_of`, or the window's end."""
        return min(w.end, self.as_of) if self.as_of and self.as_of > w.start else w.end

    def days_of(self, w: Period) -> int:
        """A window's days up to `end_of` (a stockout's pace over them ranks it)."""
        return (self.end_of(w) - w.start).days

    def lazy_paid(self, period: Period) -> pl.LazyFrame:
        """Paid orders of the period."""
        return self.base.paid.lazy().filter(in_range("pay_time", period.start, period.end))

    def lazy_lines(self, period: Period) -> pl.LazyFrame:
        """Daily SKU sales (order lines summed per SKU and day) of the period."""
        return self.base.lines.lazy().filter(in_range("day", period.start, period.end, dates=True))


@dataclass
class Measured:
    """The queries of one group for one period, and why some of its metrics are missing."""

    queries: list[pl.LazyFrame] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)


def buyers_of(ctx: Context, w: Period, ids: bool = False) -> pl.LazyFrame:
    """One row per buyer (`BUYER`) of the period: paid orders, GMV, and whether they are
    returning (also paid in the look-back days before the period start); `ids`: with their
    customer_id, for a join with another table."""
    carried = [pl.col("customer_id").first()] if ids else []
    per_buyer = ctx.lazy_paid(w).group_by(BUYER).agg(*carried, n=pl.len(), gmv=fsum("paid_amount"))
    lookback = (
        ctx.base.paid.lazy()
        .filter(
            in_range(
                "pay_time", w.start - timedelta(days=ctx.opts.returning_lookback_days), w.start
            )
        )
        .select(BUYER)
        .join(per_buyer.select(BUYER), on=BUYER, how="semi")
        .unique()
        .with_columns(returning=pl.lit(True))
    )
    return per_buyer.join(lookback, on=BUYER, how="left").with_columns(
        pl.col("returning").fill_null(False)
    )


def measure_orders(ctx: Context, w: Period) -> Measured:
    """gmv, paid_orders, buyers, returning_buyers, repurchase_rate."""
    per_buyer = buyers_of(ctx, w)
    totals = per_buyer.select(
        gmv=fsum("gmv"),
        paid_orders=pl.col("n").sum(),
        buyers=pl.len(),
        returning_buyers=pl.col("returning").sum(),
    )
    window = ctx.opts.repurchase_window_days
    if window:
        repeat = ctx.base.paid.lazy().filter(
            in_range("pay_time", w.end - timedelta(days=window), w.end)
        )
        repeat = repeat.group_by(BUYER).agg(n=pl.len())
    else:
        repeat = per_buyer
    rate = repeat.select(
        repurchase_rate=pl.when(pl.len() > 0).then((pl.col("n") >= 2).sum() / pl.len())
    )
    missing = {} if ctx.ds.amounts_known else {"gmv": "orders have no amounts"}
    return Measured([totals, rate], missing)


def measure_refunds(ctx: Context, w: Period) -> Measured:
    """refund_amount and refunded_orders of refunds made in the period."""
    if not ctx.ds.has("refunds"):
        return Measured(missing=dict.fromkeys(group_ids("refunds"), "no refunds table"))
    refunds = ctx.ds.frame("refunds").filter(in_range("refund_time", w.start, w.end))
    return Measured(
        [
            refunds.select(
                refund_amount=fsum("amount"), refunded_orders=pl.col("order_id").n_unique()
            )
        ]
    )


def measure_traffic(ctx: Context, w: Period) -> Measured:
    """visitors and cart_visitors: true distinct from events, else sums of daily traffic."""
    if ctx.ds.has("events"):
        events = ctx.ds.frame("events").filter(in_range("time", w.start, w.end))
        return Measured(
            [
                events.select(
                    visitors=pl.col("visitor_id").n_unique(),
                    cart_visitors=pl.col("visitor_id").filter(pl.col("event") == "cart").n_unique(),
                )
            ]
        )
    if not ctx.ds.has("traffic"):
        return Measured(missing=dict.fromkeys(group_ids("traffic"), "no traffic or events table"))
    traffic = ctx.ds.frame("traffic").filter(in_range("date", w.start, w.end, dates=True))
    has_cart = "cart_visitors" in ctx.ds.columns("traffic")
    cart = fsum("cart_visitors") if has_cart else pl.lit(None, pl.Float64)
    missing = {} if has_cart else {"cart_visitors": "traffic has no cart_visitors column"}
    return Measured([traffic.select(visitors=fsum("visitors"), cart_visitors=cart)], missing)


def measure_lines(ctx: Context, w: Period) -> Measured:
    """units, line revenue and cost of goods of paid orders' lines."""
    if ctx.base.lines is None:
        return Measured(missing=dict.fromkeys(group_ids("lines"), "no order_items table"))
    skus = by_sku(ctx.lazy_lines(w), ctx.ds)
    costed = pl.col("cost").is_not_null()
    missing = {}
    if "unit_cost" not in ctx.ds.columns("products"):
        missing = dict.fromkeys(["costed_revenue", "cogs"], "products have no unit_cost")
    return Measured(
        [
            skus.select(
                units=pl.col("units").sum(),
                line_revenue=fsum("revenue"),
                costed_revenue=fsum(pl.col("revenue").filter(costed)),
                cogs=fsum("cost"),
            )
        ],
        missing,
    )


def inventory_missing(ctx: Context) -> str | None:
    """Why inventory metrics cannot be computed, or None."""
    absent = [t for t in ("inventory", "order_items", "products") if not ctx.ds.has(t)]
    return f"needs the {', '.join(absent)} table(s)" if absent else None


def sku_status(ctx: Context, w: Period) -> pl.LazyFrame:
    """Per SKU at the period end: stock, sales, velocity, cover, reorder quantity."""
    opts = ctx.opts
    end = ctx.end_of(w)
    inventory = ctx.ds.frame("inventory").filter(in_range("date", w.start, end, dates=True))
    last = inventory.select(pl.col("date").max().alias("date"))
    stock = inventory.join(last, on="date", how="semi").group_by("sku").agg(on_hand=fsum("on_hand"))
    lines = ctx.base.lines.lazy()
    sold = (
        ctx.lazy_lines(w).group_by("sku").agg(units=pl.col("quantity").sum(), gmv=fsum("line_gmv"))
    )
    pace = _selling_pace(ctx, stock.select("sku"), end)
    last_sale = lines.filter(pl.col("day") < end).group_by("sku").agg(last_sale=pl.col("day").max())
    # a SKU counted without stock within the slow window could not sell all of it: restocked
    # on the 26th after four weeks out, it is a reorder, not a slow mover
    short = (
        ctx.ds.frame("inventory")
        .filter(in_range("date", end - timedelta(days=opts.slow_mover_days), end, dates=True))
        .group_by("sku", "date")
        .agg(on_hand=pl.col("on_hand").sum())
        .group_by("sku")
        .agg(_ran_out=(pl.col("on_hand") <= 0).any())
    )
    frame = (
        stock.join(products_of(ctx.ds).rename({"launch_date": "_launched"}), on="sku", how="left")
        .join(sold, on="sku", how="left")
        .join(pace, on="sku", how="left")
        .join(last_sale, on="sku", how="left")
        .join(short, on="sku", how="left")
        .with_columns(
            pl.col(
                "units", "gmv", "recent_units", "sum_sq", "recent_gmv", "selling_days"
            ).fill_null(0)
        )
    )
    cost = pl.coalesce("unit_cost", "price")
    slow_since = pl.lit(end - timedelta(days=opts.slow_mover_days)).cast(pl.Date)
    lead = pl.col("lead_time_days").fill_null(opts.lead_time_days)
    n = pl.col("selling_days").cast(pl.Float64)
    velocity = pl.when(n > 0).then(pl.col("recent_units") / n).otherwise(0.0)
    sigma = (
        pl.when(n > 1)
        .then((pl.col("sum_sq") - pl.col("recent_units") ** 2 / n) / (n - 1))
        .otherwise(0.0)
        .clip(lower_bound=0)
        .sqrt()
    )
    need = (
        velocity * (lead + opts.review_days)
        + opts.safety_z * sigma * lead.sqrt()
        - pl.col("on_hand")
    )
    return (
        frame.with_columns(
            stock_value=pl.col("on_hand") * cost,
            velocity=velocity,
            daily_gmv=pl.when(n > 0).then(pl.col("recent_gmv") / n).otherwise(0.0),
            days_of_cover=pl.when(velocity > 0).then(pl.col("on_hand") / velocity),
            days_since_sale=(pl.lit(end - timedelta(days=1)) - pl.col("last_sale")).dt.total_days(),
            lead_time=lead,
            reorder_qty=need.clip(lower_bound=0).ceil(),
            # no sale in the last N days, on sale for longer than that (a product launched on
            # the 29th is new, not slow: the annual review listed two December launches), and
            # in stock at every count of them
            slow=(pl.col("on_hand") > 0)
            & (
                pl.col("last_sale").is_null()
                | (pl.col("last_sale") < end - timedelta(days=opts.slow_mover_days))
            )
            & (pl.col("_launched").is_null() | (pl.col("_launched") < slow_since))
            & ~pl.col("_ran_out").fill_null(False),
            stockout=(pl.col("on_hand") <= 0) & (pl.col("units") > 0),
        )
        .drop("_launched", "_ran_out")
        .sort("sku")
    )


PACE_LOOKBACK_DAYS = 91
"""How far back a SKU's selling days are looked for (its last `cover_window_days` of them)."""


def _selling_pace(ctx: Context, skus: pl.LazyFrame, end: date) -> pl.LazyFrame:
    """Per SKU, its last `cover_window_days` selling days before `end` (within
    `PACE_LOOKBACK_DAYS`, from the first day of the data on): units, their squares' sum and GMV
    over those days, their number, and when a SKU out of stock at `end` ran out (`out_since`).

    A day the SKU sold nothing while its stock, as last counted (the latest snapshot on or
    before that day: daily or weekly counts alike), was none is no selling day: it could not
    sell, so it says nothing of demand (a best seller out of stock for four weeks would
    otherwise need no reorder). Nor is a day of a configured campaign's phases (its demand is
    no everyday pace). Days before its first snapshot count as selling days. It ran
    out the day after its last count with stock, or on its last sale after that count (a
    weekly count misses the days between)."""
    first = ctx.base.first_payment
    start = end - timedelta(days=PACE_LOOKBACK_DAYS)
    if first is not None:
        start = min(max(start, first.date()), end)
    calendar = pl.LazyFrame(
        {"day": pl.date_range(start, end, closed="left", eager=True)}, schema={"day": pl.Date}
    )
    sales = (
        ctx.base.lines.lazy()
        .filter(in_range("day", start, end, dates=True))
        .group_by("sku", "day")
        .agg(q=pl.col("quantity").sum(), g=fsum("line_gmv"))
    )
    counts = (
        ctx.ds.frame("inventory")
        .filter(in_range("date", start, end, dates=True))
        .group_by("sku", pl.col("date").alias("day"))
        .agg(on_hand=pl.col("on_hand").sum())
        .sort("day")
    )
    days = (
        skus.join(calendar, how="cross")
        .sort("day")
        .join_asof(counts, on="day", by="sku", strategy="backward", check_sortedness=False)
        .join(sales, on=["sku", "day"], how="left")
        .with_columns(pl.col("q").fill_null(0), pl.col("g").fill_null(0.0))
    )
    selling = ~(pl.col("on_hand") <= 0).fill_null(False) | (pl.col("q") > 0)
    # a campaign's days are no everyday demand: June's 618 made July's reorders (大容量破壁机
    # 4.4 a day, 93 units; July sold 58); unless fewer than half a window of other selling days
    # are left (a product launched for the campaign), which would read as no demand at all
    everyday = pl.lit(True)
    for campaign in ctx.ds.config.campaigns.values():
        for phase in campaign.phases:
            everyday = everyday & ~pl.col("day").is_between(phase.start, phase.end)
    enough = everyday.sum().over("sku") >= ctx.opts.cover_window_days / 2
    last_count = counts.filter(pl.col("on_hand") > 0).group_by("sku").agg(counted=pl.max("day"))
    last_sale = (
        days.join(last_count, on="sku", how="left")
        .filter(pl.col("q") > 0, pl.col("day") > pl.col("counted").fill_null(date.min))
        .group_by("sku")
        .agg(sold=pl.max("day"))
    )
    return (
        days.filter(selling)
        .filter(everyday | ~enough)
        .sort("sku", "day")
        .group_by("sku")
        .tail(ctx.opts.cover_window_days)
        .group_by("sku")
        .agg(
            recent_units=pl.col("q").sum(),
            sum_sq=(pl.col("q") ** 2).sum(),
            recent_gmv=fsum("g"),
            selling_days=pl.len(),
        )
        .join(last_count, on="sku", how="full", coalesce=True)
        .join(last_sale, on="sku", how="left")
        .with_columns(
            out_since=pl.max_horizontal(pl.col("counted") + timedelta(days=1), pl.col("sold"))
        )
        .drop("counted", "sold")
    )


def measure_inventory(ctx: Context, w: Period) -> Measured:
    """Stock value, turnover, sell-through, stockouts, slow movers, cover and reorders."""
    reason = inventory_missing(ctx)
    if reason:
        return Measured(missing=dict.fromkeys(group_ids("inventory"), reason))
    status = sku_status(ctx, w)
    products = ctx.ds.frame("products")
    pcols = [c for c in ("unit_cost", "price") if c in products.collect_schema().names()]
    if not pcols:
        return Measured(
            missing=dict.fromkeys(group_ids("inventory"), "products have no unit_cost or price")
        )
    end = ctx.end_of(w)
    valued = (
        ctx.ds.frame("inventory")
        .filter(in_range("date", w.start, end, dates=True))
        .join(products.select("sku", *pcols).unique("sku", keep="first"), on="sku", how="left")
        .with_columns(value=pl.col("on_hand") * pl.coalesce(pcols))
    )
    avg_stock = valued.group_by("date").agg(v=fsum("value")).select(avg_stock=fmean("v"))
    units = by_sku(ctx.lazy_lines(replace(w, end=end)), ctx.ds).select(
        units=pl.col("units").sum(), cogs=fsum("cost_or_price")
    )
    totals = status.select(
        on_hand=fsum("on_hand"),
        stock_value=fsum("stock_value"),
        stockout_skus=pl.col("stockout").sum(),
        slow_movers=pl.col("slow").sum(),
        slow_stock_value=fsum(pl.col("stock_value").filter(pl.col("slow"))),
        velocity=fsum("velocity"),
        reorder_qty=pl.col("reorder_qty").sum(),
        reorder_skus=(pl.col("reorder_qty") > 0).sum(),
    )
    days = float((end - w.start).days)  # the days the stock and the sales speak for
    combined = pl.concat([totals, avg_stock, units], how="horizontal").select(
        sell_through=pl.when(pl.col("units") + pl.col("on_hand") > 0).then(
            pl.col("units") / (pl.col("units") + pl.col("on_hand"))
        ),
        stock_value="stock_value",
        turnover_days=pl.when(pl.col("cogs") > 0).then(
            pl.col("avg_stock") / (pl.col("cogs") / days)
        ),
        stockout_skus="stockout_skus",
        slow_movers="slow_movers",
        slow_stock_value="slow_stock_value",
        days_of_cover=pl.when(pl.col("velocity") > 0).then(pl.col("on_hand") / pl.col("velocity")),
        stock_units="on_hand",
        daily_units="velocity",
        reorder_qty="reorder_qty",
        reorder_skus="reorder_skus",
    )
    return Measured([combined])


def measure_marketing(ctx: Context, w: Period) -> Measured:
    """Paid channels: spend, attributed GMV, impressions, clicks."""
    if not ctx.ds.has("marketing"):
        return Measured(missing=dict.fromkeys(group_ids("marketing"), "no marketing table"))
    cols = ctx.ds.columns("marketing")
    marketing = ctx.ds.frame("marketing").filter(in_range("date", w.start, w.end, dates=True))
    missing = {m: f"marketing has no {m} column" for m in group_ids("marketing") if m not in cols}
    return Measured(
        [marketing.select([fsum(m) for m in group_ids("marketing") if m in cols])], missing
    )


def measure_service(ctx: Context, w: Period) -> Measured:
    """Customer-service sessions: response times, resolution, satisfaction, bot share, inquiry
    conversion."""
    if not ctx.ds.has("service"):
        return Measured(missing=dict.fromkeys(group_ids("service"), "no service table"))
    cols = ctx.ds.columns("service")
    sessions = ctx.ds.frame("service").filter(in_range("start_time", w.start, w.end))
    exprs = [
        pl.len().alias("service_sessions"),
        fmean("first_response_seconds").alias("first_response_s"),
        pl.col("first_response_seconds").quantile(0.9, "linear").alias("first_response_p90_s"),
    ]
    missing = {}
    optional = {
        "resolution_rate": ("resolved", pl.col("resolved").cast(pl.Float64).mean()),
        "satisfaction_rate": ("satisfaction", satisfied().sum() / pl.col("satisfaction").count()),
        "bot_share": (
            "handled_by",
            pl.col("handled_by").str.to_lowercase().is_in(BOT_NAMES).mean(),
        ),
    }
    for metric, (column, expr) in optional.items():
        if column in cols:
            exprs.append(expr.alias(metric))
        else:
            missing[metric] = f"service has no {column} column"
    queries = [sessions.select(exprs)]
    if "customer_id" in cols:
        queries.append(_inquiry_conversion(ctx, sessions, w))
    else:
        missing["inquiry_conversion"] = "service has no customer_id column"
    return Measured(queries, missing)


def _inquiry_conversion(ctx: Context, sessions: pl.LazyFrame, w: Period) -> pl.LazyFrame:
    """Share of inquiring customers who paid within 24 h after one of their sessions."""
    asked = (
        sessions.filter(pl.col("customer_id").is_not_null())
        .select("customer_id", "start_time")
        .sort("start_time")
    )
    # only payments that can match: the inquirers', from the period start to a day after it
    # (the shared scan ends with the report's period: the day after is read from the orders)
    until = w.end + timedelta(days=1)
    payments = [ctx.base.paid.lazy().filter(in_range("pay_time", w.start, until))]
    scanned_to, until_dt = ctx.base.span[1], datetime.combine(until, datetime.min.time())
    if until_dt > scanned_to:
        payments.append(
            ctx.ds.frame("orders").filter(
                pl.col("pay_time").is_not_null() & in_range("pay_time", scanned_to, until_dt)
            )
        )
    paid = (
        pl.concat([p.select("customer_id", "pay_time") for p in payments])
        .join(asked.select("customer_id").unique(), on="customer_id", how="semi")
        .sort("pay_time")
    )
    matched = asked.join_asof(
        paid,
        left_on="start_time",
        right_on="pay_time",
        by="customer_id",
        strategy="forward",
        tolerance=timedelta(hours=24),
        check_sortedness=False,
    )
    per_customer = matched.group_by("customer_id").agg(paid=pl.col("pay_time").is_not_null().any())
    return per_customer.select(inquiry_conversion=pl.when(pl.len() > 0).then(pl.col("paid").mean()))


def measure_reviews(ctx: Context, w: Period) -> Measured:
    """Review count, average rating and bad-review rate."""
    if not ctx.ds.has("reviews"):
        return Measured(missing=dict.fromkeys(group_ids("reviews"), "no reviews table"))
    reviews = ctx.ds.frame("reviews").filter(in_range("review_time", w.start, w.end))
    return Measured(
        [
            reviews.select(
                reviews=pl.len(),
                avg_rating=fmean("rating"),
                bad_review_rate=pl.when(pl.len() > 0).then(bad_review().sum() / pl.len()),
            )
        ]
    )


def measure_fulfilment(ctx: Context, w: Period) -> Measured:
    """Shipping and delivery of the period's paid orders: shipped within the promised hours,
    days to delivery, deliveries later than promised."""
    cols = ctx.base.paid.columns
    if "ship_time" not in cols:
        return Measured(missing=dict.fromkeys(group_ids("fulfilment"), "orders have no ship_time"))
    paid = ctx.lazy_paid(w)
    shipped = pl.col("ship_time").is_not_null()
    on_time = (pl.col("ship_time") - pl.col("pay_time")) <= timedelta(hours=ctx.opts.ship_hours)
    exprs = [
        shipped.sum().alias("shipped_orders"),
        pl.when(shipped.sum() > 0)
        .then((shipped & on_time).sum() / shipped.sum())
        .alias("ship_on_time_rate"),
    ]
    missing = {}
    if "delivered_time" in cols:
        delivered = pl.col("delivered_time").is_not_null()
        days = (pl.col("delivered_time") - pl.col("pay_time")).dt.total_seconds() / 86_400
        exprs.append(fmean(days.filter(delivered)).alias("delivery_days"))
        exprs.append(
            pl.when(delivered.sum() > 0)
            .then(late_delivery(cols, ctx.opts.late_delivery_days).filter(delivered).mean())
            .alias("late_delivery_rate")
        )
    else:
        missing = dict.fromkeys(
            ["delivery_days", "late_delivery_rate"], "orders have no delivered_time"
        )
    return Measured([paid.select(exprs)], missing)


def late_delivery(cols: list[str], late_days: float) -> pl.Expr:
    """Delivered after the promised time, or (without one) more than `late_days` after payment.
    A promise at midnight is a date (Olist's "2017-12-05 00:00:00"): it covers that whole day,
    so a parcel delivered on it is on time."""
    fallback = pl.col("pay_time") + timedelta(days=late_days)
    if "promised_time" not in cols:
        return pl.col("delivered_time") > fallback
    promised = pl.col("promised_time")
    day_end = pl.when(promised.dt.time() == time(0)).then(promised + timedelta(days=1))
    by_date = pl.col("delivered_time") >= day_end
    return pl.coalesce(by_date, pl.col("delivered_time") > pl.coalesce(promised, fallback))


MEASURES = {
    "orders": measure_orders,
    "refunds": measure_refunds,
    "traffic": measure_traffic,
    "lines": measure_lines,
    "inventory": measure_inventory,
    "marketing": measure_marketing,
    "service": measure_service,
    "reviews": measure_reviews,
    "fulfilment": measure_fulfilment,
}
