"""Breakdowns of a period: lists of records by day, category, source, region, product …

Every function returns a LazyFrame (collected together by the engine); records are
sorted, since Polars does not keep row order after group_by or join.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from shopreport.metrics.base import (
    BUYER,
    ENGINE,
    bad_review,
    by_sku,
    fmean,
    fsum,
    in_range,
    products_of,
)
from shopreport.metrics.decompose import contributions
from shopreport.metrics.measures import (
    BOT_NAMES,
    Context,
    buyers_of,
    inventory_missing,
    late_delivery,
    sku_status,
)
from shopreport.metrics.period import Period
from shopreport.resources import read_yaml_resource

RESPONSE_BINS = [10, 30, 60, 180]


def daily(ctx: Context, cur: Period, prev: Period, ly: Period) -> pl.LazyFrame:
    """GMV by day of the period, beside the same day of the previous period and last year."""

    def by_day(period: Period, name: str) -> pl.LazyFrame:
        """GMV and orders of every day of `period` (zero on days without orders; GMV unknown
        on every day when the orders have no amounts), by day index."""
        orders = f"{name}_orders" if name == "gmv" else f"_{name}_n"
        sales = (
            ctx.lazy_paid(period)
            .group_by("day")
            .agg(fsum("paid_amount").alias(name), pl.len().alias(orders))
        )
        days = pl.LazyFrame({"day": pl.date_range(period.start, period.last_day, eager=True)})
        return (
            days.join(sales, on="day", how="left")
            .with_columns(
                pl.when(pl.col(orders).is_null())
                .then(0.0 if ctx.ds.amounts_known else None)
                .otherwise(pl.col(name))
                .alias(name),
                pl.col(orders).fill_null(0),
                index=(pl.col("day") - pl.lit(period.start)).dt.total_days(),
            )
            .drop("day")
        )

    days = pl.LazyFrame({"date": pl.date_range(cur.start, cur.last_day, eager=True)}).with_columns(
        index=(pl.col("date") - pl.lit(cur.start)).dt.total_days()
    )
    frame = days
    for period, name in [(cur, "gmv"), (prev, "previous_gmv"), (ly, "last_year_gmv")]:
        frame = frame.join(by_day(period, name), on="index", how="left")
    end, first = ctx.covered_until, ctx.base.first_payment
    covered = pl.lit(True) if end is None else pl.col("date") <= pl.lit(end)
    if first is not None:
        covered &= pl.col("date") >= pl.lit(first.date())
    return frame.select(  # days outside the data have no value, not a zero
        pl.col("date").dt.strftime("%Y-%m-%d"),
        pl.col("index").alias("day"),
        pl.when(covered).then(pl.col("gmv")).alias("gmv"),
        pl.when(covered).then(pl.col("gmv_orders")).alias("orders"),
        "previous_gmv",
        "last_year_gmv",
    ).sort("day")


def keyed_contributions(frames: dict[str, pl.DataFrame], key: str) -> pl.DataFrame:
    """Contributions of each `key` value to the MoM change, with YoY growth beside."""
    mom = contributions(frames["cur"], frames["prev"], key)
    ly = frames["ly"].select(key, pl.col("gmv").alias("last_year_gmv"))
    extra = frames["cur"].drop("gmv")
    before = frames["prev"].drop("gmv")
    before = before.rename({c: f"previous_{c}" for c in before.columns if c != key})
    out = (
        mom.join(ly, on=key, how="left", nulls_equal=True)
        .join(extra, on=key, how="left", nulls_equal=True)
        .join(before, on=key, how="left", nulls_equal=True)
        .rename(
            {
                "previous": "previous_gmv",
                "growth": "mom",
                "delta": "delta_mom",
                "contribution": "contribution_mom",
            }
        )
        .with_columns(
            yoy=pl.when(pl.col("last_year_gmv") > 0).then(
                pl.col("gmv") / pl.col("last_year_gmv") - 1
            )
        )
    )
    return out.sort(["gmv", key], descending=[True, False], nulls_last=True)


def grouped_gmv(
    ctx: Context, periods: dict[str, Period], key: str, source: str
) -> dict[str, pl.LazyFrame]:
    """GMV (and buyers, units) by `key` for each period, from paid orders or order lines."""
    out = {}
    for name, period in periods.items():
        if source == "lines":
            frame = (
                by_sku(ctx.lazy_lines(period), ctx.ds)
                .group_by(key)
                .agg(
                    gmv=fsum("gmv"),
                    units=pl.col("units").sum(),
                )
            )
        else:
            frame = (
                ctx.lazy_paid(period)
                .group_by(key)
                .agg(
                    gmv=fsum("paid_amount"),
                    orders=pl.len(),
                    buyers=pl.col(BUYER).n_unique(),
                )
            )
        out[name] = frame
    return out


def city_tier() -> pl.Expr:
    """The tier of `city` from templates/city_tiers.yaml (其他 when not listed)."""
    tiers = read_yaml_resource("city_tiers.yaml")
    mapping = {city: tier for tier, cities in tiers.items() for city in cities}
    return (
        pl.col("city")
        .str.strip_suffix("市")
        .replace_strict(mapping, default="其他", return_dtype=pl.String)
    )


def by_city_tier(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """GMV, orders and buyers by city tier, in tier order."""
    if "city" not in ctx.base.paid.columns:
        return None
    order = [*list(read_yaml_resource("city_tiers.yaml")), "其他"]
    frame = (
        ctx.lazy_paid(period)
        .group_by(city_tier().alias("tier"))
        .agg(
            gmv=fsum("paid_amount"),
            orders=pl.len(),
            buyers=pl.col(BUYER).n_unique(),
        )
        .with_columns(share=pl.col("gmv") / fsum("gmv"))
    )
    rank = pl.col("tier").replace_strict({t: i for i, t in enumerate(order)}, return_dtype=pl.Int32)
    return frame.sort(rank).select("tier", "gmv", "share", "orders", "buyers")


def source_visitors(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Visitors by source for the period (events: distinct; traffic: daily sums)."""
    if ctx.ds.has("events") and "source" in ctx.ds.columns("events"):
        events = ctx.ds.frame("events").filter(in_range("time", period.start, period.end))
        return events.group_by(pl.col("source").alias("channel")).agg(
            visitors=pl.col("visitor_id").n_unique()
        )
    if ctx.ds.has("traffic"):
        traffic = ctx.ds.frame("traffic").filter(
            in_range("date", period.start, period.end, dates=True)
        )
        return traffic.group_by(pl.col("source").alias("channel")).agg(visitors=fsum("visitors"))
    return None


