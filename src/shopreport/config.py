"""The YAML config: pydantic models (extra keys forbidden) and the loader that explains errors."""

from __future__ import annotations

import itertools
import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from shopreport.errors import ConfigError, did_you_mean
from shopreport.resources import read_yaml_resource, templates_dir
from shopreport.vocab.contract import TABLES
from shopreport.vocab.metrics import METRICS

CURRENCY_SYMBOLS = {
    "CNY": "¥",
    "RMB": "¥",
    "USD": "$",
    "BRL": "R$",
    "GBP": "£",
    "EUR": "€",
    "JPY": "¥",
    "HKD": "HK$",
    "BDT": "Tk ",
}
MAX_DERIVE_CHARS = 20_000
"""A table's derive steps, written out, are at most this long (no literal of megabytes)."""
PERIOD_KEY = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])|-W(0[1-9]|[1-4]\d|5[0-3])|-Q[1-4]|-H[12])?$")
"""A month 01–12, an ISO week 01–53, a quarter, a half or a year ("2026-13" was silently no
month)."""


def _iso_week_exists(key: str) -> bool:
    """Whether a key's ISO week is one of its year's ('2025-W53' is not: 2025 has 52); True
    for keys that are no week."""
    if "-W" not in key:
        return True
    year, week = key.split("-W")
    try:
        date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return False
    return True


class Model(BaseModel):
    """Base of every config model: unknown keys are errors, field docstrings document."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class FileOptions(Model):
    """How one file (or glob, or folder) is read."""

    path: str | list[str]
    """File, folder or glob (`data/orders_*.csv`), relative to the config file (or to
    `data_dir` in a preset); a list means the first that matches."""
    format: Literal["csv", "tsv", "parquet", "excel"] | None = None
    """File format; by default taken from the suffix (.csv .tsv .txt .parquet .xlsx .xls)."""
    encoding: str | None = None
    """Text encoding of CSV/TSV files; by default detected: UTF-8 (with or without BOM),
    else GB18030 (the superset of GBK used by Chinese exports)."""
    separator: str | None = None
    """Field separator of text files; default ',' (tab for .tsv)."""
    sheet: str | Annotated[int, Field(ge=0)] | None = None
    """Excel sheet name or 0-based index; default the first sheet."""
    header_row: int | None = None
    """0-based row of the header; by default found (the first row holding the mapped headers,
    even below title rows)."""
    headers: list[str] | None = None
    """Column names for a file without a header row."""
    date_format: str | None = None
    """How dates are written: `ymd` (2026-10-02, the default), `mdy` (10/2/2026, US), `dmy`
    (02/10/2026, Europe) or a strftime pattern (`%d.%m.%Y %H:%M`). Unset, day-first or
    month-first dates are told apart by values above 12; when every value could be either, this
    option is required."""


class Join(FileOptions):
    """Another file joined onto the table's rows (by file headers) before the mapping."""

    key: str | list[str]
    """The header(s) both files share, e.g. `order_id` (named `key`: YAML reads `on` as true)."""
    sum: list[str] = []
    """Headers summed per key when the joined file has several rows per key (payments)."""


class Condition(Model):
    """A row filter on a file header, applied before the mapping."""

    column: str
    """The file's header."""
    op: Literal[
        "eq",
        "ne",
        "in",
        "not_in",
        "starts_with",
        "not_starts_with",
        "gt",
        "ge",
        "lt",
        "le",
        "not_null",
        "is_null",
    ]
    """Comparison; gt/ge/lt/le compare numbers as exports write them."""
    value: Any = None
    """The value compared with (a list for in / not_in)."""


