"""The data contract: the canonical tables, their columns and types (data-contract.md)."""

from __future__ import annotations

from dataclasses import dataclass

STR, TIME, DATE, NUM, INT, BOOL = "str", "time", "date", "num", "int", "bool"


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, kind of value and whether it is required."""

    name: str
    kind: str
    required: bool = False
    non_negative: bool = False


@dataclass(frozen=True)
class Table:
    """One canonical table: its grain and columns; `key` must be unique when set; `time` is the
    column that dates its rows."""

    name: str
    grain: str
    columns: tuple[Column, ...]
    key: str | None = None
    time: str | None = None

    @property
    def required(self) -> list[str]:
        """Names of the required columns."""
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> list[str]:
        """Names of all canonical columns, in contract order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """The column called `name`."""
        return next(c for c in self.columns if c.name == name)


def _t(
    name: str,
    grain: str,
    required: str,
    optional: str,
    key: str | None = None,
    time: str | None = None,
) -> Table:
    """Build a table from 'name:kind' lists; a trailing '+' marks a non-negative number."""

    def cols(spec: str, req: bool) -> list[Column]:
        out = []
        for item in spec.split():
            col, kind = item.split(":")
            out.append(Column(col, kind.rstrip("+"), req, kind.endswith("+")))
        return out

    return Table(name, grain, tuple(cols(required, True) + cols(optional, False)), key, time)


SCALES: dict[tuple[str, str], tuple[float, float]] = {
    ("reviews", "rating"): (1, 5),
    ("service", "satisfaction"): (1, 5),
}
"""Columns on a fixed scale (stars, a 1–5 satisfaction score): a value outside it is an error
(a 10-point export would make a 7.0 average "out of 5")."""

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        _t(
            "orders",
            "one order",
            "order_id:str customer_id:str order_time:time paid_amount:num+",
            "pay_time:time status:str discount_amount:num shipping_fee:num channel:str "
            "device:str province:str city:str coupon_code:str promotion:str campaign:str "
            "ship_time:time delivered_time:time promised_time:time",
            key="order_id",
            time="order_time",
        ),
        _t(
            "order_items",
            "one order line",
            "order_id:str sku:str quantity:int+",
            "unit_price:num amount:num variant:str",
        ),
        _t(
            "products",
            "one SKU",
            "sku:str category:str",
            "name:str subcategory:str brand:str price:num unit_cost:num launch_date:date "
            "lead_time_days:num",
            key="sku",
        ),
        _t(
            "inventory",
            "SKU x date snapshot",
            "date:date sku:str on_hand:num",
            "warehouse:str",
            time="date",
        ),
        _t(
            "traffic",
            "day x source",
            "date:date source:str visitors:num+",
            "page_views:num cart_visitors:num fav_visitors:num bounce_rate:num "
            "impressions:num clicks:num",
            time="date",
        ),
        _t(
            "events",
            "one visitor action",
            "time:time visitor_id:str event:str",
            "sku:str category:str source:str",
            time="time",
        ),
        _t(
            "refunds",
            "one refund",
            "order_id:str refund_time:time amount:num+",
            "refund_id:str sku:str reason:str kind:str",
            key="refund_id",
            time="refund_time",
        ),
        _t(
            "marketing",
            "day x channel",
            "date:date channel:str spend:num+",
            "impressions:num clicks:num attributed_gmv:num attributed_orders:num",
            time="date",
        ),
        _t(
            "service",
            "one customer-service session",
            "start_time:time first_response_seconds:num+",
            "customer_id:str handled_by:str resolved:bool satisfaction:num topic:str",
            time="start_time",
        ),
        _t(
            "reviews",
            "one review",
            "review_time:time rating:num",
            "order_id:str sku:str text:str",
            time="review_time",
        ),
        _t(
            "dsr",
            "day",
            "date:date description:num+ service:num+ logistics:num+",
            "",
            key="date",
            time="date",
        ),
        _t(
            "customers",
            "one customer",
            "customer_id:str",
            "first_order_time:time member_tier:str join_time:time gender:str age_band:str",
            key="customer_id",
            time="first_order_time",
        ),
    ]
}

# Required columns a row may leave empty: a product without a category is shown as uncategorised.
EMPTY_ALLOWED = frozenset({("products", "category")})

# Event names accepted in `events.event`, with the spellings real exports use.
EVENT_ALIASES = {
    "view": "view",
    "pv": "view",
    "visit": "view",
    "浏览": "view",
    "cart": "cart",
    "add_to_cart": "cart",
    "加购": "cart",
    "fav": "fav",
    "favorite": "fav",
    "收藏": "fav",
    "order": "order",
    "下单": "order",
    "pay": "pay",
    "buy": "pay",
    "purchase": "pay",
    "支付": "pay",
}
