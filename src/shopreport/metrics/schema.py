"""The report contract: every breakdown table a report carries, declared once.

Each breakdown has a row type (a TypedDict: column names and types), a grain, the columns
the data may lack, and its sort. The engine conforms every computed frame to its
declaration (`Breakdown.conform`), so a renamed or missing column fails when the report is
computed; the decks read rows through `KpiReport.rows(BY_CATEGORY)`, typed as the row
type, so a type checker (mypy) verifies every column the slides read.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from typing import Any, Generic, TypedDict, TypeVar

import polars as pl

R = TypeVar("R")

_DTYPES: dict[Any, pl.DataType] = {
    str: pl.String(),
    float: pl.Float64(),
    int: pl.Int64(),
    bool: pl.Boolean(),
    dt.date: pl.Date(),
}
_JSON: dict[Any, str] = {
    str: "string",
    float: "number",
    int: "integer",
    bool: "boolean",
    dt.date: "string",
}


class SchemaError(AssertionError):
    """A computed breakdown does not match its declaration (a bug, not a user error)."""


@dataclass(frozen=True)
class Breakdown(Generic[R]):
    """One breakdown: name, row type, grain, columns the data may lack, and its sort.

    `sort` lists columns, a leading '-' for descending; empty means the order of the
    computation, which `order` then describes (days, funnel steps, star ratings …).
    """

    name: str
    row: type[R]
    grain: str
    sort: tuple[str, ...] = ()
    optional: frozenset[str] = frozenset()
    order: str = ""

    @property
    def columns(self) -> dict[str, pl.DataType]:
        """Column → Polars dtype, in declaration order."""
        return {
            name: _DTYPES[_base(hint)] for name, hint in typing.get_type_hints(self.row).items()
        }

    def conform(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The frame with exactly the declared columns, types and order (absent optional
        columns as nulls), sorted as declared; a column not declared, or a declared one
        missing, is a SchemaError."""
        declared = self.columns
        unknown = [c for c in frame.columns if c not in declared]
        missing = [c for c in declared if c not in frame.columns and c not in self.optional]
        if unknown or missing:
            raise SchemaError(
                f"breakdown {self.name}: columns not declared {unknown}, "
                f"declared but missing {missing}"
            )
        frame = frame.select(
            [
                pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c)
                for c, t in declared.items()
            ]
        )
        if self.sort:
            keys = [s.lstrip("-") for s in self.sort]
            frame = frame.sort(
                keys,
                descending=[s.startswith("-") for s in self.sort],
                nulls_last=True,
                maintain_order=True,
            )
        return frame

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of this breakdown's records."""
        props = {}
        for name, hint in typing.get_type_hints(self.row).items():
            kind = _JSON[_base(hint)]
            props[name] = {"type": [kind, "null"] if _nullable(hint) else kind}
        description = f"One record per {self.grain}" + (
            f"; sorted by {', '.join(self.sort)}" if self.sort else ""
        )
        if self.order:
            description += f"; in {self.order} order"
        return {
            "type": "array",
            "description": description + ".",
            "items": {
                "type": "object",
                "properties": props,
                "required": list(props),
                "additionalProperties": False,
            },
        }