class TableConfig(FileOptions):
    """One canonical table: where it is and how its headers map to canonical names.

    The steps run in this order: joins, rename, filter, derive, group_by/aggregate, the
    column mapping, constants.
    """

    path: str | list[str] | None = None  # type: ignore[assignment]
    """File, folder or glob (`data/orders_*.csv`), relative to the config file (or to
    `data_dir` in a preset); a list means the first that matches. Not with `uri`."""
    uri: str | None = None
    """A database the table is read from instead of files: `postgresql://user@host/db`
    (password from PGPASSWORD or ~/.pgpass, never written here), `sqlite:///shop.db` (a file
    relative to the config). `${VAR}` is replaced from the environment."""
    query: str | None = None
    """With `uri`: the SQL whose rows make the table (`select * from orders where shop_id = 42`)."""
    table: str | None = None
    """With `uri`: the database table (or `schema.table`) read whole instead of a `query`."""
    optional: bool = False
    """A table a preset may find or not: when no file matches, the table is left out."""
    joins: list[Join] = []
    """Files joined onto this one before mapping (payments summed per order, a lookup)."""
    rename: dict[str, str] = {}
    """Header spellings to unify before anything else (`Invoice: InvoiceNo`); absent ones are
    skipped."""
    filter: list[Condition] = []
    """Rows to keep (all conditions must hold)."""
    derive: dict[str, Any] = {}
    """New columns from others: {column: H}, {value: V}, {split: H, index: i, sep: ' '},
    {concat: [...]}, {coalesce: [...]}, {multiply: [a, b]}, {add: [a, b, ...]}, {negate: x},
    {regex: H, pattern: P}, {when: [conditions as in filter], then: …, otherwise: …}."""
    group_by: list[str] = []
    """Headers whose rows become one (line-level exports → orders); other headers keep
    their first non-empty value unless listed in `aggregate`."""
    aggregate: dict[str, Literal["first", "sum", "min", "max", "count", "mode"]] = {}
    """How headers are combined by `group_by` (`mode`: the most frequent value)."""
    columns: dict[str, str | None] = {}
    """Mapping from the file's header to the canonical column name (`订单编号: order_id`);
    null removes a mapping a preset made."""
    constants: dict[str, str | int | float | None] = {}
    """Canonical columns the file lacks, set to one value (`quantity: 1`)."""
    paid_statuses: list[str] | None = None
    """orders only: statuses that mean paid, used when there is no pay_time column."""
    on_missing: Literal["error", "skip"] = "error"
    """A row whose required value is empty (an order without an amount after a join): `error`
    stops with the file and line; `skip` leaves such rows out and warns with their number."""
    dedupe_by: list[str] | None = None
    """Canonical columns that identify a row across several files: repeats keep the newest
    file's row. Default: the table's id (order_id, sku, customer_id); an order's lines by
    order_id; refunds by refund_id (退款编号) where they have one, else by all their columns
    (an order may have a refund in each file), or `[order_id]` for refunds read from an orders
    export (one cumulative amount per order)."""
    days_per_row: int = Field(1, ge=1, le=31)
    """Days each row covers from its date (7: a weekly export dated by each week's first day):
    its numbers are spread evenly over those days, and the decks say so."""
    approximate_time: bool = False
    """The table's time column is an approximation (Shopify refunds are dated by the
    cancellation, else the order): the decks say so beside the numbers it dates."""

    @model_validator(mode="after")
    def _one_source(self) -> TableConfig:
        if self.uri is None:
            if self.query is not None or self.table is not None:
                raise ValueError("`query` and `table` read from a database: give its `uri` too")
            if self.path is None:
                raise ValueError("give the table's `path` (files) or `uri` (a database)")
        elif (self.query is None) == (self.table is None):
            raise ValueError("with `uri`, give either `query` (SQL) or `table` (a table name)")
        return self

    @field_validator("derive")
    @classmethod
    def _small_derive(cls, value: dict[str, Any]) -> dict[str, Any]:
        size = len(json.dumps(value, ensure_ascii=False, default=str))
        if size > MAX_DERIVE_CHARS:
            raise ValueError(
                f"the derive steps are {size:,} characters long; at most {MAX_DERIVE_CHARS:,}"
            )
        return value

    @property
    def mapping(self) -> dict[str, str]:
        """The header → canonical mapping without removed entries."""
        return {k: v for k, v in self.columns.items() if v is not None}


class DataConfig(Model):
    """The shop's tables; only `orders` is required (data-contract.md)."""

    orders: TableConfig
    order_items: TableConfig | None = None
    products: TableConfig | None = None
    inventory: TableConfig | None = None
    traffic: TableConfig | None = None
    events: TableConfig | None = None
    refunds: TableConfig | None = None
    marketing: TableConfig | None = None
    service: TableConfig | None = None
    reviews: TableConfig | None = None
    customers: TableConfig | None = None
    dsr: TableConfig | None = None
    """Daily DSR scores (描述相符, 服务态度, 物流服务) for the shop diagnosis."""

    @model_validator(mode="after")
    def _mapping_targets_are_canonical(self) -> DataConfig:
        for name, table in self.tables().items():
            allowed = TABLES[name].names
            for target in [*table.mapping.values(), *table.constants]:
                if target not in allowed:
                    raise ValueError(
                        f"data.{name}: '{target}' is not a column of the {name} table."
                        f"{did_you_mean(target, allowed)} Its columns are: {', '.join(allowed)}."
                    )
        return self

    def tables(self) -> dict[str, TableConfig]:
        """The configured tables by canonical name."""
        return {n: getattr(self, n) for n in TABLES if getattr(self, n) is not None}