def new_vs_returning(ctx: Context, period: Period) -> pl.LazyFrame:
    """Buyers, orders, GMV and AOV of new and returning buyers, and how many of them paid
    twice or more in the period (repurchase rate)."""
    segment = pl.when(pl.col("returning")).then(pl.lit("returning")).otherwise(pl.lit("new"))
    return (
        buyers_of(ctx, period)
        .group_by(segment.alias("segment"))
        .agg(
            buyers=pl.len(),
            orders=pl.col("n").sum(),
            gmv=fsum("gmv"),
            repeat_buyers=(pl.col("n") >= 2).sum(),
        )
        .with_columns(
            aov=pl.col("gmv") / pl.col("buyers"),
            gmv_share=pl.col("gmv") / fsum("gmv"),
            repurchase_rate=pl.col("repeat_buyers") / pl.col("buyers"),
        )
        .sort("segment")
    )


def funnel(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Visit → cart → order → pay, counted as distinct visitors or customers per step."""
    steps = ["view", "cart", "order", "pay"]
    if ctx.ds.has("events"):
        events = ctx.ds.frame("events").filter(in_range("time", period.start, period.end))
        counts = events.select(
            [
                pl.col("visitor_id").n_unique().alias("view"),
                *[
                    pl.col("visitor_id").filter(pl.col("event") == s).n_unique().alias(s)
                    for s in steps[1:]
                ],
            ]
        )
        basis = "events"
    elif ctx.ds.has("traffic"):
        traffic = ctx.ds.frame("traffic").filter(
            in_range("date", period.start, period.end, dates=True)
        )
        has_cart = "cart_visitors" in ctx.ds.columns("traffic")
        ordered = ctx.ds.frame("orders").filter(in_range("order_time", period.start, period.end))
        counts = pl.concat(
            [
                traffic.select(
                    view=fsum("visitors"),
                    cart=fsum("cart_visitors") if has_cart else pl.lit(None, pl.Float64),
                ),
                ordered.select(order=pl.col("customer_id").n_unique()),
                ctx.lazy_paid(period).select(pay=pl.col(BUYER).n_unique()),
            ],
            how="horizontal",
        )
        basis = "traffic+orders"
    else:
        return None
    long = counts.select([pl.col(s).cast(pl.Float64) for s in steps]).unpivot(
        variable_name="step", value_name="count"
    )
    # a step nobody reached while a later one has people is a step the data does not track
    later = pl.col("count").reverse().cum_max().reverse().shift(-1)
    long = long.filter(~((pl.col("count") == 0) & (later > 0)).fill_null(False))
    return (
        long.with_columns(
            order=pl.col("step").replace_strict(
                {s: i for i, s in enumerate(steps)}, return_dtype=pl.Int32
            ),
            basis=pl.lit(basis),
        )
        .sort("order")
        .with_columns(
            step_rate=pl.col("count") / pl.col("count").shift(1),
            overall_rate=pl.col("count") / pl.col("count").first(),
        )
        .drop("order")
    )


def marketing_by_channel(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Spend, clicks, attributed GMV, ROAS, CTR and CPC of each paid channel."""
    if not ctx.ds.has("marketing"):
        return None
    cols = ctx.ds.columns("marketing")
    frame = ctx.ds.frame("marketing").filter(in_range("date", period.start, period.end, dates=True))
    sums = [
        fsum(c)
        for c in ("spend", "impressions", "clicks", "attributed_gmv", "attributed_orders")
        if c in cols
    ]
    out = frame.group_by("channel").agg(sums)
    derived = {
        "roas": ("attributed_gmv", "spend"),
        "ctr": ("clicks", "impressions"),
        "cpc": ("spend", "clicks"),
    }
    for name, (a, b) in derived.items():
        if a in cols and b in cols:
            out = out.with_columns(pl.when(pl.col(b) > 0).then(pl.col(a) / pl.col(b)).alias(name))
    return out.sort(["spend", "channel"], descending=[True, False])


def lifecycle(ctx: Context, period: Period) -> pl.LazyFrame:
    """Per SKU: GMV and units now, last period's GMV, the average of the three periods before,
    the growth of its units on that average, the days it was out of stock, and its stage.

    A product whose sales fell while it was out of stock is "out_of_stock", not declining; with
    less than three periods of history before this one the stage is unknown (null).

    A month, quarter or half compares with the same months of last year when the history
    reaches them (`basis` "last_year"): Q1 after a Double 11 quarter is not a decline of every
    product, nor a 618 June the growth of every one. A product that did not sell then compares
    with the periods just before, grown as the shop's units grew over the same months last
    year (`basis` "previous", no growth shown).
    """
    opts = ctx.opts
    lines = ctx.base.lines.lazy()
    start = (
        lines.select(pl.col("day").min()).collect(engine=ENGINE).item()
        if ctx.base.lines.height
        else None
    )
    seasonal = (
        period.kind in ("month", "months")
        and start is not None
        and start <= period.last_year().start
    )
    recent = (  # the periods just before: a month's three, a quarter's one
        [period.shift_months(-i) for i in (1, 2, 3)]
        if period.kind == "month"
        else [period.previous()]
    )
    before = [period.last_year()] if seasonal else recent
    now = by_sku(ctx.lazy_lines(period), ctx.ds)

    def average(windows: list[Period], units: str, gmv: str) -> pl.LazyFrame:
        return (
            lines.filter(in_range("day", windows[-1].start, windows[0].end, dates=True))
            .group_by("sku")
            .agg(
                (pl.col("quantity").sum() / len(windows)).alias(units),
                (fsum("line_gmv") / len(windows)).alias(gmv),
            )
        )

    earlier = average(before, "units_before", "gmv_before")
    basis = "last_year" if seasonal else "previous"  # a product compared otherwise: no growth
    if seasonal:
        # a product without last year's sales: the periods just before, grown as the shop's
        # units grew from them to this period last year (Q1 after Double 11: the shop's −31 %
        # is the season's, not each product's decline); its growth is not shown
        fallback = average(recent, "units_previous", "gmv_previous")

        def units(windows: list[Period]) -> pl.LazyFrame:
            return lines.filter(
                in_range("day", windows[-1].start, windows[0].end, dates=True)
            ).select((pl.col("quantity").sum() / len(windows)).alias("u"))

        season = pl.concat(
            [units([period.last_year()]), units([p.last_year() for p in recent])]
        ).select(
            season=pl.when(pl.col("u").last() > 0)
            .then(pl.col("u").first() / pl.col("u").last())
            .otherwise(1.0)
        )
        earlier = (
            earlier.join(fallback, on="sku", how="full", coalesce=True)
            .join(season, how="cross")
            .with_columns(basis=pl.when(pl.col("units_before") > 0).then(pl.lit("last_year")))
            .with_columns(
                units_before=pl.when(pl.col("basis").is_null())
                .then(pl.col("units_previous") * pl.col("season"))
                .otherwise(pl.col("units_before")),
                gmv_before=pl.when(pl.col("basis").is_not_null()).then(pl.col("gmv_before")),
                basis=pl.col("basis").fill_null(pl.lit("previous")),
            )
        )
    else:
        earlier = earlier.with_columns(basis=pl.lit("previous"))
    last = (
        lines.filter(in_range("day", period.previous().start, period.previous().end, dates=True))
        .group_by("sku")
        .agg(previous_gmv=fsum("line_gmv"))
    )
    first_sale = lines.group_by("sku").agg(first_sale=pl.col("day").min())
    history = start is not None and start <= before[-1].start
    new_since = period.end - timedelta(days=opts.lifecycle_new_days)
    started = pl.coalesce("launch_date", "first_sale")
    change = pl.col("units") / pl.col("units_before") - 1
    stage = (
        pl.when(pl.lit(not history))
        .then(pl.lit(None, pl.String))
        .when(started >= new_since)
        .then(pl.lit("new"))
        .when(pl.col("units_before").fill_null(0) == 0)
        .then(pl.lit("new"))
        .when(change >= opts.lifecycle_change)
        .then(pl.lit("growing"))
        .when((change <= -opts.lifecycle_change) & (pl.col("days_out") > 0))
        .then(pl.lit("out_of_stock"))
        .when(change <= -opts.lifecycle_change)
        .then(pl.lit("declining"))
        .otherwise(pl.lit("mature"))
    )
    frame = (
        now.join(earlier, on="sku", how="left")
        .join(last, on="sku", how="left")
        .join(first_sale, on="sku", how="left")
        .join(_days_out(ctx, period), on="sku", how="left")
        .with_columns(pl.col("days_out").fill_null(0), pl.col("basis").fill_null("previous"))
    )
    return (
        frame.with_columns(
            # in units, as the stage beside it (a GMV change read as the units' crossed ±20 %)
            growth=pl.when((pl.col("units_before") > 0) & (pl.col("basis") == basis)).then(change),
            stage=stage,
        )
        .with_columns(share=pl.col("gmv") / fsum("gmv"))
        .select(
            "sku",
            "name",
            "category",
            "gmv",
            "share",
            "units",
            "previous_gmv",
            "gmv_before",
            "growth",
            "days_out",
            "stage",
            "basis",
            pl.col("launch_date").cast(pl.String),
        )
        .sort(["gmv", "sku"], descending=[True, False])
    )


def _days_out(ctx: Context, period: Period) -> pl.LazyFrame:
    """Days of the period each SKU had no stock (none without an inventory table)."""
    if not ctx.ds.has("inventory"):
        return pl.LazyFrame(schema={"sku": pl.String, "days_out": pl.UInt32})
    inventory = ctx.ds.frame("inventory").filter(
        in_range("date", period.start, period.end, dates=True)
    )
    return (
        inventory.group_by("date", "sku")
        .agg(on_hand=fsum("on_hand"))
        .group_by("sku")
        .agg(days_out=(pl.col("on_hand") <= 0).sum())
    )


def variants(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Units and GMV of each variant (size, colour) of the products sold in several variants;
    the top products keep theirs in `_finish_breakdowns`."""
    if ctx.base.lines is None or "variant" not in ctx.base.lines.columns:
        return None
    return (
        ctx.lazy_lines(period)
        .group_by("sku", "variant")
        .agg(units=pl.col("quantity").sum(), gmv=fsum("line_gmv"))
        .with_columns(  # shares of all the product's units, lines without a variant included
            share=pl.col("units") / pl.col("units").sum().over("sku"),
            kinds=pl.col("variant").count().over("sku"),
        )
        .filter(pl.col("variant").is_not_null() & (pl.col("kinds") > 1))
        .drop("kinds")
    )


def product_movers(ctx: Context, period: Period, previous: Period) -> pl.LazyFrame:
    """The SKUs whose GMV changed most against the previous period (up or down)."""
    now = ctx.lazy_lines(period).group_by("sku").agg(gmv=fsum("line_gmv"))
    before = ctx.lazy_lines(previous).group_by("sku").agg(previous_gmv=fsum("line_gmv"))
    return (
        now.join(before, on="sku", how="full", coalesce=True)
        .with_columns(pl.col("gmv", "previous_gmv").fill_null(0.0))
        .with_columns(delta=pl.col("gmv") - pl.col("previous_gmv"))
        .join(products_of(ctx.ds).select("sku", "name", "category"), on="sku", how="left")
        .sort(pl.col("delta").abs(), "sku", descending=[True, False])
        .head(ctx.opts.top_n)
    )


def inventory_lists(ctx: Context, period: Period) -> dict[str, pl.LazyFrame]:
    """Stockouts, slow movers and the reorder list at the period end."""
    if inventory_missing(ctx):
        return {}
    status = sku_status(ctx, period)
    top = ctx.opts.top_n
    days = ctx.days_of(period)
    keep = [
        "sku",
        "name",
        "category",
        "on_hand",
        "stock_value",
        "units",
        "gmv",
        "velocity",
        "days_of_cover",
        "days_since_sale",
        "lead_time",
        "reorder_qty",
    ]
    flags = status.select("sku", "slow")
    out = status.filter(pl.col("on_hand") <= 0, pl.col("units") > 0)
    status = status.select([c for c in keep if c in status.collect_schema().names()])
    return {
        # with their selling pace before they ran out, and since when they are out; the first
        # by what they sold or would have sold at that pace (one out since the 4th sold little)
        "stockouts": out.select(
            *[c for c in keep if c in out.collect_schema().names()], "daily_gmv", "out_since"
        )
        .sort(
            [pl.max_horizontal("gmv", pl.col("daily_gmv") * days), "sku"],
            descending=[True, False],
        )
        .head(top),
        "slow_movers": status.join(flags.filter(pl.col("slow")).select("sku"), on="sku", how="semi")
        .sort(["stock_value", "sku"], descending=[True, False], nulls_last=True)
        .head(top),
        # the most urgent first, and among equally urgent (every SKU out of stock has no cover)
        # the best sellers: one selling 0.04 a day stood first as 简约取暖器 < 升级版取暖器
        "reorder": status.filter(pl.col("reorder_qty") > 0)
        .sort(["days_of_cover", "gmv", "sku"], descending=[False, True, False], nulls_last=True)
        .head(top),
        "inventory_by_category": status.group_by("category")
        .agg(
            skus=pl.len(),
            on_hand=fsum("on_hand"),
            stock_value=fsum("stock_value"),
            velocity=fsum("velocity"),
            # the lead time its days of cover are judged by: its SKUs' median (each SKU's own,
            # else the config's), not the config's for every category
            lead_time=pl.col("lead_time").median(),
        )
        .with_columns(
            days_of_cover=pl.when(pl.col("velocity") > 0).then(
                pl.col("on_hand") / pl.col("velocity")
            )
        )
        .sort(["stock_value", "category"], descending=[True, False], nulls_last=True),
    }


def coupon_effect(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Orders with and without a coupon or promotion: GMV share, order value, discount."""
    cols = ctx.base.paid.columns
    flags = [pl.col(c).is_not_null() for c in ("coupon_code", "promotion") if c in cols]
    if not flags:
        return None
    discount = fsum("discount_amount") if "discount_amount" in cols else pl.lit(None, pl.Float64)
    paid = ctx.lazy_paid(period).with_columns(promoted=pl.any_horizontal(flags))
    return (
        paid.group_by("promoted")
        .agg(
            orders=pl.len(),
            buyers=pl.col(BUYER).n_unique(),
            gmv=fsum("paid_amount"),
            discount=discount,
        )
        .with_columns(
            gmv_share=pl.col("gmv") / fsum("gmv"),
            order_value=pl.col("gmv") / pl.col("orders"),
        )
        .sort("promoted")
    )


def refunds_by(ctx: Context, period: Period, keys: list[str]) -> pl.LazyFrame | None:
    """Refund amount and count by reason and/or category (category via the refunded SKU)."""
    if not ctx.ds.has("refunds"):
        return None
    refunds = ctx.ds.frame("refunds").filter(in_range("refund_time", period.start, period.end))
    cols = ctx.ds.columns("refunds")
    if "category" in keys:
        if "sku" not in cols or not ctx.ds.has("products"):
            return None
        refunds = refunds.join(products_of(ctx.ds).select("sku", "category"), on="sku", how="left")
    if any(k not in cols and k != "category" for k in keys):
        return None
    out = refunds.group_by(keys).agg(
        amount=fsum("amount"), refunds=pl.len(), orders=pl.col("order_id").n_unique()
    )
    return out.with_columns(share=pl.col("amount") / fsum("amount")).sort(
        ["amount", *keys], descending=[True] + [False] * len(keys), nulls_last=True
    )


def monthly(ctx: Context) -> pl.LazyFrame:
    """GMV, orders and buyers of every month the shared scan covers, and its visitors as the
    traffic table's daily sums (for history and targets: a campaign month's conversion is not
    next month's). Visitors counted from events (distinct per period) are left out: a month's
    distinct visitors over the whole history is a scan of every event."""
    months = (
        ctx.base.paid.lazy()
        .group_by(pl.col("day").dt.month_start().alias("month"))
        .agg(
            gmv=fsum("paid_amount"),
            orders=pl.len(),
            buyers=pl.col(BUYER).n_unique(),
        )
    )
    if ctx.ds.has("traffic") and not ctx.ds.has("events"):
        visitors = (
            ctx.ds.frame("traffic")
            .group_by(pl.col("date").dt.month_start().alias("month"))
            .agg(visitors=fsum("visitors"))
        )
        months = months.join(visitors, on="month", how="left")
    else:
        months = months.with_columns(visitors=pl.lit(None, pl.Float64))
    return months.sort("month").with_columns(pl.col("month").dt.strftime("%Y-%m"))


def reviews_by_sku(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Reviews and bad reviews (1–2 stars) per SKU, most bad reviews first."""
    if not ctx.ds.has("reviews") or "sku" not in ctx.ds.columns("reviews"):
        return None
    reviews = ctx.ds.frame("reviews").filter(in_range("review_time", period.start, period.end))
    return (
        reviews.group_by("sku")
        .agg(reviews=pl.len(), bad=bad_review().sum())
        .with_columns(
            bad_rate=pl.col("bad") / pl.col("reviews"),
            bad_share=pl.col("bad") / pl.col("bad").sum(),
        )
        .join(products_of(ctx.ds).select("sku", "name", "category"), on="sku", how="left")
        .sort(["bad", "sku"], descending=[True, False])
        .head(ctx.opts.top_n)
    )


def bad_review_texts(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Texts of the period's bad reviews (1–2 stars), for the words that recur in them."""
    if not ctx.ds.has("reviews") or "text" not in ctx.ds.columns("reviews"):
        return None
    reviews = ctx.ds.frame("reviews").filter(in_range("review_time", period.start, period.end))
    return reviews.filter(bad_review() & pl.col("text").is_not_null()).select("text")


def ratings(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Reviews by star rating 1–5 (all five, zero where none)."""
    if not ctx.ds.has("reviews"):
        return None
    reviews = ctx.ds.frame("reviews").filter(in_range("review_time", period.start, period.end))
    counts = reviews.group_by(pl.col("rating").round().cast(pl.Int64)).agg(reviews=pl.len())
    stars = pl.LazyFrame({"rating": [1, 2, 3, 4, 5]}, schema={"rating": pl.Int64})
    return (
        stars.join(counts, on="rating", how="left")
        .with_columns(pl.col("reviews").fill_null(0))
        .with_columns(share=pl.col("reviews") / pl.col("reviews").sum())
        .sort("rating")
    )


def response_distribution(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Sessions by first-response band (≤10 s, 10–30 s, 30–60 s, 1–3 min, >3 min), bot vs human."""
    if not ctx.ds.has("service"):
        return None
    cols = ctx.ds.columns("service")
    sessions = ctx.ds.frame("service").filter(in_range("start_time", period.start, period.end))
    labels = ["≤10s", "10-30s", "30-60s", "1-3min", ">3min"]
    seconds = pl.col("first_response_seconds")
    band = pl.when(seconds <= RESPONSE_BINS[0]).then(0)
    for i, edge in enumerate(RESPONSE_BINS[1:], start=1):
        band = band.when(seconds <= edge).then(i)
    band = band.otherwise(len(RESPONSE_BINS))
    handler = _handler() if "handled_by" in cols else pl.lit("all")
    out = sessions.group_by(band.alias("band_index"), handler.alias("handled_by")).agg(
        sessions=pl.len()
    )
    return out.with_columns(
        band=pl.col("band_index").replace_strict(dict(enumerate(labels)), return_dtype=pl.String),
        share=pl.col("sessions") / pl.col("sessions").sum(),
    ).sort("band_index", "handled_by")


def _handler() -> pl.Expr:
    """'bot' or 'human', as `bot_share` counts them."""
    bot = pl.col("handled_by").str.to_lowercase().is_in(BOT_NAMES)
    return pl.when(bot).then(pl.lit("bot")).otherwise(pl.lit("human"))


def response_by_handler(ctx: Context, cur: Period, prev: Period) -> pl.LazyFrame | None:
    """First responses (count and mean seconds) by bot and human, this period and the one before:
    what moved the mean first response (`insights.drivers.response_drivers`)."""
    if not ctx.ds.has("service") or "handled_by" not in ctx.ds.columns("service"):
        return None
    service = ctx.ds.frame("service")

    def per(period: Period, prefix: str) -> pl.LazyFrame:
        return (
            service.filter(
                in_range("start_time", period.start, period.end)
                & pl.col("handled_by").is_not_null()  # as bot_share leaves them out
            )
            .group_by(_handler().alias("handled_by"))
            .agg(
                pl.col("first_response_seconds").count().alias(f"{prefix}responses"),
                fmean("first_response_seconds").alias(f"{prefix}mean_s"),
            )
        )

    return (
        per(cur, "")
        .join(per(prev, "previous_"), on="handled_by", how="full", coalesce=True)
        .with_columns(pl.col("responses", "previous_responses").fill_null(0))
        .sort("handled_by")
    )


def sku_cover(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """The selling SKUs at the period end, largest daily GMV first: stock, velocity and daily
    GMV over the cover window, days of cover and lead time (for the stock risk of next month)."""
    if inventory_missing(ctx):
        return None
    status = sku_status(ctx, period)
    return (
        status.filter(pl.col("recent_units") > 0)
        .select(
            "sku",
            "name",
            "category",
            "on_hand",
            "velocity",
            "daily_gmv",
            "days_of_cover",
            "lead_time",
        )
        .sort(["daily_gmv", "sku"], descending=[True, False])
        .head(ctx.opts.top_n * 5)
    )


def by_member_tier(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Buyers, orders, GMV, AOV and repurchase (≥ 2 orders in the period) by membership tier."""
    if not ctx.ds.has("customers") or "member_tier" not in ctx.ds.columns("customers"):
        return None
    per_buyer = (
        ctx.lazy_paid(period).group_by("customer_id").agg(orders=pl.len(), gmv=fsum("paid_amount"))
    )
    # the period's buyers picked out of the customers table before its repeated rows are
    # dropped: the table holds every customer of the shop's history (0.26 → 0.05 s at 1.7M)
    tiers = (
        ctx.ds.frame("customers")
        .select("customer_id", "member_tier")
        .join(per_buyer.select("customer_id"), on="customer_id", how="semi", maintain_order="left")
        .unique("customer_id", keep="first")
    )
    return (
        per_buyer.join(tiers, on="customer_id", how="left")
        .group_by(pl.col("member_tier").alias("tier"))
        .agg(
            buyers=pl.len(),
            orders=pl.col("orders").sum(),
            gmv=fsum("gmv"),
            repeat=(pl.col("orders") >= 2).sum(),
        )
        .with_columns(
            share=pl.col("gmv") / fsum("gmv"),
            aov=pl.col("gmv") / pl.col("buyers"),
            repurchase_rate=pl.col("repeat") / pl.col("buyers"),
        )
        .drop("repeat")
    )


def by_promotion(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Orders, GMV, order value and discount by promotion type (null: no promotion), with the
    order value's difference from orders without one."""
    cols = ctx.base.paid.columns
    if "promotion" not in cols:
        return None
    discount = fsum("discount_amount") if "discount_amount" in cols else pl.lit(None, pl.Float64)
    frame = (
        ctx.lazy_paid(period)
        .group_by("promotion")
        .agg(
            orders=pl.len(),
            buyers=pl.col(BUYER).n_unique(),
            gmv=fsum("paid_amount"),
            discount=discount,
        )
        .with_columns(
            share=pl.col("gmv") / fsum("gmv"), order_value=pl.col("gmv") / pl.col("orders")
        )
    )
    plain = frame.filter(pl.col("promotion").is_null()).select(plain=pl.col("order_value").first())
    return (
        frame.join(plain, how="cross")
        .with_columns(
            uplift=pl.when(pl.col("plain") > 0).then(pl.col("order_value") / pl.col("plain") - 1)
        )
        .drop("plain")
    )


def new_products(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Products launched this period or the one before: GMV per day on sale in their first 30
    days, against the median of the launches of the twelve months before."""
    if not ctx.ds.has("products") or "launch_date" not in ctx.ds.columns("products"):
        return None
    first = period.previous().start if period.kind == "month" else period.start
    window = timedelta(days=30)
    launched = products_of(ctx.ds).filter(pl.col("launch_date").is_not_null())
    lines = ctx.base.lines.lazy().join(launched.select("sku", "launch_date"), on="sku", how="inner")
    early = lines.filter(
        (pl.col("day") >= pl.col("launch_date"))
        & (pl.col("day") < pl.col("launch_date") + window)
        & (pl.col("day") < period.end)
    )
    per_sku = early.group_by("sku").agg(gmv=fsum("line_gmv"), units=pl.col("quantity").sum())
    days = pl.min_horizontal(
        pl.lit(30), (pl.lit(period.end) - pl.col("launch_date")).dt.total_days()
    )
    frame = (
        launched.filter(
            pl.col("launch_date") >= period.shift_months(-13).start
            if period.kind == "month"
            else pl.col("launch_date") >= first - timedelta(days=365)
        )
        .join(per_sku, on="sku", how="left")
        .with_columns(pl.col("gmv", "units").fill_null(0), days_on_sale=days)
        .with_columns(gmv_per_day=pl.col("gmv") / pl.col("days_on_sale"))
    )
    benchmark = frame.filter(
        (pl.col("launch_date") < first) & (pl.col("days_on_sale") >= 30)
    ).select(benchmark_per_day=pl.col("gmv_per_day").median())
    return (
        frame.filter((pl.col("launch_date") >= first) & (pl.col("launch_date") < period.end))
        .join(benchmark, how="cross")
        .select(
            "sku",
            "name",
            "category",
            pl.col("launch_date").cast(pl.String),
            "days_on_sale",
            "gmv",
            "units",
            "gmv_per_day",
            "benchmark_per_day",
        )
    )


def late_by_shipping(ctx: Context, cur: Period, prev: Period) -> pl.LazyFrame | None:
    """Delivered and late-delivered paid orders by whether they shipped within `ship_hours`, this
    period and the one before: what moved the late-delivery rate (`drivers.late_drivers`)."""
    cols = ctx.base.paid.columns
    if "ship_time" not in cols or "delivered_time" not in cols:
        return None
    hours = timedelta(hours=ctx.opts.ship_hours)
    shipping = (
        pl.when(pl.col("ship_time").is_null())
        .then(pl.lit("unknown"))
        .when(pl.col("ship_time") - pl.col("pay_time") <= hours)
        .then(pl.lit("on_time"))
        .otherwise(pl.lit("late"))
    )
    late = late_delivery(cols, ctx.opts.late_delivery_days)

    def per(period: Period, prefix: str) -> pl.LazyFrame:
        return (
            ctx.lazy_paid(period)
            .filter(pl.col("delivered_time").is_not_null())
            .group_by(shipping.alias("shipping"))
            .agg(pl.len().alias(f"{prefix}delivered"), late.sum().alias(f"{prefix}late"))
        )

    counts = ["delivered", "late", "previous_delivered", "previous_late"]
    return (
        per(cur, "")
        .join(per(prev, "previous_"), on="shipping", how="full", coalesce=True)
        .with_columns(pl.col(counts).fill_null(0).cast(pl.Int64))
        .sort("shipping")
    )


def late_by_province(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Delivered and late-delivered paid orders of the period by the buyer's province: where
    late deliveries gather (`diagnosis.late_delivery` names the routes to check)."""
    cols = ctx.base.paid.columns
    if "province" not in cols or "delivered_time" not in cols:
        return None
    late = late_delivery(cols, ctx.opts.late_delivery_days)
    return (
        ctx.lazy_paid(period)
        .filter(pl.col("delivered_time").is_not_null())
        .group_by("province")
        .agg(delivered=pl.len().cast(pl.Int64), late=late.sum().cast(pl.Int64))
    )


def delivery_reviews(ctx: Context, period: Period) -> pl.LazyFrame | None:
    """Reviews of the period on orders delivered late and on time: bad-review rate of each."""
    cols = ctx.ds.columns("orders")
    if (
        not ctx.ds.has("reviews")
        or "order_id" not in ctx.ds.columns("reviews")
        or "delivered_time" not in cols
    ):
        return None
    late = late_delivery(cols, ctx.opts.late_delivery_days)
    orders = (
        ctx.ds.frame("orders")
        .filter(pl.col("delivered_time").is_not_null())
        .select("order_id", late.alias("late"))
    )
    reviews = ctx.ds.frame("reviews").filter(in_range("review_time", period.start, period.end))
    return (
        reviews.join(orders, on="order_id", how="inner")
        .group_by(
            pl.when(pl.col("late"))
            .then(pl.lit("late"))
            .otherwise(pl.lit("on_time"))
            .alias("delivery")
        )
        .agg(reviews=pl.len(), bad=bad_review().sum())
        .with_columns(bad_rate=pl.col("bad") / pl.col("reviews"))
    )