def _base(hint: Any) -> Any:
    """`float` of `float | None`."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return (
        args[0]
        if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union
        else hint
    )


def _nullable(hint: Any) -> bool:
    """Whether the annotation admits None."""
    return type(None) in typing.get_args(hint)


# --- the monthly report -------------------------------------------------------------------
class DailyRow(TypedDict):
    date: str
    day: int
    gmv: float | None  # None outside the data (before its first payment, after its last day)
    orders: int | None
    previous_gmv: float | None
    last_year_gmv: float | None


class CategoryRow(TypedDict):
    category: str | None
    gmv: float
    previous_gmv: float | None
    share: float | None
    delta_mom: float | None
    mom: float | None
    contribution_mom: float | None
    last_year_gmv: float | None
    yoy: float | None
    units: int | None
    previous_units: int | None


class ProvinceRow(TypedDict):
    province: str | None
    gmv: float
    previous_gmv: float | None
    share: float | None
    delta_mom: float | None
    mom: float | None
    contribution_mom: float | None
    last_year_gmv: float | None
    yoy: float | None
    orders: int | None
    buyers: int | None
    previous_orders: int | None
    previous_buyers: int | None


class CityRow(TypedDict):
    city: str | None
    gmv: float
    previous_gmv: float | None
    share: float | None
    delta_mom: float | None
    mom: float | None
    contribution_mom: float | None
    last_year_gmv: float | None
    yoy: float | None
    orders: int | None
    buyers: int | None
    previous_orders: int | None
    previous_buyers: int | None


class SourceRow(TypedDict):
    source: str | None
    gmv: float | None
    previous_gmv: float | None
    share: float | None
    delta_mom: float | None
    mom: float | None
    contribution_mom: float | None
    last_year_gmv: float | None
    yoy: float | None
    orders: int | None
    buyers: int | None
    previous_orders: int | None
    previous_buyers: int | None
    visitors: float | None
    previous_visitors: float | None
    conversion: float | None


class CityTierRow(TypedDict):
    tier: str
    gmv: float
    share: float | None
    orders: int
    buyers: int


class NewVsReturningRow(TypedDict):
    segment: str
    buyers: int
    orders: int
    gmv: float
    aov: float | None
    gmv_share: float | None
    repeat_buyers: int
    repurchase_rate: float | None


class FunnelRow(TypedDict):
    step: str
    count: float | None
    basis: str
    step_rate: float | None
    overall_rate: float | None


class ChannelRow(TypedDict):
    channel: str | None
    spend: float | None
    impressions: float | None
    clicks: float | None
    attributed_gmv: float | None
    attributed_orders: float | None
    roas: float | None
    ctr: float | None
    cpc: float | None


class CouponRow(TypedDict):
    promoted: bool
    orders: int
    buyers: int
    gmv: float
    discount: float | None
    gmv_share: float | None
    order_value: float | None


class ProductRow(TypedDict):
    rank: int
    sku: str
    name: str | None
    category: str | None
    gmv: float
    share: float | None
    units: int
    previous_gmv: float | None
    gmv_before: float | None
    growth: float | None
    days_out: int
    stage: str | None
    basis: str
    launch_date: str | None


class VariantRow(TypedDict):
    rank: int
    sku: str
    name: str | None
    variant: str
    units: int
    gmv: float
    share: float


class ProductMoverRow(TypedDict):
    sku: str
    name: str | None
    category: str | None
    gmv: float
    previous_gmv: float
    delta: float


class SkuCoverRow(TypedDict):
    sku: str
    name: str | None
    category: str | None
    on_hand: float
    velocity: float
    daily_gmv: float
    days_of_cover: float | None
    lead_time: float


class MemberTierRow(TypedDict):
    tier: str | None
    buyers: int
    orders: int
    gmv: float
    share: float | None
    aov: float | None
    repurchase_rate: float | None


class PromotionRow(TypedDict):
    promotion: str | None
    orders: int
    buyers: int
    gmv: float
    discount: float | None
    share: float | None
    order_value: float | None
    uplift: float | None


class NewProductRow(TypedDict):
    sku: str
    name: str | None
    category: str | None
    launch_date: str
    days_on_sale: int
    gmv: float
    units: int
    gmv_per_day: float | None
    benchmark_per_day: float | None


class DeliveryReviewRow(TypedDict):
    delivery: str
    reviews: int
    bad: int
    bad_rate: float | None


class LifecycleRow(TypedDict):
    stage: str
    skus: int
    gmv: float


class SkuStockRow(TypedDict):
    sku: str
    name: str | None
    category: str | None
    on_hand: float
    stock_value: float | None
    units: int
    gmv: float
    velocity: float
    days_of_cover: float | None
    days_since_sale: int | None
    lead_time: float
    reorder_qty: float


class StockoutRow(SkuStockRow):
    rank: int | None
    daily_gmv: float
    """GMV a selling day over the SKU's last selling days (before it ran out)."""
    out_since: dt.date | None
    """The day after its last stock snapshot with stock on hand (None: none in 91 days)."""
    pace_rank: int | None
    """Its rank by GMV had it sold every day of the period at `daily_gmv`."""