class MetricOptions(Model):
    """Options of the metric definitions, for platforms that define a metric differently."""

    orders_basis: Literal["paid", "placed"] = "paid"
    """paid (Taobao/Tmall): an order counts when paid. placed (Shopify-style, cash on
    delivery): every order not cancelled counts when placed."""
    returning_lookback_days: int = Field(365, ge=1)
    """A returning buyer (老买家) also paid in this many days before the period."""
    repurchase_window_days: int | None = Field(None, ge=1)
    """Unset: Taobao 复购率 (≥2 paid orders in the period). Set (30/90): JD's fixed window
    ending at the period end."""
    rfm_lookback_days: int = Field(365, ge=1)
    """Look-back window of the RFM segmentation."""
    cohort_months: int = Field(12, ge=1, le=36)
    """How many monthly cohorts the retention table shows."""
    slow_mover_days: int = Field(30, ge=1)
    """A SKU with stock and no sales in this many days is a slow mover (滞销)."""
    cover_window_days: int = Field(28, ge=1)
    """Days of sales that set the velocity for days of cover and reorder quantities."""
    lead_time_days: float = Field(14, ge=0)
    """Supplier lead time when products.lead_time_days is not given."""
    review_days: float = Field(7, ge=0)
    """Days between two reorder reviews."""
    safety_z: float = Field(1.65, ge=0)
    """Service-level factor of the safety stock (1.65 ≈ 95%)."""
    lifecycle_new_days: int = Field(90, ge=1)
    """A product launched (or first sold) this many days before the period end is 'new'."""
    lifecycle_change: float = Field(0.2, gt=0)
    """Growth against the three periods before that makes a product growing (or declining)."""
    late_delivery_days: float = Field(5, gt=0)
    """An order delivered more than this many days after payment is late (when orders have no
    promised_time; with it, late is later than promised)."""
    ship_hours: float = Field(48, gt=0)
    """Orders shipped within this many hours of payment count as shipped on time (48小时发货)."""
    top_n: int = Field(20, ge=1)
    """Length of top-N lists (products, reorder list, slow movers)."""


def _default_thresholds() -> dict[str, float]:
    """The default thresholds, read once from templates/thresholds.yaml."""
    return read_yaml_resource("thresholds.yaml")


class Thresholds(Model):
    """Thresholds of the diagnosis rules; defaults in templates/thresholds.yaml."""

    conversion_drop_pp: float = _default_thresholds()["conversion_drop_pp"]
    """A source whose conversion fell by at least this (fraction, 0.003 = 0.3 个百分点)."""
    refund_rate_rise_pp: float = _default_thresholds()["refund_rate_rise_pp"]
    """A category whose refund rate rose by at least this."""
    min_category_gmv_share: float = _default_thresholds()["min_category_gmv_share"]
    """Categories smaller than this share of GMV are not diagnosed."""
    stockout_top_n: int = _default_thresholds()["stockout_top_n"]
    """A stockout counts when the SKU is among this many best sellers."""
    slow_mover_min_stock_value: float = _default_thresholds()["slow_mover_min_stock_value"]
    """Slow movers tying up at least this stock value are flagged …"""
    slow_mover_min_stock_share: float = Field(
        _default_thresholds()["slow_mover_min_stock_share"], ge=0, le=1
    )
    """… when it is also at least this share of the whole stock's value (¥3,682 of ¥427万 is no
    problem for the meeting)."""
    max_amount: float = _default_thresholds()["max_amount"]
    """An order amount above this is implausible: a warning in build, an error in
    `validate --strict`."""
    max_order_ratio: float = _default_thresholds()["max_order_ratio"]
    """An order above this many times the median order is implausible."""
    target_roas: float = _default_thresholds()["target_roas"]
    """Paid channels below this ROAS are flagged."""
    first_response_slow_s: float = _default_thresholds()["first_response_slow_s"]
    """A mean first response slower than this many seconds is flagged."""
    bad_review_rate_max: float = _default_thresholds()["bad_review_rate_max"]
    """A bad-review rate above this is flagged."""
    bad_review_concentration_share: float = _default_thresholds()["bad_review_concentration_share"]
    """One product with at least this share of the bad reviews is a concentration …"""
    bad_review_concentration_min_reviews: int = _default_thresholds()[
        "bad_review_concentration_min_reviews"
    ]
    """… when it has at least this many reviews."""
    bad_review_product_rate: float = Field(
        _default_thresholds()["bad_review_product_rate"], ge=0, le=1
    )
    """A product whose reviews are bad this often (with at least the minimum number of bad
    reviews) is named in the bad-review problem, with its own action (stop selling, check the
    batch): 简约破壁机 at 80.5 % was one line in a shop-wide problem."""
    service_load_factor: float = _default_thresholds()["service_load_factor"]
    """A campaign day whose mean first response is this many times the baseline's is flagged."""
    coupon_near_threshold: float = _default_thresholds()["coupon_near_threshold"]
    """Orders within this share above a 满X减Y threshold count as pushed up to it."""
    category_mover_min_share: float = _default_thresholds()["category_mover_min_share"]
    """Categories below this share of GMV, this period or the one before, are not named as the
    fastest or declining."""
    region_mover_min_share: float = _default_thresholds()["region_mover_min_share"]
    """Provinces below this share of GMV, this period or the one before, are not named as the
    fastest."""
    lift_min_share: float = _default_thresholds()["lift_min_share"]
    """Campaign categories below this share of GMV are not named for their lift."""
    winner_min_share: float = _default_thresholds()["winner_min_share"]
    """Campaign products below this share of the window's GMV are not ranked by lift."""
    cover_long_days: float = _default_thresholds()["cover_long_days"]
    """Categories with more days of cover than this hold too much stock."""
    unknown_tier_max_share: float = _default_thresholds()["unknown_tier_max_share"]
    """When more GMV than this comes from cities the tier list lacks, the tier view is left out."""
    refund_rate_excess_pp: float = _default_thresholds()["refund_rate_excess_pp"]
    """A category whose refund rate is at least this far above the shop's is flagged."""
    late_delivery_rate_max: float = _default_thresholds()["late_delivery_rate_max"]
    """A share of late deliveries above this is flagged."""
    min_problem_gmv_share: float = _default_thresholds()["min_problem_gmv_share"]
    """A problem putting less than this share of the period's GMV at risk is not listed (money
    tied up in stock is listed whatever its size)."""
    bad_review_words_min_reviews: int = _default_thresholds()["bad_review_words_min_reviews"]
    """With fewer bad reviews than this, recurring words are not shown."""


