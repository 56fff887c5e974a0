"""The metric registry: one definition per metric id (metrics.md), with labels, unit and format.

A metric is either *measured* (a column of one of the queries in `engine.py`, named by
`group`) or *derived* from other metrics by `formula`. Nothing else defines a metric.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Values = dict[str, float | None]
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
    inputs: tuple[str, ...] = ()
    formula: Callable[..., float | None] | None = None
    higher_is_better: bool = True

    def derive(self, values: Values) -> float | None:
        """Compute a derived metric from its inputs' values (None when one is missing)."""
        args = [values.get(name) for name in self.inputs]
        if self.formula is None or any(a is None for a in args):
            return None
        return self.formula(*args)


def ratio(a: float, b: float) -> float | None:
    """a ÷ b, or None when b is zero."""
    return a / b if b else None


def minus(a: float, b: float) -> float:
    """a − b."""
    return a - b


def margin(revenue: float, cogs: float) -> float | None:
    """(revenue − cost) ÷ revenue."""
    return (revenue - cogs) / revenue if revenue else None


def _m(id, zh, en, unit, group, definition, inputs=(), formula=None, better=True) -> Metric:
    return Metric(id, zh, en, unit, group, definition, tuple(inputs), formula, better)


D = "derived"
_ALL = [
    # core (Taobao/Tmall definitions)
    _m(
        "gmv",
        "支付金额",
        "GMV",
        "money",
        "orders",
        "sum of paid_amount of orders paid in the period (refunds not deducted)",
    ),
    _m(
        "refund_amount",
        "退款金额",
        "Refunds",
        "money",
        "refunds",
        "sum of refunds whose refund_time is in the period",
        better=False,
    ),
    _m(
        "net_sales",
        "净销售额",
        "Net sales",
        "money",
        D,
        "gmv − refund_amount",
        ["gmv", "refund_amount"],
        minus,
    ),
    _m(
        "paid_orders",
        "支付订单数",
        "Paid orders",
        "count",
        "orders",
        "count of orders paid in the period",
    ),
    _m("buyers", "支付买家数", "Buyers", "count", "orders", "distinct customers among paid orders"),
    _m("aov", "客单价", "AOV (per buyer)", "money", D, "gmv ÷ buyers", ["gmv", "buyers"], ratio),
    _m(
        "order_value",
        "笔单价",
        "Order value",
        "money",
        D,
        "gmv ÷ paid_orders",
        ["gmv", "paid_orders"],
        ratio,
    ),
    _m(
        "visitors",
        "访客数",
        "Visitors (UV)",
        "count",
        "traffic",
        "distinct visitors (events), else the sum of daily UV (traffic)",
    ),
    _m(
        "conversion",
        "支付转化率",
        "Conversion",
        "ratio",
        D,
        "buyers ÷ visitors",
        ["buyers", "visitors"],
        ratio,
    ),
    _m(
        "uv_value",
        "UV价值",
        "Value per visitor",
        "money",
        D,
        "gmv ÷ visitors",
        ["gmv", "visitors"],
        ratio,
    ),
    _m(
        "cart_visitors",
        "加购访客数",
        "Add-to-cart visitors",
        "count",
        "traffic",
        "visitors who added to cart",
    ),
    _m(
        "cart_rate",
        "加购率",
        "Add-to-cart rate",
        "ratio",
        D,
        "add-to-cart visitors ÷ visitors",
        ["cart_visitors", "visitors"],
        ratio,
    ),
    _m(
        "returning_buyers",
        "老买家数",
        "Returning buyers",
        "count",
        "orders",
        "buyers who also paid in the 365 days before the period start",
    ),
    _m(
        "returning_share",
        "老买家占比",
        "Returning share",
        "ratio",
        D,
        "returning_buyers ÷ buyers",
        ["returning_buyers", "buyers"],
        ratio,
    ),
    _m(
        "new_buyers",
        "新买家数",
        "New buyers",
        "count",
        D,
        "buyers − returning_buyers",
        ["buyers", "returning_buyers"],
        minus,
    ),
    _m(
        "repurchase_rate",
        "复购率",
        "Repurchase rate",
        "ratio",
        "orders",
        "buyers with ≥ 2 paid orders in the period ÷ buyers",
    ),
    _m(
        "refund_rate",
        "退款率",
        "Refund rate",
        "ratio",
        D,
        "refund_amount ÷ gmv",
        ["refund_amount", "gmv"],
        ratio,
        better=False,
    ),
    _m(
        "refunded_orders",
        "退款订单数",
        "Refunded orders",
        "count",
        "refunds",
        "distinct orders with a refund in the period",
        better=False,
    ),
    _m(
        "refund_order_rate",
        "退款率(按订单)",
        "Refund rate (orders)",
        "ratio",
        D,
        "refunded orders ÷ paid orders",
        ["refunded_orders", "paid_orders"],
        ratio,
        better=False,
    ),
    _m(
        "line_revenue",
        "商品销售额",
        "Line revenue",
        "money",
        "lines",
        "sum of line amounts of paid orders' lines",
    ),
    _m(
        "costed_revenue",
        "有成本商品销售额",
        "Line revenue with cost",
        "money",
        "lines",
        "line revenue of lines whose unit_cost is known",
    ),
    _m(
        "cogs",
        "销售成本",
        "COGS",
        "money",
        "lines",
        "quantity × unit_cost of paid lines whose cost is known",
        better=False,
    ),
    _m(
        "gross_margin",
        "毛利率",
        "Gross margin",
        "ratio",
        D,
        "(line revenue − quantity × unit_cost) ÷ line revenue, where unit_cost is known",
        ["costed_revenue", "cogs"],
        margin,
    ),
    # goods and inventory
    _m("units", "销量", "Units", "count", "lines", "sum of quantity on paid orders' lines"),
    _m(
        "sell_through",
        "售罄率",
        "Sell-through",
        "ratio",
        "inventory",
        "units ÷ (units + on-hand at period end)",
    ),
    _m(
        "stock_value",
        "库存金额",
        "Stock value",
        "money",
        "inventory",
        "on_hand × unit_cost (price where cost is unknown) at period end",
        better=False,
    ),
    _m(
        "turnover_days",
        "库存周转天数",
        "Inventory turnover days",
        "days",
        "inventory",
        "average stock value ÷ (COGS ÷ days)",
        better=False,
    ),
    _m(
        "stockout_skus",
        "缺货SKU",
        "Stockout SKUs",
        "count",
        "inventory",
        "SKUs with on_hand = 0 at period end that sold in the period",
        better=False,
    ),
    _m(
        "slow_movers",
        "滞销SKU",
        "Slow movers",
        "count",
        "inventory",
        "SKUs with on_hand > 0 and no sales in the last 30 days",
        better=False,
    ),
    _m(
        "days_of_cover",
        "可售天数",
        "Days of cover",
        "days",
        "inventory",
        "on_hand ÷ average daily units over the last 28 days",
    ),
    _m(
        "reorder_qty",
        "建议补货量",
        "Suggested reorder units",
        "count",
        "inventory",
        "Σ max(0, velocity × (lead time + review days) + safety stock − on_hand)",
    ),
    _m(
        "reorder_skus",
        "需补货SKU",
        "SKUs to reorder",
        "count",
        "inventory",
        "SKUs whose suggested reorder quantity is above zero",
    ),
    # marketing
    _m("spend", "推广花费", "Ad spend", "money", "marketing", "sum of spend", better=False),
    _m(
        "attributed_gmv",
        "推广成交金额",
        "Attributed GMV",
        "money",
        "marketing",
        "sum of GMV attributed to paid channels",
    ),
    _m("impressions", "展现量", "Impressions", "count", "marketing", "sum of impressions"),
    _m("clicks", "点击量", "Clicks", "count", "marketing", "sum of clicks"),
    _m(
        "roas",
        "投入产出比(ROI)",
        "ROAS",
        "multiple",
        D,
        "attributed GMV ÷ spend",
        ["attributed_gmv", "spend"],
        ratio,
    ),
    _m(
        "ctr", "点击率", "CTR", "ratio", D, "clicks ÷ impressions", ["clicks", "impressions"], ratio
    ),
    _m(
        "cpc",
        "平均点击花费",
        "CPC",
        "money",
        D,
        "spend ÷ clicks",
        ["spend", "clicks"],
        ratio,
        better=False,
    ),
    _m(
        "cac",
        "获客成本",
        "CAC",
        "money",
        D,
        "spend ÷ new buyers",
        ["spend", "new_buyers"],
        ratio,
        better=False,
    ),
    # service and reviews
    _m(
        "service_sessions",
        "咨询会话数",
        "Service sessions",
        "count",
        "service",
        "customer-service sessions started in the period",
    ),
    _m(
        "first_response_s",
        "首次响应时长",
        "First response (mean)",
        "seconds",
        "service",
        "mean of first_response_seconds",
        better=False,
    ),
    _m(
        "first_response_p90_s",
        "首次响应时长P90",
        "First response (p90)",
        "seconds",
        "service",
        "90th percentile of first_response_seconds",
        better=False,
    ),
    _m(
        "resolution_rate",
        "解决率",
        "Resolution rate",
        "ratio",
        "service",
        "resolved sessions ÷ sessions",
    ),
    _m(
        "satisfaction_rate",
        "满意度",
        "Satisfaction",
        "ratio",
        "service",
        "satisfied (score ≥ 4 of 5) ÷ rated sessions",
    ),
    _m(
        "bot_share",
        "机器人接待占比",
        "Bot share",
        "ratio",
        "service",
        "sessions handled by the bot alone ÷ sessions",
    ),
    _m(
        "inquiry_conversion",
        "询单转化率",
        "Inquiry conversion",
        "ratio",
        "service",
        "inquiring customers who paid within 24 h ÷ inquiring customers",
    ),
    _m("reviews", "评价数", "Reviews", "count", "reviews", "reviews written in the period"),
    _m("avg_rating", "平均评分", "Average rating", "rating", "reviews", "mean review rating"),
    _m(
        "bad_review_rate",
        "差评率",
        "Bad-review rate",
        "ratio",
        "reviews",
        "reviews rated 1–2 ÷ reviews",
        better=False,
    ),
]