class InventoryCategoryRow(TypedDict):
    category: str | None
    skus: int
    on_hand: float
    stock_value: float | None
    velocity: float
    days_of_cover: float | None
    lead_time: float | None
    """The median lead time (days) of its SKUs (each its own, else `metrics.lead_time_days`)."""


class RefundReasonRow(TypedDict):
    reason: str | None
    amount: float
    refunds: int
    orders: int
    share: float | None


class RefundCategoryRow(TypedDict):
    category: str | None
    amount: float
    refunds: int
    orders: int
    share: float | None


class RefundCategoryReasonRow(RefundCategoryRow):
    reason: str | None


class MonthRow(TypedDict):
    month: str
    gmv: float
    orders: int
    buyers: int
    visitors: float | None


class ReviewSkuRow(TypedDict):
    sku: str | None
    name: str | None
    category: str | None
    reviews: int
    bad: int
    bad_rate: float | None
    bad_share: float | None


class WordRow(TypedDict):
    word: str
    reviews: int
    share: float


class RatingRow(TypedDict):
    rating: int
    reviews: int
    share: float | None


class ResponseBandRow(TypedDict):
    band_index: int
    band: str
    handled_by: str
    sessions: int
    share: float | None


class ResponseHandlerRow(TypedDict):
    handled_by: str
    responses: int
    mean_s: float | None
    previous_responses: int | None
    previous_mean_s: float | None


class LateShippingRow(TypedDict):
    shipping: str
    delivered: int
    late: int
    previous_delivered: int | None
    previous_late: int | None


class LateProvinceRow(TypedDict):
    province: str | None
    delivered: int
    late: int


class RfmRow(TypedDict):
    segment: str
    segment_zh: str
    segment_en: str
    customers: int
    monetary: float
    avg_recency_days: float | None
    avg_frequency: float | None
    avg_monetary: float | None
    share: float | None
    monetary_share: float | None


class CohortRow(TypedDict):
    cohort: str
    size: int
    k: int
    customers: int
    rate: float | None


_KEYED = ("-gmv",)
_MOM = frozenset({"previous_gmv", "delta_mom", "mom", "contribution_mom", "last_year_gmv", "yoy"})
_SOURCE_OPTIONAL = frozenset(SourceRow.__annotations__) - {"source"}