class ReviewOptions(Model):
    """The shop diagnosis (店铺运营诊断报告, `build --review 2026-Q3`)."""

    scorecard: str | None = None
    """Your own scorecard rules (a copy of templates/scorecard.yaml), relative to this file."""
    price_bands: list[float] = Field(default=[50, 100, 200, 500, 1000], min_length=1)
    """Upper edges of the price bands (unit price of the line), ascending."""
    core_share: float = Field(0.10, gt=0, lt=1)
    """A category with at least this share of GMV is a core category (核心品类)."""
    growth_rate: float = Field(0.20, gt=0)
    """A smaller category growing at least this fast (YoY, else against the period before) is a
    growth category (成长品类)."""
    tail_share: float = Field(0.03, gt=0, lt=1)
    """Of the others, one with less than this share of GMV is the long tail (长尾品类), the rest
    stable (稳定品类): 女装 at 8.8 % and +18.6 % was no long tail."""

    @field_validator("price_bands")
    @classmethod
    def _ascending(cls, value: list[float]) -> list[float]:
        if any(b <= a for a, b in itertools.pairwise(value)) or value[0] <= 0:
            raise ValueError("price_bands must be positive and ascending, e.g. [50, 100, 200]")
        return value


Text = str | Annotated[dict[Literal["zh-CN", "en"], str], Field(min_length=1)]
"""A sentence a person writes in the config: plain, or in both deck languages
(`{zh-CN: 完成秋冬新品首发, en: Launched the autumn range}`) for a shop that presents both."""


def written(text: Text, language: str) -> str:
    """A person's sentence in the deck's language: its own version, else the one given."""
    if isinstance(text, str):
        return text
    return text.get(language) or next(iter(text.values()), "")  # type: ignore[call-overload]


class Phase(Model):
    """One phase of a campaign (预热 pre-heat, 爆发/正式 peak, 返场 return): dates inclusive."""

    name: Text
    """Phase name shown in the deck (in both languages as `{zh-CN: 预热, en: Warm-up}`)."""
    start: date
    """First day."""
    end: date
    """Last day (inclusive)."""


class Campaign(Model):
    """A campaign window: its phases, targets and the campaign it is compared with."""

    name: Text | None = None
    """Name shown in the deck (default: the key, e.g. double11-2026); in both languages as
    `{zh-CN: 2026年双11, en: Double 11 2026}`."""
    phases: list[Phase] = Field(min_length=1)
    """Phases in order, back to back."""
    peak: str | None = None
    """The peak phase's name (in either language); default: the phase with the highest GMV per
    day in the data."""
    targets: dict[str, float] = {}
    """Targets of the whole window by metric id."""
    compare_with: str | None = None
    """Key of the campaign it is compared with (aligned by phase day)."""
    baseline_weeks: int = Field(4, ge=1, le=26)
    """Weeks before the window that form the baseline."""
    lessons: list[Text] = []
    """成功经验 only a person knows."""
    actions: list[Text] = []
    """Follow-up actions only a person knows."""

    @model_validator(mode="after")
    def _phases_in_order(self) -> Campaign:
        for phase in self.phases:
            if phase.end < phase.start:
                raise ValueError(
                    f"phase '{phase.name}' ends ({phase.end}) before it starts ({phase.start})"
                )
        for a, b in zip(self.phases, self.phases[1:], strict=False):
            if b.start <= a.end:
                raise ValueError(f"phase '{b.name}' starts before phase '{a.name}' ends")
        return self


