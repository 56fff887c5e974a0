"""The metric registry: one definition per metric id (metrics.md), with labels, unit, which
way is better, and the definition in English and Chinese (口径).

A metric is either *measured* (a column of the query of its `group` in metrics/measures.py)
or *derived* from other metrics by `formula`. Nothing else defines a metric.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Values = dict[str, float | None]
Better = Literal["up", "down"] | None
BAD_REVIEW_MAX_STARS = 2
"""A review of at most this many stars (of 5) is a bad review (差评)."""
SATISFIED_MIN_SCORE = 4
"""A service session scored at least this (of 5) is satisfied (满意)."""


@dataclass(frozen=True)
class Metric:
    """One metric: id, labels, unit, how it is computed and which way is better."""

    id: str
    zh: str
    en: str
    unit: str
    group: str
    definition: str
    definition_zh: str
    inputs: tuple[str, ...] = ()
    formula: Callable[..., float | None] | None = None
    better: Better = "up"
    """'up' when a higher value is better, 'down' when lower is (refund rate, response time,
    stockouts …), None when neither is (days of cover, spend, bot share …)."""

    @property
    def higher_is_better(self) -> bool | None:
        """True, False, or None when the metric has no better direction."""
        return None if self.better is None else self.better == "up"

    def derive(self, values: Values) -> float | None:
        """Compute a derived metric from its inputs' values (None when one is missing)."""
        args = [values.get(name) for name in self.inputs]
        if self.formula is None or any(a is None for a in args):
            return None
        return self.formula(*args)

    def tone(self, change: float | None) -> str:
        """Whether a change of this metric is good, bad or neither (flat, unknown, no direction)."""
        if change is None or abs(change) < 1e-12 or self.better is None:
            return "neutral"
        return "good" if (change > 0) == (self.better == "up") else "bad"


def ratio(a: float, b: float) -> float | None:
    """a ÷ b, or None when b is zero."""
    return a / b if b else None


def minus(a: float, b: float) -> float:
    """a − b."""
    return a - b


def margin(revenue: float, cogs: float) -> float | None:
    """(revenue − cost) ÷ revenue."""
    return (revenue - cogs) / revenue if revenue else None


def _m(
    id: str,
    zh: str,
    en: str,
    unit: str,
    group: str,
    definition: str,
    definition_zh: str,
    inputs: list[str] | None = None,
    formula: Callable[..., float | None] | None = None,
    better: Better = "up",
) -> Metric:
    return Metric(
        id, zh, en, unit, group, definition, definition_zh, tuple(inputs or ()), formula, better
    )