DAILY = Breakdown(
    "daily",
    DailyRow,
    "day of the period, beside the same day of the previous period and last year",
    order="day",
)
BY_CATEGORY = Breakdown("by_category", CategoryRow, "category", (*_KEYED, "category"))
BY_PROVINCE = Breakdown("by_province", ProvinceRow, "province", (*_KEYED, "province"))
BY_CITY = Breakdown("by_city", CityRow, "city (the largest 30)", (*_KEYED, "city"))
BY_SOURCE = Breakdown(
    "by_source",
    SourceRow,
    "traffic source",
    (*_KEYED, "-visitors", "source"),
    optional=_SOURCE_OPTIONAL,
)
BY_CITY_TIER = Breakdown("by_city_tier", CityTierRow, "city tier", order="tier")
NEW_VS_RETURNING = Breakdown(
    "new_vs_returning", NewVsReturningRow, "buyer segment (new, returning)", ("segment",)
)
FUNNEL = Breakdown("funnel", FunnelRow, "funnel step", order="step (view, cart, order, pay)")
MARKETING_BY_CHANNEL = Breakdown(
    "marketing_by_channel",
    ChannelRow,
    "paid channel",
    ("-spend", "channel"),
    optional=frozenset(ChannelRow.__annotations__) - {"channel", "spend"},
)
COUPONS = Breakdown(
    "coupons", CouponRow, "orders with / without a coupon or promotion", ("promoted",)
)
PRODUCTS = Breakdown("products", ProductRow, "SKU (the top N by GMV)", ("rank",))
LIFECYCLE = Breakdown("lifecycle", LifecycleRow, "lifecycle stage", ("stage",))
VARIANTS = Breakdown(
    "variants",
    VariantRow,
    "variant of a top product sold in several (three per product)",
    optional=frozenset({"name"}),
    order="product rank, then units",
)
PRODUCT_MOVERS = Breakdown(
    "product_movers",
    ProductMoverRow,
    "SKU whose GMV changed most (the top N by |Δ|)",
    optional=frozenset({"name", "category"}),
    order="largest change first",
)
SKU_COVER = Breakdown(
    "sku_cover",
    SkuCoverRow,
    "selling SKU at the period end (the top 5×N by daily GMV)",
    ("-daily_gmv", "sku"),
    optional=frozenset({"name", "category"}),
)
BY_MEMBER_TIER = Breakdown("by_member_tier", MemberTierRow, "membership tier", ("-gmv", "tier"))
BY_PROMOTION = Breakdown(
    "by_promotion", PromotionRow, "promotion type (null: none)", ("-gmv", "promotion")
)
NEW_PRODUCTS = Breakdown(
    "new_products",
    NewProductRow,
    "SKU launched this period or the one before",
    ("launch_date", "-gmv", "sku"),
    optional=frozenset({"name", "category"}),
)
LATE_BY_SHIPPING = Breakdown(
    "late_by_shipping",
    LateShippingRow,
    "shipped within ship_hours (on_time, late, unknown), this period and the one before",
    ("shipping",),
)
LATE_BY_PROVINCE = Breakdown(
    "late_by_province", LateProvinceRow, "buyer's province", ("-late", "province")
)
DELIVERY_REVIEWS = Breakdown(
    "delivery_reviews", DeliveryReviewRow, "delivery on time or late", ("delivery",)
)
STOCKOUTS = Breakdown(
    "stockouts",
    StockoutRow,
    "SKU out of stock at the period end that sold in it",
    ("-gmv", "sku"),
    optional=frozenset({"name", "category", "rank", "pace_rank"}),
)
SLOW_MOVERS = Breakdown(
    "slow_movers",
    SkuStockRow,
    "SKU with stock and no recent sales",
    ("-stock_value", "sku"),
    optional=frozenset({"name", "category"}),
)
REORDER = Breakdown(
    "reorder",
    SkuStockRow,
    "SKU to reorder",
    ("days_of_cover", "-gmv", "sku"),
    optional=frozenset({"name", "category"}),
)
INVENTORY_BY_CATEGORY = Breakdown(
    "inventory_by_category", InventoryCategoryRow, "category", ("-stock_value", "category")
)
REFUNDS_BY_REASON = Breakdown(
    "refunds_by_reason", RefundReasonRow, "refund reason", ("-amount", "reason")
)
REFUNDS_BY_CATEGORY = Breakdown(
    "refunds_by_category", RefundCategoryRow, "category", ("-amount", "category")
)
PREVIOUS_REFUNDS_BY_CATEGORY = Breakdown(
    "previous_refunds_by_category",
    RefundCategoryRow,
    "category (previous period)",
    ("-amount", "category"),
)
REFUND_REASONS_BY_CATEGORY = Breakdown(
    "refund_reasons_by_category",
    RefundCategoryReasonRow,
    "category and reason",
    ("-amount", "category", "reason"),
)
MONTHLY = Breakdown("monthly", MonthRow, "month of the history the report reads", ("month",))
REVIEWS_BY_SKU = Breakdown(
    "reviews_by_sku",
    ReviewSkuRow,
    "SKU (the top N by bad reviews)",
    ("-bad", "sku"),
    optional=frozenset({"name", "category"}),
)
BAD_REVIEW_WORDS = Breakdown(
    "bad_review_words", WordRow, "word recurring in bad reviews", ("-reviews", "word")
)
RATINGS = Breakdown("ratings", RatingRow, "star rating 1–5", ("rating",))
RESPONSE_TIMES = Breakdown(
    "response_times", ResponseBandRow, "first-response band × handler", ("band_index", "handled_by")
)
RESPONSE_BY_HANDLER = Breakdown(
    "response_by_handler",
    ResponseHandlerRow,
    "bot or human, this period and the one before",
    ("handled_by",),
)
RFM = Breakdown("rfm", RfmRow, "RFM segment", order="segment (重要价值 … 一般挽留)")
COHORTS = Breakdown("cohorts", CohortRow, "first-purchase month × months since", ("cohort", "k"))