EVIDENCE_KINDS = ("source", "category", "refund_reason")
"""Evidence of a lesson beside metric ids: `source:<name>` and the like (`Lesson`)."""


class Lesson(Model):
    """经验教训: a person's lesson and the metrics that support it."""

    text: Text
    """The lesson."""
    evidence: list[str] = []
    """What is shown beside it, with its change on last year: metric ids (`refund_rate`), a
    source's visitors (`source:直播`), a category's GMV (`category:女装`), or a reason's share
    of refunds, of the shop's or of one category's (`refund_reason:尺码不合适`,
    `refund_reason:女装/尺码不合适`); names as the data writes them."""

    @field_validator("evidence")
    @classmethod
    def _known_evidence(cls, items: list[str]) -> list[str]:
        for item in items:
            kind, _, name = item.partition(":")
            if name.strip() and kind in EVIDENCE_KINDS:
                continue
            if item not in METRICS:
                raise ValueError(
                    f"evidence '{item}' is neither a metric id nor one of "
                    f"{', '.join(f'{k}:<name>' for k in EVIDENCE_KINDS)}."
                    f"{did_you_mean(item, list(METRICS))}"
                )
        return items


class Config(Model):
    """shopreport.yaml: one shop, its data, targets and the parts only a person knows."""

    shop: str
    """Shop name, shown on the cover and in file names."""
    presenter: Text = ""
    """演讲人 on the cover (in both deck languages as
    `{zh-CN: 李明（运营负责人）, en: Li Ming (Head of Operations)}`)."""
    platform: Literal["taobao", "tmall", "jd", "douyin", "shopify", "other"] = "taobao"
    """Where the shop sells; sets the wording of footnotes."""
    timezone: str = "Asia/Shanghai"
    """Shop time zone: naive timestamps are read as this local time and times with an offset are
    converted to it. Unset (and not set by the preset), times written with an offset keep the
    wall time written in the export (Shopify writes the store's own time)."""
    currency: str = "CNY"
    """ISO currency code of the amounts."""
    currency_symbol: str | None = None
    """Symbol written before money; default from the currency (CNY ¥, USD $, BRL R$ …)."""
    language: Literal["zh-CN", "en"] = "zh-CN"
    """Language of the decks."""
    preset: str | list[str] | None = None
    """A known export's mapping (shopify, taobao-orders, jd, douyin, pdd, woocommerce, olist,
    online-retail, sycm-traffic, ga4-traffic, meta-ads, taobao-behavior) or a preset YAML of your
    own, relative to this file; a list combines them (`[shopify, ga4-traffic, meta-ads]`), later
    ones over earlier ones; `data:` entries override the presets'."""
    data_dir: str | None = None
    """Folder of the export files a preset names, relative to this file."""
    font: str | None = None
    """Font written into the decks for Latin and East Asian text (default Microsoft YaHei)."""
    theme: str | None = None
    """A theme YAML (colours, fonts, sizes) replacing templates/theme.yaml, relative to this
    file."""
    template: str | None = None
    """The company's PowerPoint template (.pptx or .potx), relative to this file: slides go on
    its layouts by role and use its colours (unless `theme:` is set)."""
    layouts: dict[
        Literal["cover", "agenda", "section", "content", "title_only", "blank", "closing"], str
    ] = {}
    """Layout names of the template by role, for templates whose layouts are not recognised:
    `{cover: "Start slide", section: "Chapter slide"}`."""
    charts: Literal["native", "image"] = "native"
    """native: PowerPoint charts with their data embedded (Edit Data opens the numbers);
    image: matplotlib pictures."""
    data: DataConfig
    """The tables (data-contract.md)."""
    targets: dict[str, dict[str, float]] = {}
    """Targets by period (`2026-10`, `2026-W44` or `2026`) and metric id:
    `{"2026-10": {gmv: 12000000}}`."""
    metrics: MetricOptions = MetricOptions()
    """Options of the metric definitions."""
    thresholds: Thresholds = Thresholds()
    """Thresholds of the diagnosis rules."""
    highlights: dict[str, list[Text]] = {}
    """Highlights only a person knows, by period."""
    plans: dict[str, list[Text]] = {}
    """Plan items for the period after the key, by period: `'2026-10'` lists November's plan,
    `'2026-W44'` next week's focus."""
    achievements: dict[str, list[Text]] = {}
    """关键成就 only a person knows, by year."""
    lessons: dict[str, list[Lesson | Text]] = {}
    """经验教训 by year, each with the metric ids that support it."""
    resources: dict[str, list[Text]] = {}
    """资源与支持需求 by year."""
    review: ReviewOptions = ReviewOptions()
    """The shop diagnosis: scorecard rules, price bands, category roles."""
    campaigns: dict[str, Campaign] = {}
    """Campaigns by key (`double11-2026`): phases, targets, comparison."""
    names: dict[str, Text] = {}
    """The data's names (categories, products, channels, regions, review words …) as a deck
    shows them: `{家用电器: {en: Home appliances}}` in the English deck only,
    `{经典款羊毛大衣2026秋冬新品: 羊毛大衣}` in every language; the shop's own name too (the
    cover, the footers and the deck's file name). A name not listed is shown as the data has
    it; `kpis` output keeps the data's names."""
    exclude_products: list[str] = []
    """Order lines that are not merchandise, beside templates/non_merchandise.yaml: SKUs or
    product names (case-insensitive; `*` matches any text). They stay in GMV and out of product
    rankings, lifecycle and category splits."""

    cache: str | Literal[False] = ".shopreport"
    """Folder of the prepared store (relative to this file): tables already parsed, typed and
    checked, and reports already computed, reused while the input files and the config are
    unchanged. `false` turns it off (as does `--no-cache` or SHOPREPORT_CACHE=off)."""

    @property
    def shown_shop(self) -> str:
        """The shop's name as a deck shows it: its `names:` entry (in the deck's language once
        `in_language` made the config), else as written. `shop` itself keys the store."""
        shown = self.names.get(self.shop, self.shop)
        return shown if isinstance(shown, str) else self.shop

    _base_dir: Path = PrivateAttr(default=Path("."))
    _source: str = PrivateAttr(default="<config>")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone '{value}' (use an IANA name like Asia/Shanghai)"
            ) from None
        return value

    @model_validator(mode="after")
    def _comparisons_exist(self) -> Config:
        for key, campaign in self.campaigns.items():
            if campaign.compare_with == key:
                raise ValueError(
                    f"campaign '{key}' compares with itself: name an earlier campaign in "
                    "`compare_with`, or remove it."
                )
            if campaign.compare_with and campaign.compare_with not in self.campaigns:
                raise ValueError(
                    f"campaign '{key}' compares with '{campaign.compare_with}', which is not "
                    "declared."
                    f"{did_you_mean(campaign.compare_with, self.campaigns)}"
                )
        return self

    @field_validator("names")
    @classmethod
    def _names_apart(cls, value: dict[str, Text]) -> dict[str, Text]:
        # two of the data's names shown alike would be two rows, two bars, of one name
        for language in ("zh-CN", "en"):
            seen: dict[str, str] = {}
            for name, said in shown_names(value, language).items():
                if said in seen:
                    raise ValueError(
                        f"'{seen[said]}' and '{name}' are both shown as '{said}'"
                        f"{'' if language == 'zh-CN' else ' in English'}: a deck would list "
                        "them as two rows of one name; give each its own."
                    )
                seen[said] = name
        return value

    @field_validator("targets", "highlights", "plans", "achievements", "lessons", "resources")
    @classmethod
    def _period_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not PERIOD_KEY.match(str(key)) or not _iso_week_exists(str(key)):
                raise ValueError(
                    f"'{key}' is not a period: write '2026-10' for a month, '2026-W44' for an "
                    "ISO week, '2026-Q3' or '2026-H1' for a quarter or half year, or '2026' for a "
                    "year"
                )
        return value

    @field_validator("targets")
    @classmethod
    def _known_metrics(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for period, targets in value.items():
            for metric in targets:
                if metric not in METRICS:
                    raise ValueError(
                        f"target '{metric}' for {period} is not a metric."
                        f"{did_you_mean(metric, METRICS)} Metric ids: see `shopreport kpis`."
                    )
        return value

    @property
    def base_dir(self) -> Path:
        """Folder of the config file; data paths are relative to it."""
        return self._base_dir

    @property
    def source(self) -> str:
        """Where the config came from, for messages."""
        return self._source

    @property
    def theme_path(self) -> Path | None:
        """The user's theme file, resolved against the config's folder."""
        return self._base_dir / self.theme if self.theme else None

    @property
    def template_path(self) -> Path | None:
        """The company template, resolved against the config's folder."""
        return self._base_dir / self.template if self.template else None

    @property
    def symbol(self) -> str:
        """Currency symbol for money."""
        if self.currency_symbol is not None:
            return self.currency_symbol
        return CURRENCY_SYMBOLS.get(self.currency.upper(), self.currency.upper() + " ")

    @property
    def wall_time(self) -> bool:
        """No time zone set by the config or its preset: offsets in the data are the shop's."""
        return "timezone" not in self.model_fields_set

    @property
    def tz(self) -> ZoneInfo:
        """The shop's time zone."""
        return ZoneInfo(self.timezone)


class PortfolioConfig(Model):
    """portfolio.yaml: the portfolio deck across an agency's shops (`build --portfolio`)."""

    name: str = ""
    """The portfolio's name on the cover (default 客户组合 / Portfolio)."""
    presenter: Text = ""
    """Who presents it (plain, or `{zh-CN: …, en: …}`)."""
    currency: str | None = None
    """The currency the totals are in; default: the shops' own, when they share one."""
    language: Literal["zh-CN", "en"] | None = None
    """The deck's language; default: the first shop's."""
    fx: dict[str, float] = {}
    """Rates into `currency`: one unit of each shop currency in it (`USD: 7.1`)."""

    @field_validator("fx")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [c for c, v in value.items() if not v > 0]
        if bad:
            raise ValueError(f"the rate of {bad[0]} must be a positive number")
        return value

    @property
    def symbol(self) -> str:
        """The symbol of the portfolio's currency."""
        return CURRENCY_SYMBOLS.get((self.currency or "").upper(), f"{self.currency} ")


def read_portfolio(path: str | Path) -> PortfolioConfig:
    """Read and validate portfolio.yaml."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"Portfolio file {path} not found.")
    try:
        raw = load_yaml(path.read_text(encoding="utf-8-sig")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({getattr(exc, 'problem', exc)}).") from None
    try:
        return PortfolioConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: " + explain_validation(exc)) from None


def read_config(path: str | Path) -> Config:
    """Read and validate a YAML config; every problem becomes a ConfigError naming the key."""
    path = Path(path)
    if not path.is_file():
        if any(ch in str(path) for ch in "*?["):
            hint = " A pattern of configs is for `build` and `kpis`; this command takes one file."
        elif not path.exists():
            hint = " Run `shopreport demo DIR` to make an example, or pass --config."
        else:
            hint = ""
        raise ConfigError(f"Config file {path} not found.{hint}")
    try:
        raw = load_yaml(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" line {where.line + 1}, column {where.column + 1}:" if where else ""
        raise ConfigError(
            f"{path}:{line} not valid YAML ({getattr(exc, 'problem', exc)})."
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text file; save the config as UTF-8.") from None
    return parse_config(raw, source=str(path), base_dir=path.resolve().parent)


MAX_YAML_NODES = 100_000
"""A config expands to at most this many values: anchors and aliases that multiply beyond it
(a "billion laughs" file) are refused before anything is built."""


def in_language(config: Config, language: str) -> Config:
    """The config with every sentence and campaign name a person wrote in `language` (its own
    version where given in both, else as written): what a deck in that language shows."""

    def said(texts: list) -> list:
        return [written(t, language) for t in texts]

    def lesson(item: Lesson | Text) -> Lesson | str:
        if isinstance(item, Lesson):
            return item.model_copy(update={"text": written(item.text, language)})
        return written(item, language)

    campaigns = {}
    for key, c in config.campaigns.items():
        phases = [p.model_copy(update={"name": written(p.name, language)}) for p in c.phases]
        peak = c.peak
        for before, after in zip(c.phases, phases, strict=True):
            names = before.name.values() if isinstance(before.name, dict) else [before.name]
            if c.peak in names:
                peak = str(after.name)
        campaigns[key] = c.model_copy(
            update={
                "name": written(c.name, language) if c.name is not None else None,
                "phases": phases,
                "peak": peak,
                "lessons": said(c.lessons),
                "actions": said(c.actions),
            }
        )
    return config.model_copy(
        update={
            "presenter": written(config.presenter, language),
            "highlights": {k: said(v) for k, v in config.highlights.items()},
            "plans": {k: said(v) for k, v in config.plans.items()},
            "achievements": {k: said(v) for k, v in config.achievements.items()},
            "resources": {k: said(v) for k, v in config.resources.items()},
            "lessons": {k: [lesson(i) for i in v] for k, v in config.lessons.items()},
            "campaigns": campaigns,
            "names": shown_names(config.names, language),
        }
    )


def shown_names(names: dict[str, Text], language: str) -> dict[str, str]:
    """`names:` in one deck language: a name given in other languages only is shown as the
    data has it (unlike a sentence, which falls back to the language it was written in)."""
    return {k: v if isinstance(v, str) else v.get(language, k) for k, v in names.items()}


class _ConfigLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses a key given twice and names a bad date's line."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                    continue  # a complex key: PyYAML's own checks apply
                key = (key_node.tag, key_node.value)
                line = key_node.start_mark.line + 1
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"the key '{key_node.value}' is given twice "
                        f"(lines {seen[key]} and {line}); keep one",
                        key_node.start_mark,
                    )
                seen[key] = line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not a date (write YYYY-MM-DD)", node.start_mark
            ) from None


_ConfigLoader.add_constructor("tag:yaml.org,2002:timestamp", _ConfigLoader.construct_yaml_timestamp)


def load_yaml(text: str) -> Any:
    """Parse a config's YAML: keys given twice, bad dates and alias bombs are YAMLErrors."""
    loader = _ConfigLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_YAML_NODES:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"the anchors and aliases expand to more than {MAX_YAML_NODES:,} values",
                node.start_mark,
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values a node stands for once every alias is copied out (memoised, so a bomb
    is measured without being expanded)."""
    if id(node) in sizes:
        return sizes[id(node)]
    sizes[id(node)] = 1  # a recursive alias counts once
    children: list[yaml.Node] = []
    if isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    size = 1 + sum(_expanded_size(c, sizes) for c in children)
    sizes[id(node)] = size
    return size


def parse_config(raw: Any, source: str = "<config>", base_dir: Path | None = None) -> Config:
    """Validate an already-parsed config mapping (merged over its preset, if it names one)."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: the config must be a mapping of keys (shop, data, …).")
    raw = apply_preset(raw, base_dir or Path(".").resolve(), source)
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{source}: " + explain_validation(exc)) from None
    config._base_dir = base_dir or Path(".").resolve()
    config._source = source
    return config