D = "derived"
# fmt: off
_ALL = [
    _m("gmv", "支付金额", "GMV", "money", "orders",
       "sum of the amount paid on orders paid in the period (refunds not deducted)",
       "统计周期内付款订单的实付金额之和（含运费，不扣退款）", better="up"),
    _m("refund_amount", "退款金额", "Refunds", "money", "refunds",
       "sum of refunds completed in the period",
       "退款时间在统计周期内的退款金额之和", better="down"),
    _m("net_sales", "净销售额", "Net sales", "money", D,
       "GMV − refund amount",
       "支付金额 − 退款金额", ["gmv", "refund_amount"], minus, better="up"),
    _m("paid_orders", "支付订单数", "Paid orders", "count", "orders",
       "count of orders paid in the period",
       "付款时间在统计周期内的订单数", better="up"),
    _m("buyers", "支付买家数", "Buyers", "count", "orders",
       "distinct customers among paid orders",
       "付款订单的去重买家数", better="up"),
    _m("aov", "客单价", "AOV (per buyer)", "money", D,
       "GMV ÷ buyers",
       "支付金额 ÷ 支付买家数", ["gmv", "buyers"], ratio, better="up"),
    _m("order_value", "笔单价", "Order value", "money", D,
       "GMV ÷ paid orders",
       "支付金额 ÷ 支付订单数", ["gmv", "paid_orders"], ratio, better="up"),
    _m("visitors", "访客数", "Visitors (UV)", "count", "traffic",
       "distinct visitors (events), else the sum of daily UV (traffic)",
       "去重访客数（行为日志），否则为每日访客数之和（流量表）", better="up"),
    _m("conversion", "支付转化率", "Conversion", "ratio", D,
       "buyers ÷ visitors",
       "支付买家数 ÷ 访客数", ["buyers", "visitors"], ratio, better="up"),
    _m("uv_value", "UV价值", "Value per visitor", "money", D,
       "GMV ÷ visitors",
       "支付金额 ÷ 访客数", ["gmv", "visitors"], ratio, better="up"),
    _m("cart_visitors", "加购访客数", "Add-to-cart visitors", "count", "traffic",
       "visitors who added to cart",
       "有加购行为的访客数", better="up"),
    _m("cart_rate", "加购率", "Add-to-cart rate", "ratio", D,
       "add-to-cart visitors ÷ visitors",
       "加购访客数 ÷ 访客数", ["cart_visitors", "visitors"], ratio, better="up"),
    _m("returning_buyers", "老买家数", "Returning buyers", "count", "orders",
       "buyers who also paid in the 365 days before the period start",
       "在统计周期开始前365天内也付过款的买家数", better="up"),
    _m("returning_share", "老买家占比", "Returning share", "ratio", D,
       "returning buyers ÷ buyers",
       "老买家数 ÷ 支付买家数", ["returning_buyers", "buyers"], ratio, better="up"),
    _m("new_buyers", "新买家数", "New buyers", "count", D,
       "buyers − returning buyers",
       "支付买家数 − 老买家数", ["buyers", "returning_buyers"], minus, better="up"),
    _m("repurchase_rate", "复购率", "Repurchase rate", "ratio", "orders",
       "buyers with ≥ 2 paid orders in the period ÷ buyers",
       "统计周期内付款≥2次的买家数 ÷ 支付买家数", better="up"),
    _m("refund_rate", "退款率", "Refund rate", "ratio", D,
       "refund amount ÷ GMV",
       "退款金额 ÷ 支付金额", ["refund_amount", "gmv"], ratio, better="down"),
    _m("refunded_orders", "退款订单数", "Refunded orders", "count", "refunds",
       "distinct orders with a refund in the period",
       "统计周期内发生退款的去重订单数", better="down"),
    _m("refund_order_rate", "退款率(按订单)", "Refund rate (orders)", "ratio", D,
       "refunded orders ÷ paid orders",
       "退款订单数 ÷ 支付订单数", ["refunded_orders", "paid_orders"], ratio, better="down"),
    _m("line_revenue", "商品销售额", "Line revenue", "money", "lines",
       "sum of line amounts of paid orders' lines",
       "付款订单商品行金额之和", better=None),
    _m("costed_revenue", "有成本商品销售额", "Line revenue with cost", "money", "lines",
       "revenue of order lines whose unit cost is known",
       "有成本价的商品行金额之和", better=None),
    _m("cogs", "销售成本", "COGS", "money", "lines",
       "quantity × unit cost of paid lines whose cost is known",
       "有成本价的商品行:数量 × 成本价", better=None),
    _m("gross_margin", "毛利率", "Gross margin", "ratio", D,
       "(line revenue − quantity × unit cost) ÷ line revenue, where the unit cost is known",
       "（商品行金额 − 数量 × 成本价）÷ 商品行金额（仅含有成本价的商品）",
       ["costed_revenue", "cogs"], margin, better="up"),
    _m("units", "销量", "Units", "count", "lines",
       "sum of quantity on paid orders' lines",
       "付款订单商品行的数量之和", better="up"),
    _m("sell_through", "售罄率", "Sell-through", "ratio", "inventory",
       "units ÷ (units + on-hand at period end)",
       "销量 ÷（销量 + 期末库存）", better="up"),
    _m("stock_value", "库存金额", "Stock value", "money", "inventory",
       "units on hand × unit cost (price where the cost is unknown) at period end",
       "期末库存 × 成本价（无成本价时按售价）", better=None),
    _m("turnover_days", "库存周转天数", "Inventory turnover days", "days", "inventory",
       "average stock value ÷ (COGS ÷ days)",
       "期内平均库存金额 ÷（销售成本 ÷ 天数）", better="down"),
    _m("stockout_skus", "缺货SKU", "Stockout SKUs", "count", "inventory",
       "SKUs with no stock at period end that sold in the period",
       "期末库存为0且本期有销售的SKU数", better="down"),
    _m("slow_movers", "滞销SKU", "Slow movers", "count", "inventory",
       "SKUs with stock and no sales in the last 30 days (in stock all that time, launched 30 "
       "or more days before)",
       "有库存且近30天无销售的SKU数（其间曾断货的、上架不足30天的新品除外）", better="down"),
    _m("slow_stock_value", "滞销库存金额", "Slow-mover stock value", "money", "inventory",
       "stock value at period end of the slow movers (stock, no sales in the last 30 days, in "
       "stock all that time, launched 30 or more days before)",
       "滞销SKU（有库存且近30天无销售，其间曾断货的、上架不足30天的新品除外）的期末库存金额",
       better="down"),
    _m("days_of_cover", "可售天数", "Days of cover", "days", "inventory",
       "units on hand ÷ average daily units sold over the last 28 days it could sell (a day "
       "out of stock without a sale, and a campaign's days, left out)",
       "库存 ÷ 近28个在售日的日均销量（缺货且无销售的日子、大促活动日不计）", better=None),
    _m("stock_units", "库存件数", "Units on hand", "count", "inventory",
       "units in stock at the period's last stock count (the stock of days of cover)",
       "期末最后一次盘点的库存件数（口径同可售天数）",
       better=None),
    _m("daily_units", "日均销量", "Daily units", "per_day", "inventory",
       "Σ average daily units sold over each SKU's last 28 days it could sell (as in days of "
       "cover)",
       "各SKU近28个在售日的日均销量之和（口径同可售天数）", better=None),
    _m("reorder_qty", "建议补货量", "Suggested reorder units", "count", "inventory",
       "Σ max(0, daily units (as in days of cover) × (lead time + review days) + safety stock "
       "− units on hand)",
       "Σ max（0， 日均销量（同可售天数）×（补货周期 + 盘点间隔）+ 安全库存 − 库存）", better=None),
    _m("reorder_skus", "需补货SKU", "SKUs to reorder", "count", "inventory",
       "SKUs whose suggested reorder quantity is above zero",
       "建议补货量大于0的SKU数", better=None),
    _m("spend", "推广花费", "Ad spend", "money", "marketing",
       "sum of spend",
       "推广花费之和", better=None),
    _m("attributed_gmv", "推广成交金额", "Attributed GMV", "money", "marketing",
       "sum of GMV attributed to paid channels",
       "推广渠道带来的成交金额之和", better="up"),
    _m("impressions", "展现量", "Impressions", "count", "marketing",
       "sum of impressions",
       "展现量之和", better=None),
    _m("clicks", "点击量", "Clicks", "count", "marketing",
       "sum of clicks",
       "点击量之和", better="up"),
    _m("roas", "投入产出比(ROI)", "ROAS", "multiple", D,
       "attributed GMV ÷ spend",
       "推广成交金额 ÷ 推广花费", ["attributed_gmv", "spend"], ratio, better="up"),
    _m("ctr", "点击率", "CTR", "ratio", D,
       "clicks ÷ impressions",
       "点击量 ÷ 展现量", ["clicks", "impressions"], ratio, better="up"),
    _m("cpc", "平均点击花费", "CPC", "money", D,
       "spend ÷ clicks",
       "推广花费 ÷ 点击量", ["spend", "clicks"], ratio, better="down"),
    _m("cac", "获客成本", "CAC", "money", D,
       "spend ÷ new buyers",
       "推广花费 ÷ 新买家数", ["spend", "new_buyers"], ratio, better="down"),
    _m("service_sessions", "咨询会话数", "Service sessions", "count", "service",
       "customer-service sessions started in the period",
       "统计周期内开始的客服会话数", better=None),
    _m("first_response_s", "首次响应时长", "First response (mean)", "seconds", "service",
       "mean first response time of service sessions",
       "首次响应秒数的平均值", better="down"),
    _m("first_response_p90_s", "首次响应时长P90", "First response (p90)", "seconds", "service",
       "90th percentile of the first response time",
       "首次响应秒数的90分位数", better="down"),
    _m("resolution_rate", "解决率", "Resolution rate", "ratio", "service",
       "resolved sessions ÷ sessions",
       "已解决会话数 ÷ 会话数", better="up"),
    _m("satisfaction_rate", "满意度", "Satisfaction", "ratio", "service",
       "satisfied (score ≥ 4 of 5) ÷ rated sessions",
       "评分≥4（5分制）的会话 ÷ 有评分的会话", better="up"),
    _m("bot_share", "机器人接待占比", "Bot share", "ratio", "service",
       "sessions handled by the bot alone ÷ sessions",
       "仅由机器人接待的会话 ÷ 会话数", better=None),
    _m("inquiry_conversion", "询单转化率", "Inquiry conversion", "ratio", "service",
       "inquiring customers who paid within 24 h ÷ inquiring customers",
       "咨询后24小时内付款的顾客数 ÷ 咨询顾客数", better="up"),
    _m("reviews", "评价数", "Reviews", "count", "reviews",
       "reviews written in the period",
       "统计周期内的评价数", better="up"),
    _m("avg_rating", "平均评分", "Average rating", "rating", "reviews",
       "mean review rating",
       "评价评分的平均值", better="up"),
    _m("bad_review_rate", "差评率", "Bad-review rate", "ratio", "reviews",
       "reviews rated 1–2 ÷ reviews",
       "1–2星评价数 ÷ 评价数", better="down"),
    _m("shipped_orders", "已发货订单数", "Shipped orders", "count", "fulfilment",
       "paid orders of the period with a ship time",
       "本期付款且已发货的订单数", better=None),
    _m("ship_on_time_rate", "及时发货率", "Shipped on time", "ratio", "fulfilment",
       "paid orders shipped within the shipping window (48 hours by default) of payment ÷ "
       "shipped orders",
       "付款后发货时限内（默认48小时）发货的订单 ÷ 已发货订单", better="up"),
    _m("delivery_days", "平均配送天数", "Delivery days", "days", "fulfilment",
       "mean days from payment to delivery of delivered orders",
       "已签收订单从付款到签收的平均天数", better="down"),
    _m("late_delivery_rate", "延迟送达率", "Late deliveries", "ratio", "fulfilment",
       "delivered orders delivered after their promised time (without one: more than the "
       "allowed days after payment, 5 by default) ÷ delivered orders",
       "晚于承诺时间（无承诺时间时为付款后约定天数）签收的订单 ÷ 已签收订单", better="down"),
]
# fmt: on
METRICS: dict[str, Metric] = {m.id: m for m in _ALL}

RETURNING = ("returning_buyers", "returning_share", "new_buyers")
"""The metrics that count on each buyer's history: understated or overcounted on a short one."""
assert len(METRICS) == len(_ALL), "a metric id is defined twice"


def group_ids(group: str) -> list[str]:
    """Ids of the measured metrics of a query group (metrics/measures.py), in registry order."""
    return [m.id for m in _ALL if m.group == group]


def definition(metric_id: str, language: str = "zh-CN") -> str:
    """The metric's definition in the deck's language."""
    metric = METRICS[metric_id]
    return metric.definition if language == "en" else metric.definition_zh


def label(metric_id: str, language: str = "zh-CN") -> str:
    """The metric's label in the deck's language."""
    metric = METRICS[metric_id]
    return metric.en if language == "en" else metric.zh