# 中文口径 (the definition above, in the decks' Chinese)
DEFINITIONS_ZH = {
    "gmv": "统计周期内付款订单的实付金额之和（含运费，不扣退款）",
    "refund_amount": "退款时间在统计周期内的退款金额之和",
    "net_sales": "支付金额 − 退款金额",
    "paid_orders": "付款时间在统计周期内的订单数",
    "buyers": "付款订单的去重买家数",
    "aov": "支付金额 ÷ 支付买家数",
    "order_value": "支付金额 ÷ 支付订单数",
    "visitors": "去重访客数（行为日志），否则为每日访客数之和（流量表）",
    "conversion": "支付买家数 ÷ 访客数",
    "uv_value": "支付金额 ÷ 访客数",
    "cart_visitors": "有加购行为的访客数",
    "cart_rate": "加购访客数 ÷ 访客数",
    "returning_buyers": "在统计周期开始前365天内也付过款的买家数",
    "returning_share": "老买家数 ÷ 支付买家数",
    "new_buyers": "支付买家数 − 老买家数",
    "repurchase_rate": "统计周期内付款≥2次的买家数 ÷ 支付买家数",
    "refund_rate": "退款金额 ÷ 支付金额",
    "refunded_orders": "统计周期内发生退款的去重订单数",
    "refund_order_rate": "退款订单数 ÷ 支付订单数",
    "line_revenue": "付款订单商品行金额之和",
    "costed_revenue": "有成本价的商品行金额之和",
    "cogs": "有成本价的商品行:数量 × 成本价",
    "gross_margin": "（商品行金额 − 数量 × 成本价）÷ 商品行金额（仅含有成本价的商品）",
    "units": "付款订单商品行的数量之和",
    "sell_through": "销量 ÷（销量 + 期末库存）",
    "stock_value": "期末库存 × 成本价（无成本价时按售价）",
    "turnover_days": "期内平均库存金额 ÷（销售成本 ÷ 天数）",
    "stockout_skus": "期末库存为0且本期有销售的SKU数",
    "slow_movers": "有库存且近30天无销售的SKU数",
    "days_of_cover": "库存 ÷ 近28天日均销量",
    "reorder_qty": "Σ max（0， 日均销量 ×（补货周期 + 盘点间隔）+ 安全库存 − 库存）",
    "reorder_skus": "建议补货量大于0的SKU数",
    "spend": "推广花费之和",
    "attributed_gmv": "推广渠道带来的成交金额之和",
    "impressions": "展现量之和",
    "clicks": "点击量之和",
    "roas": "推广成交金额 ÷ 推广花费",
    "ctr": "点击量 ÷ 展现量",
    "cpc": "推广花费 ÷ 点击量",
    "cac": "推广花费 ÷ 新买家数",
    "service_sessions": "统计周期内开始的客服会话数",
    "first_response_s": "首次响应秒数的平均值",
    "first_response_p90_s": "首次响应秒数的90分位数",
    "resolution_rate": "已解决会话数 ÷ 会话数",
    "satisfaction_rate": "评分≥4（5分制）的会话 ÷ 有评分的会话",
    "bot_share": "仅由机器人接待的会话 ÷ 会话数",
    "inquiry_conversion": "咨询后24小时内付款的顾客数 ÷ 咨询顾客数",
    "reviews": "统计周期内的评价数",
    "avg_rating": "评价评分的平均值",
    "bad_review_rate": "1–2星评价数 ÷ 评价数",
}
METRICS: dict[str, Metric] = {m.id: m for m in _ALL}
assert set(DEFINITIONS_ZH) == set(METRICS), "every metric needs its Chinese definition"
assert len(METRICS) == len(_ALL), "a metric id is defined twice"


def group_ids(group: str) -> list[str]:
    """Ids of the measured metrics of a query group (metrics/measures.py), in registry order."""
    return [m.id for m in _ALL if m.group == group]


def definition(metric_id: str, language: str = "zh-CN") -> str:
    """The metric's definition in the deck's language."""
    return METRICS[metric_id].definition if language == "en" else DEFINITIONS_ZH[metric_id]


def label(metric_id: str, language: str = "zh-CN") -> str:
    """The metric's label in the deck's language."""
    metric = METRICS[metric_id]
    return metric.en if language == "en" else metric.zh