def explain_validation(exc: ValidationError) -> str:
    """Turn pydantic's errors into sentences that name the key and suggest a fix."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(err["loc"][:-1])
            lines.append(f"unknown key '{loc}'{_suggestion(str(err['loc'][-1]), allowed)}")
        elif err["type"] == "missing":
            lines.append(f"missing key '{loc}'")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"'{loc}': {msg.rstrip('.')}" if loc else msg.rstrip("."))
    return "; ".join(lines) + "."


def _suggestion(word: str, allowed: list[str]) -> str:
    """ " (did you mean 'x'?)" for the closest allowed key, or nothing."""
    hint = did_you_mean(word, allowed)
    return hint.rstrip("?").replace(" Did", " (did") + "?)" if hint else ""


def _allowed_keys(loc: tuple) -> list[str]:
    """Field names of the model found at `loc` in Config."""
    model: Any = Config
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            if fields is None and get_origin(model) is dict:
                model = get_args(model)[1]
                continue
            return []
        model = _model_of(fields[part].annotation)
    return list(getattr(model, "model_fields", {}))


def _model_of(annotation: Any) -> Any:
    """The BaseModel inside Optional[...] / list[...] annotations, else the annotation."""
    for arg in (annotation, *get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        for inner in get_args(arg):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return annotation


def config_schema() -> str:
    """The JSON Schema of shopreport.yaml, for editor completion."""
    return json.dumps(Config.model_json_schema(), ensure_ascii=False, indent=2)


def preset_names() -> list[str]:
    """The presets shipped with shopreport."""
    return sorted(p.stem for p in (templates_dir() / "presets").glob("*.yaml"))


def preset_rules(config: Config) -> list[tuple[str, str]]:
    """The presets a config names, each with its rules (its `description`, on one line)."""
    names = config.preset if isinstance(config.preset, list) else [config.preset or ""]
    out = []
    for name in filter(None, names):
        text = read_preset(name, config.base_dir, "config").get("description") or ""
        out.append((name, " ".join(str(text).split())))
    return out


def apply_preset(raw: dict, base_dir: Path, source: str) -> dict:
    """The config merged over its preset: the preset's tables and defaults, then the config's.

    Preset paths are relative to `data_dir`; a `null` in the config removes a preset's entry.
    """
    names = raw.get("preset")
    if not names:
        return raw
    data_dir = (base_dir / str(raw.get("data_dir") or ".")).resolve()
    combined: dict = {}
    for name in names if isinstance(names, list) else [names]:
        preset = read_preset(str(name), base_dir, source)
        tables = {
            table: _rebase(spec, data_dir)
            for table, spec in (preset.pop("data", None) or {}).items()
        }
        preset.pop("description", None)
        combined = _deep_merge(combined, {**preset, "data": tables})
    tables = combined.pop("data", {})
    merged = _deep_merge(combined, {k: v for k, v in raw.items() if k != "data"})
    merged["data"] = _deep_merge(tables, raw.get("data") or {})
    return merged


def read_preset(name: str, base_dir: Path, source: str) -> dict:
    """A preset by name (shipped) or path (relative to the config)."""
    path = base_dir / name
    if not path.is_file():
        path = templates_dir() / "presets" / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(
            f"{source}: 'preset': '{name}' is neither a preset nor a file."
            f"{did_you_mean(name, preset_names())} "
            f"Presets: {', '.join(preset_names())}."
        )
    try:
        return load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: preset {path}: not valid YAML ({exc}).") from None


def _rebase(spec: dict, folder: Path) -> dict:
    """A preset table with its paths (and its joins' paths) made relative to `folder`."""
    spec = dict(spec)
    if "path" in spec:
        paths = spec["path"] if isinstance(spec["path"], list) else [spec["path"]]
        spec["path"] = [str(folder / p) for p in paths]
    if "joins" in spec:
        spec["joins"] = [_rebase(j, folder) for j in spec["joins"]]
    return spec


def _deep_merge(base: dict, override: dict) -> dict:
    """`override` over `base`, dicts merged key by key."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out