_ALL_BREAKDOWNS: list[Breakdown[Any]] = [
    BAD_REVIEW_WORDS,
    BY_CATEGORY,
    BY_CITY,
    BY_CITY_TIER,
    BY_PROVINCE,
    BY_SOURCE,
    COHORTS,
    COUPONS,
    DAILY,
    FUNNEL,
    INVENTORY_BY_CATEGORY,
    LIFECYCLE,
    MARKETING_BY_CHANNEL,
    MONTHLY,
    NEW_VS_RETURNING,
    PREVIOUS_REFUNDS_BY_CATEGORY,
    PRODUCTS,
    RATINGS,
    REFUND_REASONS_BY_CATEGORY,
    REFUNDS_BY_CATEGORY,
    REFUNDS_BY_REASON,
    REORDER,
    RESPONSE_TIMES,
    RESPONSE_BY_HANDLER,
    REVIEWS_BY_SKU,
    RFM,
    SLOW_MOVERS,
    STOCKOUTS,
    PRODUCT_MOVERS,
    SKU_COVER,
    BY_MEMBER_TIER,
    BY_PROMOTION,
    NEW_PRODUCTS,
    DELIVERY_REVIEWS,
    LATE_BY_SHIPPING,
    LATE_BY_PROVINCE,
    VARIANTS,
]
BREAKDOWNS: dict[str, Breakdown[Any]] = {b.name: b for b in _ALL_BREAKDOWNS}


# --- the campaign report ------------------------------------------------------------------
class PhaseRow(TypedDict):
    phase_index: int
    phase: str
    start: dt.date
    days: int
    gmv: float
    orders: int
    buyers: int
    daily_gmv: float
    cmp_phase: str | None
    cmp_start: dt.date | None
    cmp_days: int | None
    cmp_gmv: float | None
    cmp_orders: int | None
    cmp_buyers: int | None


class PhaseDayRow(TypedDict):
    position: int
    phase_index: int
    phase_day: int
    date: dt.date
    gmv: float
    cmp_date: dt.date | None
    cmp_gmv: float | None


class HourRow(TypedDict):
    hour: int
    gmv: float
    cmp_gmv: float | None


class ThresholdRow(TypedDict):
    threshold: float
    orders: int
    near: int
    order_value: float | None
    baseline_orders: int | None
    baseline_near: int | None


class LiftCategoryRow(TypedDict):
    category: str | None
    gmv: float
    baseline_gmv: float | None
    cmp_gmv: float | None
    baseline_same_days: float | None
    share: float | None
    lift: float | None


class LiftProductRow(TypedDict):
    sku: str
    name: str | None
    category: str | None
    gmv: float
    baseline_gmv: float | None
    cmp_gmv: float | None
    baseline_same_days: float | None
    share: float | None
    lift: float | None


