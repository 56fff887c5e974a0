"""The shared scan: paid orders and their lines for the whole span a report needs, read once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

from shopreport.sources.dataset import Dataset

ORDER_COLUMNS = ["order_id", "customer_id", "pay_time", "paid_amount", "channel", "province",
                 "city", "device", "coupon_code", "promotion", "campaign", "discount_amount"]
PRODUCT_COLUMNS = ["sku", "category", "name", "price", "unit_cost", "launch_date", "lead_time_days"]


@dataclass
class Base:
    """Frames every metric of a report is computed from (in memory, one scan each)."""

    paid: pl.DataFrame
    lines: pl.DataFrame | None
    first_paid: pl.DataFrame
    span: tuple[datetime, datetime]


def in_range(column: str, start: date | datetime, end: date | datetime, dates: bool = False) -> pl.Expr:
    """`start <= column < end` for a naive datetime column (a Date column with `dates`)."""
    if dates:
        return (pl.col(column) >= start) & (pl.col(column) < end)
    if isinstance(start, date) and not isinstance(start, datetime):
        start = datetime.combine(start, datetime.min.time())
        end = datetime.combine(end, datetime.min.time())
    return (pl.col(column) >= start) & (pl.col(column) < end)


def read_base(ds: Dataset, start: date, end: date) -> Base:
    """Collect paid orders in `[start, end + 1 day)`, their lines, and each buyer's first payment."""
    lo = datetime.combine(start, datetime.min.time())
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time())
    orders = ds.frame("orders")
    names = orders.collect_schema().names()
    paid = (
        orders.filter(pl.col("pay_time").is_not_null() & in_range("pay_time", lo, hi))
        .select([c for c in ORDER_COLUMNS if c in names])
        .with_columns(day=pl.col("pay_time").dt.date())
    )
    first_paid = (
        orders.filter(pl.col("pay_time").is_not_null())
        .group_by("customer_id")
        .agg(first_pay=pl.col("pay_time").min())
    )
    queries = [paid, first_paid]
    if ds.has("order_items"):
        queries.append(_lines(ds, paid))
    frames = pl.collect_all(queries)
    lines = frames[2] if len(frames) > 2 else None
    return Base(frames[0], lines, frames[1], (lo, hi))


def _lines(ds: Dataset, paid: pl.LazyFrame) -> pl.LazyFrame:
    """Lines of paid orders, each with its share of the order's paid amount (`line_gmv`).

    The order's paid amount is split over its lines in proportion to the line amounts
    (or quantities when amounts are unknown), so category GMV adds up to order GMV.
    """
    items = ds.frame("order_items")
    cols = items.collect_schema().names()
    amount = pl.col("amount") if "amount" in cols else pl.lit(None, pl.Float64)
    unit_price = pl.col("unit_price") if "unit_price" in cols else pl.lit(None, pl.Float64)
    value = pl.coalesce(amount, unit_price * pl.col("quantity"))
    lines = (
        items.select("order_id", "sku", "quantity", value.alias("value"))
        .join(paid.select("order_id", "customer_id", "pay_time", "day", "paid_amount"),
              on="order_id", how="inner")
        .with_columns(
            order_value=pl.col("value").sum().over("order_id"),
            order_qty=pl.col("quantity").sum().over("order_id"),
            order_lines=pl.len().over("order_id"),
        )
        .with_columns(
            line_gmv=pl.when(pl.col("order_value") > 0)
            .then(pl.col("paid_amount") * pl.col("value").fill_null(0) / pl.col("order_value"))
            .when(pl.col("order_qty") > 0)
            .then(pl.col("paid_amount") * pl.col("quantity") / pl.col("order_qty"))
            .otherwise(pl.col("paid_amount") / pl.col("order_lines"))
        )
        .with_columns(revenue=pl.coalesce("value", "line_gmv"))
    )
    if ds.has("products"):
        products = ds.frame("products")
        pcols = [c for c in PRODUCT_COLUMNS if c in products.collect_schema().names()]
        lines = lines.join(products.select(pcols).unique("sku", keep="first"), on="sku", how="left")
    for column, dtype in [("category", pl.String), ("name", pl.String), ("price", pl.Float64),
                          ("unit_cost", pl.Float64), ("launch_date", pl.Date),
                          ("lead_time_days", pl.Float64)]:
        if column not in lines.collect_schema().names():
            lines = lines.with_columns(pl.lit(None, dtype).alias(column))
    return lines.with_columns(
        cost=pl.col("quantity") * pl.col("unit_cost"),
        cost_or_price=pl.col("quantity") * pl.coalesce("unit_cost", "price"),
    ).drop("order_value", "order_qty", "order_lines")