class ChannelLiftRow(TypedDict):
    source: str | None
    daily_gmv: float
    buyers: int
    baseline_daily_gmv: float | None
    baseline_buyers: int | None
    visitors: float | None
    conversion: float | None
    baseline_visitors: float | None
    baseline_conversion: float | None
    lift: float | None


class WindowStockoutRow(TypedDict):
    sku: str
    name: str | None
    category: str | None
    days_out: int
    baseline_daily: float
    lift: float
    lost: float


class ServiceDayRow(TypedDict):
    date: dt.date | None
    sessions: float
    first_response_s: float | None
    satisfaction_rate: float | None


class ProfileRow(TypedDict):
    segment: str
    age_band: str | None
    buyers: int
    share: float | None


_CMP = frozenset({"cmp_phase", "cmp_start", "cmp_days", "cmp_gmv", "cmp_orders", "cmp_buyers"})
PHASES = Breakdown(
    "phases",
    PhaseRow,
    "campaign phase, beside the comparison campaign's",
    ("phase_index",),
    optional=_CMP,
)
PHASE_DAYS = Breakdown(
    "daily",
    PhaseDayRow,
    "phase day, beside the same phase day of the comparison",
    ("position",),
    optional=frozenset({"cmp_date", "cmp_gmv"}),
)
HOURS = Breakdown(
    "hourly", HourRow, "hour of day in the peak phase", ("hour",), optional=frozenset({"cmp_gmv"})
)
THRESHOLDS = Breakdown(
    "coupons",
    ThresholdRow,
    "coupon threshold (满X减Y), in the window and the baseline weeks",
    ("threshold",),
    optional=frozenset({"baseline_orders", "baseline_near"}),
)
LIFT_CATEGORIES = Breakdown(
    "categories", LiftCategoryRow, "category", ("-gmv", "category"), optional=frozenset({"cmp_gmv"})
)
LIFT_PRODUCTS = Breakdown(
    "products", LiftProductRow, "SKU", ("-gmv", "sku"), optional=frozenset({"cmp_gmv"})
)
CHANNEL_LIFT = Breakdown(
    "channels",
    ChannelLiftRow,
    "traffic source",
    ("-daily_gmv", "source"),
    optional=frozenset({"visitors", "conversion", "baseline_visitors", "baseline_conversion"}),
)
WINDOW_STOCKOUTS = Breakdown(
    "stockouts",
    WindowStockoutRow,
    "SKU out of stock on days of the window",
    ("-lost", "sku"),
    optional=frozenset({"name", "category"}),
)
SERVICE_DAYS = Breakdown(
    "service",
    ServiceDayRow,
    "day of the window (and one baseline row with no date)",
    order="date, then the baseline",
)
PROFILE = Breakdown("profile", ProfileRow, "buyer segment × age band", ("segment", "age_band"))

_ALL_VIEWS: list[Breakdown[Any]] = [
    PHASES,
    PHASE_DAYS,
    HOURS,
    THRESHOLDS,
    LIFT_CATEGORIES,
    LIFT_PRODUCTS,
    CHANNEL_LIFT,
    WINDOW_STOCKOUTS,
    SERVICE_DAYS,
    PROFILE,
]
CAMPAIGN_VIEWS: dict[str, Breakdown[Any]] = {b.name: b for b in _ALL_VIEWS}


def conform_all(
    frames: dict[str, pl.DataFrame], declared: dict[str, Breakdown[Any]]
) -> dict[str, pl.DataFrame]:
    """Every frame conformed to its declaration; a frame without one is a SchemaError."""
    unknown = sorted(set(frames) - set(declared))
    if unknown:
        raise SchemaError(f"breakdowns not declared in metrics/schema.py: {unknown}")
    return {name: declared[name].conform(frame) for name, frame in sorted(frames.items())}
