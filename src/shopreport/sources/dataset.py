"""A shop's tables as canonical, typed LazyFrames, and the checks of the data contract."""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path

import polars as pl

from shopreport.config import Condition, Config, FileOptions, Join, TableConfig
from shopreport.errors import DataError, did_you_mean
from shopreport.notes import Note
from shopreport.resources import read_yaml_resource
from shopreport.sources.database import (
    Connection,
    Pushdown,
    base_sql,
    connection,
    count_sql,
    probe,
    pushed_sql,
    quote,
    read,
)
from shopreport.sources.parse import (
    DAY_MONTH,
    EXACT_INTS,
    TimeRules,
    clean_text,
    is_bad,
    parse_column,
    parse_num,
)
from shopreport.sources.readers import (
    EMPTY_EXTRAS,
    MissingFiles,
    expand_paths,
    file_format,
    hive_root,
    partition_files,
    partition_months,
    ragged_row,
    record_line,
    scan_file,
    scan_parquet_files,
    short_row,
)
from shopreport.vocab.contract import (
    DATE,
    EMPTY_ALLOWED,
    EVENT_ALIASES,
    INT,
    NUM,
    SCALES,
    STR,
    TABLES,
    TIME,
    Table,
)

DEFAULT_PAID_STATUSES = [
    "paid",
    "completed",
    "complete",
    "shipped",
    "delivered",
    "fulfilled",
    "invoiced",
    "approved",
    "processing",
    "partially_refunded",
    "refunded",
    "已付款",
    "已支付",
    "买家已付款",
    "等待卖家发货",
    "待发货",
    "卖家已发货",
    "已发货",
    "待收货",
    "等待买家确认收货",
    "交易成功",
    "已完成",
    "已签收",
    # the full wording of Taobao/Tmall, JD, Douyin and Pinduoduo order exports
    "买家已付款，等待卖家发货",
    "卖家已发货，等待买家确认",
    "卖家部分发货",
    "等待买家确认",
    "等待出库",
    "待出库",
    "等待确认收货",
    "已发货，待收货",
    "待签收",
    "已收货",
    "完成",
    "交易完成",
]
UNPAID_STATUSES = [
    "pending",
    "unpaid",
    "payment_pending",
    "等待买家付款",
    "等待付款",
    "待付款",
    "待支付",
    "未付款",
]
"""Statuses known as not paid (yet): an order with one is no paid order, and no surprise."""
ROW, FILE, SRC = "__row", "__file", "__src"
SHOW_BAD = 3


@dataclass(frozen=True)
class Problem:
    """One finding of the checks: where, what, and whether it stops the run."""

    table: str
    message: str
    error: bool = True
    note: Note | None = None
    info: bool = False
    """A reading choice `validate` prints (time zone used, duplicates across files), not a fault."""
    position: tuple[int, int] = (0, 0)
    """(file, line) of the first row concerned, to report problems in file order."""


@dataclass(frozen=True)
class Places:
    """Where a row of a table is, as a message names it: 'data/orders.csv, line 17' (the file's
    line, header lines counted), or in a partitioned folder the partition's file and its row
    ('data/orders/month=2016-05/part-1.parquet, row 1')."""

    offset: int
    """The line of row 0 of a text file (its header lines)."""
    parts: tuple[Path, ...] = ()
    """A partitioned folder's files, in the order they were scanned."""
    text: FileOptions | None = None
    """How the table's text files are read: a quoted value over several lines puts the rows
    after it further down the file."""

    def line(self, file: str, row: int) -> int:
        """The line of a text file on which `row` (from 1) starts."""
        if self.text is None:
            return row + self.offset
        return record_line(Path(file), self.text, row + self.offset)

    def __call__(self, file: str, row: int) -> str:
        if not self.parts:
            return f"{file}, line {self.line(file, row)}"
        i = self._part(row)
        return f"{self.parts[i]}, row {row - self._starts[i]}"

    def _part(self, row: int) -> int:
        return bisect.bisect_right(self._starts, row - 1) - 1  # rows are counted from 1

    def lacks(self, row: int, column: str) -> Path | None:
        """The partition file of `row` when it lacks `column`, which the other partitions have
        (its rows read as empty)."""
        if not self.parts:
            return None
        part = self.parts[self._part(row)]
        if column in pl.read_parquet_schema(part):
            return None
        # a renamed or derived column is in no file: only a column another partition has
        other = next((p for p in self.parts if p != part), None)
        return part if other is not None and column in pl.read_parquet_schema(other) else None

    @cached_property
    def _starts(self) -> list[int]:
        """The rows before each part (read from the files' metadata, when a message needs it)."""
        counts = [pl.scan_parquet(p).select(pl.len()).collect().item() for p in self.parts]
        return [sum(counts[:i]) for i in range(len(counts))]


@dataclass
class TableSource:
    """One table: its files, its typed frame and the frame the checks run on."""

    name: str
    files: list[Path]
    frame: pl.LazyFrame
    checked: pl.LazyFrame
    headers: dict[str, str]
    line_offset: int
    checks: list[str] = field(default_factory=list)
    file_columns: list[str] = field(default_factory=list)
    extra: list[tuple[pl.LazyFrame, object]] = field(default_factory=list)
    """Checks decided while reading (blank rows, rows repeated across files)."""
    counted: list[tuple[pl.Expr, pl.LazyFrame, object]] = field(default_factory=list)
    """Checks decided while reading whose rows are counted first (empty required values)."""
    excluded: pl.LazyFrame | None = None
    """order_items: SKUs of lines that are not merchandise (kept for the GMV split only)."""
    database: DatabaseRead | None = None
    """The rows came from a database (no files)."""
    whole: pl.LazyFrame | None = None
    """Every row, when `frame` holds only the partitions a report's range needs."""
    places: Places | None = None
    """Where its rows are (a partitioned folder's files and their rows)."""

    def place(self, file: str, row: int) -> str:
        """Where a row is, as a message names it (`Places`)."""
        return (self.places or Places(self.line_offset))(file, row)

    @property
    def spec(self) -> Table:
        """The contract of this table."""
        return TABLES[self.name]

    def column_label(self, column: str) -> str:
        """'paid_amount' or 'paid_amount (买家实际支付金额)' when the file calls it otherwise."""
        header = self.headers.get(column, column)
        return column if header == column else f"{column} ({header})"


@dataclass
class Dataset:
    """The configured tables of one shop; only orders is required."""

    config: Config
    tables: dict[str, TableSource]
    warnings: list[Note] = field(default_factory=list)
    amounts_known: bool = True
    empty: list[str] = field(default_factory=list)
    """Tables whose files have a header and no rows: left out, as if not configured."""
    empty_files: dict[str, list[Path]] = field(default_factory=dict)
    """The files of those tables (for `validate` to name)."""
    prepared: bool = False
    """Read from the prepared store: typed and checked when it was stored."""
    first_paid: pl.LazyFrame | None = None
    """Each buyer's first payment as the prepared store keeps it (else from the orders)."""
    distinct_buyer_hashes: bool | None = None
    """No two buyers of the history share customer_id's hash (`buyer_hash`): the report
    groups buyers by it. None until counted (the store counts them when it is written, a
    report's shared scan otherwise)."""
    numbered_orders: bool = False
    """Every order id is an order number (`order_number`), found by the checks: lines join
    their orders on the number, a third of the cost of joining the text."""

    def first_payments(self) -> pl.LazyFrame:
        """Each buyer's first payment over the whole history: customer_id, first_pay."""
        if self.first_paid is not None:
            return self.first_paid
        return first_payments(self.history("orders"))

    def data_end(self) -> date | None:
        """The last day of the orders table (its last order_time), computed once."""
        if not hasattr(self, "_data_end"):
            last = (
                self.history("orders")
                .filter(pl.col("order_time") < tomorrow(self.config))  # not a misdated order
                .select(pl.col("order_time").max())
                .collect()
                .item()
            )
            self._data_end = last.date() if isinstance(last, datetime) else None
        return self._data_end

    def data_start(self) -> date | None:
        """The first day of the orders table (its first order_time)."""
        first = self.history("orders").select(pl.col("order_time").min()).collect().item()
        return first.date() if isinstance(first, datetime) else None

    def history(self, name: str) -> pl.LazyFrame:
        """Every row of a table, for the facts of its whole history (its first and last
        dates, each buyer's first payment), when a report read only its range's partitions."""
        source = self.tables[name]
        return source.frame if source.whole is None else source.whole

    def has(self, name: str) -> bool:
        """Whether the table is configured."""
        return name in self.tables

    def frame(self, name: str) -> pl.LazyFrame:
        """The canonical, typed LazyFrame of a table."""
        return self.tables[name].frame

    def columns(self, name: str) -> list[str]:
        """Canonical columns a table has."""
        return self.tables[name].frame.collect_schema().names() if name in self.tables else []

    def check(self) -> list[Problem]:
        """Run the contract checks; raise DataError on the first table with errors."""
        problems = self.problems()
        errors = [p for p in problems if p.error]
        if errors:  # one a line, as `validate` lists them
            more = len(errors) - 3
            tail = (
                [f"… and {more} more: `shopreport validate` lists every one."] if more > 0 else []
            )
            raise DataError("\n".join([p.message for p in errors[:3]] + tail))
        return problems

    def problems(self, one_at_a_time: bool = False, thorough: bool = False) -> list[Problem]:
        """Every finding of the contract checks (errors and warnings), without stopping.

        `one_at_a_time`: each check's query collected alone, for `validate` of a whole history
        (at 10M order lines: peak 1,647 → 1,249 MB, time within 4%); a report's checks, over
        the rows it reads, run together (3% faster: they share their scans). `thorough`: the
        checks only `validate` runs (`_checks`)."""
        queries, owners = [], []
        for source in self.tables.values():
            checks = _checks(source, thorough)
            for query, describe in source.extra + checks + _orphan_checks(self, source):
                queries.append(query)
                owners.append((source, describe))
        orders = self.tables.get("orders")  # None: `validate` of a file it could not read
        for query, gate in (
            (_plausibility(orders, self.config), _future(orders, self.config)) if orders else ()
        ):
            queries.append(query)
            owners.append((orders, gate))
        numbered = orders is not None and orders.frame.collect_schema().get("order_id") == pl.String
        if numbered:
            queries.append(self.frame("orders").select(order_number().is_not_null().all()))
        if orders:
            queries.append(self.frame("orders").select(pl.col("paid_amount").is_not_null().any()))

        def collect(batch: list[pl.LazyFrame]) -> list[pl.DataFrame]:
            if one_at_a_time:  # together they hold every table's columns at once
                return [query.collect() for query in batch]
            return pl.collect_all(batch)

        results = collect(queries)
        self.amounts_known = bool(results.pop().item()) if orders else True
        self.numbered_orders = numbered and bool(results.pop().item())
        problems: list[Problem] = []
        found: list[tuple[TableSource, tuple[pl.LazyFrame, object]]] = []
        for (source, describe), result in zip(owners, results, strict=False):
            if isinstance(describe, Gate):
                found.extend((source, check) for check in describe.then(result))
            else:
                problems.extend(describe(result))
        rows = collect([query for _, (query, _) in found]) if found else []
        for (_, (_, describe)), result in zip(found, rows, strict=True):
            problems.extend(describe(result))  # type: ignore[operator]
        order = list(self.tables)
        problems.sort(key=lambda p: (order.index(p.table), not p.error, p.position))
        specs = {n: s for n, s in self.config.data.tables().items() if n in self.tables}
        self.warnings = (
            [p.note for p in problems if p.note is not None]
            + [
                Note("approximate_time", {"table": n})
                for n, s in specs.items()
                if s.approximate_time
            ]
            + [
                Note("spread_days", {"table": n, "days": s.days_per_row})
                for n, s in specs.items()
                if s.days_per_row > 1
            ]
            + [Note("empty_table", {"table": n}) for n in self.empty]
        )
        return problems


ORDER_NUMBER = "_order_number"


def order_number() -> pl.Expr:
    """The order id as a 64-bit number where it is written as one (digits only, no sign, no
    leading zero, below 2^64), else null. The order numbers of Taobao, Tmall, JD, Douyin and
    Shopify are all such; two such ids are equal exactly when their numbers are, and an id
    that is not one never equals an order's when every order's is (`Dataset.numbered_orders`)."""
    text = pl.col("order_id")
    written = ~text.str.starts_with("0") & ~text.str.starts_with("+")
    return pl.when(written).then(text.cast(pl.UInt64, strict=False)).alias(ORDER_NUMBER)


def buyer_hash() -> pl.Expr:
    """customer_id's 64-bit hash (null stays null, as in a group-by of the ids)."""
    ids = pl.col("customer_id")
    return pl.when(ids.is_not_null()).then(ids.hash(seed=0))


def first_payments(orders: pl.LazyFrame) -> pl.LazyFrame:
    """customer_id and the time of their first paid order."""
    return (
        orders.filter(pl.col("pay_time").is_not_null())
        .group_by("customer_id")
        .agg(first_pay=pl.col("pay_time").min())
    )


def read_dataset(
    config: Config,
    failures: dict[str, str] | None = None,
    span: tuple[datetime, datetime] | None = None,
) -> Dataset:
    """Scan every configured table into canonical, typed LazyFrames (nothing is loaded yet).

    An optional table (from a preset) whose files are not there is left out. With
    `failures`, a table that cannot be read is recorded there instead of stopping (the
    orders too: the other tables are then checked on their own). With
    `span`, tables read from a database send only the rows of that time range (and those that
    keep the table's facts whole: see sources/database.py), and of tables kept as monthly
    partitions only the months from the range's start are read (see `_read_table`).
    """
    tables = {}
    pushed: dict[str, DatabaseRead] = {}
    ranged: dict[str, str] = {}
    for name, spec in config.data.tables().items():
        try:
            tables[name] = _read_table(name, spec, config, span, pushed, ranged)
        except MissingFiles:
            if not spec.optional:
                if failures is None:
                    raise
                failures[name] = sys.exc_info()[1].message
        except DataError as exc:
            if failures is None:
                raise
            failures[name] = exc.message
    if "orders" not in tables:
        if failures is None or "orders" not in failures:
            raise DataError(f"{config.source}: the orders table is required.")
        # `validate` goes on to check the other tables on their own
    # a table with a header and no rows is data the shop does not have, not zeros
    specs = config.data.tables()
    empty = [n for n, t in tables.items() if n != "orders" and _is_empty(t, specs[n])]
    empty_files = {name: tables.pop(name).files for name in empty}
    _exclude_non_merchandise(tables, config)
    return Dataset(config, tables, empty=empty, empty_files=empty_files)


def _is_empty(table: TableSource, spec: TableConfig) -> bool:
    """Whether a table's files have a header and no rows. Rows the table's filter removed leave
    a true zero (an orders export without refunded orders has no refunds), not missing data."""
    if table.frame.select(pl.len()).collect().item():
        return False
    expected = _expected_headers(spec, table.spec)
    return all(
        scan_file(path, spec, expected)[0].select(pl.len()).collect().item() == 0
        for path in table.files
    )


def non_merchandise_patterns(config: Config) -> list[str]:
    """Names and SKUs of order lines that are not goods (shipping protection, tips, gift cards):
    templates/non_merchandise.yaml and the config's `exclude_products`."""
    return [*read_yaml_resource("non_merchandise.yaml")["products"], *config.exclude_products]


def _matcher(patterns: list[str]) -> str:
    """One case-insensitive regex matching a whole value against `*`-wildcard patterns."""
    import re

    parts = [re.escape(p.strip()).replace(r"\*", ".*") for p in patterns if p.strip()]
    return "(?i)^(?:" + "|".join(parts) + ")$"


def _exclude_non_merchandise(tables: dict[str, TableSource], config: Config) -> None:
    """Non-merchandise products leave products, and their order lines are marked (GMV, taken
    from orders, keeps them); the count and amount are reported by `validate`."""
    if "order_items" not in tables:
        return
    regex = _matcher(non_merchandise_patterns(config))
    items = tables["order_items"]
    match = pl.col("sku").str.strip_chars().str.contains(regex).fill_null(False)
    excluded = items.frame.filter(match).select("sku")
    if "products" in tables:
        products = tables["products"]
        by_name = (
            pl.col("name").str.strip_chars().str.contains(regex).fill_null(False)
            if "name" in products.frame.collect_schema().names()
            else pl.lit(False)
        )
        named = products.frame.filter(match | by_name).select("sku")
        excluded = pl.concat([excluded, named]).unique()
        products.frame = products.frame.join(excluded, on="sku", how="anti")
    lines = items.frame.join(excluded, on="sku", how="semi")
    # the lines stay in order_items, so an order's amount is split over all its lines; they are
    # dropped after the split (metrics/base.py), so goods never take a gift card's share
    items.excluded = excluded
    amount = (
        pl.col("amount")
        if "amount" in items.frame.collect_schema().names()
        else pl.col("quantity") * pl.col("unit_price")
        if "unit_price" in items.frame.collect_schema().names()
        else pl.lit(None, pl.Float64)
    )
    query = lines.select(
        rows=pl.len(), amount=amount.sum(), names=pl.col("sku").unique(maintain_order=True).head(4)
    )

    def describe(result: pl.DataFrame) -> list[Problem]:
        if result.is_empty() or not result["rows"][0]:
            return []
        names = ", ".join(result["names"].drop_nulls().to_list())
        amount = result["amount"][0]
        money = f" (amount {amount:,.2f})" if amount else ""
        return [
            Problem(
                "order_items",
                f"{result['rows'][0]} line(s){money} are not merchandise ({names}): they count "
                "in GMV and are left out of product rankings, lifecycle and category splits "
                "(templates/non_merchandise.yaml, `exclude_products`).",
                error=False,
                info=True,
            )
        ]

    # the SKUs first (a look-up in the files' dictionaries), the lines only when there are some
    items.extra.append(_when_found(excluded.select(pl.len()), query, describe))


def _expected_headers(spec: TableConfig, table: Table) -> frozenset[str]:
    """Headers the config names for a file, used to find the header row below title rows."""
    names = (
        set(spec.mapping) | set(spec.rename) | set(spec.group_by) | {c.column for c in spec.filter}
    )
    if not spec.mapping:
        names |= set(table.names)
    return frozenset(names)


DIMENSIONS = ("customers", "products")
"""Tables that describe things, not events: read whole (a customer who joined years ago buys
this month)."""


@dataclass(frozen=True)
class DatabaseRead:
    """A table's rows as the database sent them, and what `validate` says of the reading."""

    frame: pl.DataFrame
    where: str
    """'postgresql://report@db/erp, table orders': names the rows in messages."""
    conn: Connection
    sql: str
    """The SQL that was run (with the range, when pushed down)."""
    rows: int | None = None
    """Rows of the whole table when only a range was read (its coverage counts all)."""
    rule: str = ""
    key: str | None = None
    """The order id column as the database names it (orders and order_items)."""


def _read_database(
    name: str,
    spec: TableConfig,
    config: Config,
    span: tuple[datetime, datetime] | None,
    pushed: dict[str, DatabaseRead],
) -> DatabaseRead:
    """Run a table's SQL, with the report's range pushed into it when the table allows."""
    label = f"{config.source}: data.{name}"
    conn = connection(spec.uri or "", config.base_dir, label)
    where = f"{conn.shown}, " + (f"table {spec.table}" if spec.table else f"query of data.{name}")
    sql = base_sql(spec, conn)
    label = f"{label} ({where})"
    first = probe(conn, sql, label)
    header = lambda column: _header_of(spec, column, first)  # noqa: E731
    key = header("order_id") if name in ("orders", "order_items") else None
    time = TABLES[name].time if name not in DIMENSIONS else None
    push = None
    column = header(time) if span is not None and time else None
    if span is not None and column:
        paid = header("pay_time") if name == "orders" else None
        buyer = header("customer_id") if paid else None
        push = Pushdown(span[0], span[1], column, paid, buyer)
    orders = pushed.get("orders")
    if push is not None:
        run = pushed_sql(sql, conn, first.columns, push)
        rule = (
            f"read from {conn.shown}: {time} from {push.lo:%Y-%m-%d} to before "
            f"{push.hi:%Y-%m-%d} (the report's range, pushed into the query), plus the first and "
            + "last rows"
            + (" and each earlier buyer's first paid order" if push.customer else "")
        )
    elif (
        span is not None
        and name == "order_items"
        and key
        and orders is not None
        and orders.key
        and orders.conn.uri == conn.uri
    ):
        run = (
            f"SELECT * FROM ({sql}) AS q WHERE q.{quote(key, conn)} IN "
            f"(SELECT o.{quote(orders.key, conn)} FROM ({orders.sql}) AS o)"
        )
        rule = f"read from {conn.shown}: the lines of the orders read"
    else:
        run = sql
        rule = f"read from {conn.shown}: every row" + (
            f" ({time} is not a date/time column of the database)"
            if span is not None and time and not header(time)
            else ""
        )
    frame = read(conn, run, label)
    rows = None
    if run != sql:
        rows = int(read(conn, count_sql(sql), label).item())
    result = DatabaseRead(frame, where, conn, run, rows, rule, key)
    pushed[name] = result
    return result


def _header_of(spec: TableConfig, column: str, first: pl.DataFrame) -> str | None:
    """The database column a canonical column is read from, when it is one column of the query
    holding dates or times (ISO text counts): the range can be compared with it in SQL."""
    named = [h for h, c in spec.mapping.items() if c == column]
    found = named[0] if named else (column if not spec.mapping or column in first.columns else None)
    if found is None or found not in first.columns:
        return None
    dtype = first.schema[found]
    if dtype.is_temporal() or column in ("order_id", "customer_id"):
        return found
    if dtype == pl.String and first.height:
        value = first[found][0]
        return found if value is None or re.match(r"\d{4}-\d{2}-\d{2}", value) else None
    return None


def _read_table(
    name: str,
    spec: TableConfig,
    config: Config,
    span: tuple[datetime, datetime] | None = None,
    pushed: dict[str, DatabaseRead] | None = None,
    ranged: dict[str, str] | None = None,
) -> TableSource:
    """Scan, join, transform, map and type one table; its files make one table.

    With `span`, a table kept as monthly partitions (`orders/month=2026-10/…`) is read from
    the month the span starts: the rows a report reads, and the rows the checks cover. Orders
    paid in the span but placed earlier move that month back (their lines with them: order
    lines are partitioned by their order's month). The whole table stays at hand, lazily, for
    the facts of its history (`Dataset.history`)."""
    source = _scan_table(name, spec, config, span, pushed)
    if span is None or ranged is None:
        return source
    months = partition_months(source.files)
    if months is None:
        return source
    if name == "order_items":
        if "orders" not in ranged:
            return source
        first = ranged["orders"]
    elif not TABLES[name].time or name in DIMENSIONS:
        return source
    else:
        first = f"{span[0]:%Y-%m}"
    if name == "orders":
        late = (
            source.frame.filter(pl.col("pay_time") >= span[0])
            .select(pl.col("order_time").min())
            .collect()
            .item()
        )
        if isinstance(late, datetime):
            first = min(first, f"{late:%Y-%m}")
        ranged["orders"] = first
    keep = [path for path, month in months.items() if month >= first]
    if len(keep) == len(source.files) or not keep:
        return source
    pruned = _scan_table(name, spec, config, span, pushed, keep)
    pruned.whole = source.frame
    return pruned


def _scan_table(
    name: str,
    spec: TableConfig,
    config: Config,
    span: tuple[datetime, datetime] | None = None,
    pushed: dict[str, DatabaseRead] | None = None,
    keep: list[Path] | None = None,
) -> TableSource:
    """Scan, join, transform, map and type one table (of its partition files `keep` only); a
    text file's row with a value too many is an error naming its line."""
    try:
        return _scan_files(name, spec, config, span, pushed, keep)
    except pl.exceptions.ComputeError as exc:
        if "more fields" not in str(exc):
            raise
        tolerant = len(EMPTY_EXTRAS)
        if where := _ragged(name, spec, config):
            raise DataError(where) from None
        if len(EMPTY_EXTRAS) > tolerant:  # only empty extra values: read again without them
            return _scan_table(name, spec, config, span, pushed, keep)
        raise


def _scan_files(
    name: str,
    spec: TableConfig,
    config: Config,
    span: tuple[datetime, datetime] | None,
    pushed: dict[str, DatabaseRead] | None,
    keep: list[Path] | None,
) -> TableSource:
    label = f"{config.source}: data.{name}"
    skipped: dict[Path, Path] = {}
    joins = [_scan_join(join, config, f"{label}.joins") for join in spec.joins]
    rules = TimeRules(config.timezone, config.wall_time, spec.date_format)
    parts, checked_parts, blanks = [], [], []
    scanned: tuple[Path, ...] = ()  # a partitioned folder's files
    headers: dict[str, str] = {}
    header_row = 0
    file_columns: list[str] = []
    database: DatabaseRead | None = None
    if spec.uri is not None:
        database = _read_database(name, spec, config, span, {} if pushed is None else pushed)
        files: list[Path] = []
        units: list[Path | str] = [database.where]  # named in messages as the table's source
        fmts: dict[Path | str, str] = {database.where: "database"}
    else:
        files = _oldest_first(expand_paths(spec.path, config.base_dir, label, skipped))
        root = hive_root(files)
        units = [root] if root is not None else files  # a partitioned dataset is one scan
        if root is not None:
            scanned = tuple(keep if keep is not None else partition_files(root))
        fmts = {path: file_format(path, spec) for path in units}
    several = len(units) > 1
    mapped = []
    for path in units:
        if database is not None:
            raw = database.frame.lazy()
        elif keep is not None:
            raw = scan_parquet_files(keep)
        else:
            raw, header_row = scan_file(path, spec, _expected_headers(spec, TABLES[name]))
        file_columns = list(dict.fromkeys(file_columns + raw.collect_schema().names()))
        indexed = raw.with_row_index(ROW, offset=1)
        if fmts[path] not in ("parquet", "database"):
            # rows left blank (Excel pads re-saved files with them) are skipped and counted
            blank = pl.all_horizontal(
                [clean_text(pl.col(c).cast(pl.String)).is_null() for c in raw.collect_schema()]
            )
            blanks.append(
                raw.select(blank.sum().alias("rows")).with_columns(file=pl.lit(str(path)))
            )
            raw, indexed = raw.filter(~blank), indexed.filter(~blank)
        for join, frame in zip(spec.joins, joins, strict=False):
            raw, indexed = _join(raw, frame, join, path), _join(indexed, frame, join, path)
        raw, indexed = _transform(raw, spec, path), _transform(indexed, spec, path)
        raw, headers = _map_columns(raw, spec, TABLES[name], path)
        indexed, _ = _map_columns(indexed, spec, TABLES[name], path, keep=[ROW])
        mapped.append((path, raw, indexed))
    if spec.date_format is None:  # day/month order: decided once for the table's files
        rules = TimeRules(rules.tz, rules.wall, _date_order([r for _, r, _ in mapped], name))
    for index, (path, raw, indexed) in enumerate(mapped):
        clean = fmts[path] != "parquet"
        typed, checked, fallible = _typed(raw, indexed, TABLES[name], rules, clean)
        parts.append(typed.with_columns(pl.lit(index, pl.Int32).alias(SRC)) if several else typed)
        checked_parts.append(
            checked.with_columns(
                pl.lit(database.where if database else str(path)).alias(FILE),
                pl.lit(index, pl.Int32).alias(SRC),
            )
        )
    frame = pl.concat(parts, how="diagonal_relaxed") if several else parts[0]
    checked = pl.concat(checked_parts, how="diagonal_relaxed") if several else checked_parts[0]
    before = frame.collect_schema().names()
    frame, checked = _derive(name, frame, spec, config), _derive(name, checked, spec, config)
    extra = [_blank_rows(name, blanks)] if blanks else []
    by_status = "status" in before and "pay_time" not in before
    if name == "orders" and config.metrics.orders_basis == "paid" and by_status:
        extra.append(_unknown_statuses(checked, spec, headers))
    if skipped:
        extra.append(_same_files(name, skipped))
    text = any(fmts[path] not in ("parquet", "database") for path in units)
    if text:
        # text and Excel exports are parsed once, not once per query: the checked frame holds the
        # typed columns too, so the table is read from it (Parquet stays lazy, for pushdown)
        checked = _collect(checked, files)
        frame = checked.select(frame.collect_schema().names())
    key = _file_key(name, frame, spec)
    if several and key:
        # the same order in several files (split or overlapping downloads): the newest file's
        # rows are kept, so identical repeats count once and changed ones take the latest state
        extra.append(_repeats_across_files(name, checked, key, frame.collect_schema().names()))
        # a row without its id (a refund whose 退款编号 is blank) is the same row only when it
        # repeats whole
        whole = [c for c in frame.collect_schema().names() if c != SRC]
        blank = pl.any_horizontal([pl.col(k).is_null() for k in key])
        row = pl.when(blank).then(pl.struct(whole).hash()).otherwise(pl.struct(key).hash())
        newest = pl.col(SRC) == pl.col(SRC).max().over(row)
        frame, checked = frame.filter(newest), checked.filter(newest)
        if text:
            checked = checked.collect().lazy()
            frame = checked.select(frame.collect_schema().names())
    if several:
        frame = frame.drop(SRC)
    offset = header_row + (0 if spec.headers or database else 1)
    texts = any(fmts[path] in ("csv", "tsv") for path in units)
    places = Places(offset, scanned, spec if texts and not scanned else None)
    counted: list[tuple[pl.Expr, pl.LazyFrame, object]] = []
    columns = frame.collect_schema().names()
    required = [
        c
        for c in TABLES[name].required
        if c in columns and c not in spec.constants and (name, c) not in EMPTY_ALLOWED
    ]
    if required:
        # a column empty everywhere is data the table lacks (amounts unknown), not a bad row
        gaps = [
            pl.col(c).is_null() & ~pl.col(c).is_null().all() & ~pl.col(f"__bad_{c}")
            for c in required
        ]
        gap = _missing_values(name, checked, required, gaps, spec, places, headers)
        if spec.on_missing == "skip":  # counted on the rows before they are left out
            extra.append(gap[1:])
        else:
            counted.append(gap)
        if spec.on_missing == "skip":
            kept = ~pl.any_horizontal(
                [pl.col(c).is_null() & ~pl.col(c).is_null().all() for c in required]
            )
            frame, checked = frame.filter(kept), checked.filter(~pl.any_horizontal(gaps))
    for column in fallible:
        if TABLES[name].column(column).kind in (TIME, DATE):
            extra.append(_time_reading(name, checked, column, rules, headers, places))
    if spec.days_per_row > 1:
        frame = _spread(frame, TABLES[name], spec.days_per_row)
    source = TableSource(
        name, files, frame, checked, headers, offset, sorted(fallible), file_columns, extra
    )
    source.counted = counted
    source.places = places
    if database is not None:
        source.database = database
    return source


def _missing_values(
    name: str,
    checked: pl.LazyFrame,
    required: list[str],
    gaps: list[pl.Expr],
    spec: TableConfig,
    places: Places,
    headers: dict[str, str],
) -> tuple[pl.Expr, pl.LazyFrame, object]:
    """Rows whose required value is empty: an error naming the first, or (on_missing: skip) a
    warning with the count of rows left out. The count of such rows, the query, its message."""
    flags = [f"__gap_{c}" for c in required]
    count = pl.any_horizontal(gaps).sum()
    query = (
        checked.with_columns([g.alias(f) for f, g in zip(flags, gaps, strict=True)])
        .filter(pl.any_horizontal(flags))
        .select(
            pl.col(FILE).first(),
            pl.col(ROW).first(),
            pl.col(SRC).first(),
            pl.len().alias("rows"),
            *[pl.col(f).sum().alias(f"n_{c}") for c, f in zip(required, flags, strict=True)],
        )
    )

    def describe(result: pl.DataFrame) -> list[Problem]:
        if result.is_empty() or not result["rows"][0]:
            return []
        row = result.row(0, named=True)
        counts = [(c, row[f"n_{c}"]) for c in required if row[f"n_{c}"]]
        label = ", ".join(
            f"{c} ({headers[c]})" if headers.get(c, c) != c else c for c, _ in counts[:1]
        )
        what = "; ".join(f"{n:,} without {c}" for c, n in counts)
        header = headers.get(counts[0][0], counts[0][0])
        lacking = places.lacks(row[ROW], header) if spec.on_missing != "skip" else None
        if lacking is not None:  # a partition written without the column: not empty values
            return [
                Problem(
                    name,
                    f"{lacking}: has no column {label}, which the other partitions of "
                    f"{row[FILE]} have ({what}). Write the partition again with every column.",
                    position=(row[SRC], row[ROW]),
                )
            ]
        where = f"{places(row[FILE], row[ROW])}, column {label}"
        if spec.on_missing == "skip":
            return [
                Problem(
                    name,
                    f"{row['rows']:,} row(s) left out for an empty required value ({what}; first: "
                    f"{where}).",
                    error=False,
                    position=(row[SRC], row[ROW]),
                )
            ]
        short = (
            short_row(Path(row[FILE]), spec, row[ROW], places.offset) if not places.parts else None
        )
        if short is not None:  # Polars reads the values a row lacks as empty
            what += (
                f"; the line has {short[0]} values where the header has {short[1]}: a value "
                "left out, or a line break inside a value"
            )
        return [
            Problem(
                name,
                f"{where}: the value is empty ({what}). A row must have every required value; "
                f"fix the export or its join, or set `on_missing: skip` under data.{name} to "
                "leave such rows out.",
                position=(row[SRC], row[ROW]),
            )
        ]

    return count, query, describe


OFFSET_SEEN = r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*([+-]\d{2}:?\d{2}|Z)$"

UTC_OFFSETS = frozenset({"Z", "+0000", "-0000"})
"""Offsets that say UTC: times written in UTC (an API's export) are meant to be converted."""


def zone_offsets(tz: str) -> frozenset[str]:
    """A time zone's UTC offsets ('+0800'), winter and summer of recent years."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    offsets = set()
    for year in (2016, 2020, 2024):
        for month in (1, 7):
            minutes = int(datetime(year, month, 1, tzinfo=zone).utcoffset().total_seconds()) // 60  # type: ignore[union-attr]
            sign = "-" if minutes < 0 else "+"
            offsets.add(f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}")
    return frozenset(offsets)


def _time_reading(
    name: str,
    checked: pl.LazyFrame,
    column: str,
    rules: TimeRules,
    headers: dict[str, str],
    places: Places,
) -> tuple[pl.LazyFrame, object]:
    """How a text time column was read: the UTC offsets it carries (and naive values beside
    them), and the order of day and month when dates are written day/month first."""
    text = clean_text(pl.col(f"__raw_{column}").cast(pl.String))
    normal = text.str.replace_all("/", "-")
    first = normal.str.extract(DAY_MONTH, 1).cast(pl.Int32, strict=False)
    second = normal.str.extract(DAY_MONTH, 2).cast(pl.Int32, strict=False)
    query = (
        checked.select(
            offset=text.str.extract(OFFSET_SEEN, 1).str.replace(":", ""),
            present=text.is_not_null(),
            day_month=first.is_not_null(),
            first=first.max(),
            second=second.max(),
            sample=text.filter(first.is_not_null()).first(),
            row=pl.col(ROW).filter(first.is_not_null()).first(),
            file=pl.col(FILE).filter(first.is_not_null()).first(),
        )
        .group_by("offset")
        .agg(
            pl.col("present").sum(),
            pl.col("day_month").sum(),
            pl.col("first", "second", "sample", "row", "file").first(),
        )
    )
    label = column if headers.get(column, column) == column else f"{column} ({headers[column]})"

    def describe(result: pl.DataFrame) -> list[Problem]:
        out: list[Problem] = []
        offsets = result.filter(pl.col("offset").is_not_null() & (pl.col("present") > 0))
        naive = result.filter(pl.col("offset").is_null())["present"].sum()
        if not offsets.is_empty():
            seen = ", ".join(
                f"{o} ×{n:,}"
                for o, n in offsets.sort("present", descending=True)
                .select("offset", "present")
                .iter_rows()
            )
            used = (
                "kept as the local time written in the export (the store's own time; set "
                "`timezone:` to convert)"
                if rules.wall
                else f"converted to {rules.tz}"
            )
            out.append(
                Problem(
                    name,
                    f"{label}: times carry UTC offsets ({seen}): {used}.",
                    error=False,
                    info=True,
                )
            )
            zone = zone_offsets(rules.tz)
            foreign = [o for o in offsets["offset"] if o not in zone and o not in UTC_OFFSETS]
            if foreign and not rules.wall:
                out.append(
                    Problem(
                        name,
                        f"{label}: the export writes its times at {', '.join(foreign)}, the "
                        f"store's own time zone, but `timezone: {rules.tz}` is "
                        f"{', '.join(sorted(zone))}: times are moved to it, so a day's orders "
                        "differ from the platform's own reports (an order near midnight counts on "
                        "another day). Remove `timezone:` to keep the times as written, or set the "
                        "store's zone.",
                        error=False,
                    )
                )
            if naive:
                out.append(
                    Problem(
                        name,
                        f"{label}: {naive:,} time(s) have no UTC offset beside "
                        f"{offsets['present'].sum():,} with one; those without are read as "
                        f"{'the same local time' if rules.wall else rules.tz + ' time'}.",
                        error=False,
                    )
                )
        dm = result.filter(pl.col("day_month") > 0)
        if dm.is_empty() or rules.date_format not in (None, "mdy", "dmy"):
            return out
        row = dm.row(0, named=True)
        if rules.date_format:
            order = rules.date_format
        elif (row["first"] or 0) > 12 or (row["second"] or 0) > 12:
            # decisive only beyond the rows looked at when reading: the dates stayed unread
            order = "dmy" if (row["first"] or 0) > 12 else "mdy"
            out.append(
                Problem(
                    name,
                    f"{label}: dates are written {order} ({row['sample']!r} …), which shows only "
                    f"after the first {DATE_PROBE_ROWS:,} rows; set `date_format: {order}` under "
                    f"data.{name}.",
                )
            )
            return out
        else:
            sample = row["sample"]
            a, b, year = re.match(r"(\d{1,2})\D(\d{1,2})\D(\d{2,4})", sample).groups()
            out.append(
                Problem(
                    name,
                    f"{places(row['file'], row['row'])}, column {label}: the date "
                    f"{sample!r} could be {_ymd(year, a, b)} (month first) or "
                    f"{_ymd(year, b, a)} (day first), and no value in the column tells "
                    "which. Set `date_format: mdy` (US) or "
                    f"`date_format: dmy` under data.{name}.",
                    position=(0, row["row"]),
                )
            )
            return out
        words = {"mdy": "month/day/year", "dmy": "day/month/year"}
        out.append(
            Problem(
                name,
                f"{label}: dates read as {words[order]} (e.g. {row['sample']!r}).",
                error=False,
                info=True,
            )
        )
        return out

    return query, describe


def _ymd(year: str, month: str, day: str) -> str:
    """'2017-10-02' from parts as written."""
    full = year if len(year) == 4 else f"20{year}"
    return f"{full}-{int(month):02d}-{int(day):02d}"


def _spread(frame: pl.LazyFrame, table: Table, days: int) -> pl.LazyFrame:
    """Rows covering `days` days from their date become one row a day, their numbers divided
    evenly (a weekly traffic export read day by day)."""
    if table.name not in ("traffic", "marketing"):
        raise DataError(
            f"data.{table.name}: `days_per_row` spreads traffic or marketing rows over their days; "
            "other tables are snapshots or events."
        )
    names = frame.collect_schema().names()
    numbers = [  # counts and amounts spread; rates (bounce_rate) stay as they are
        c
        for c in names
        if c in table.names and table.column(c).kind in (NUM, INT) and not c.endswith("_rate")
    ]
    day = pl.col(table.time)
    return (
        frame.with_columns(pl.date_ranges(day, day + pl.duration(days=days - 1)).alias(table.time))
        .explode(table.time)
        .with_columns([(pl.col(c).cast(pl.Float64) / days).alias(c) for c in numbers])
    )


DATE_PROBE_ROWS = 50_000


def _date_order(frames: list[pl.LazyFrame], name: str) -> str | None:
    """'dmy' or 'mdy' when the table's text dates are written day/month first and a part above
    12 tells which (looked at in the first rows of each file); None otherwise (year first, or
    ambiguous: those dates stay unread and the contract check asks for `date_format`)."""
    firsts, seconds = [], []
    for frame in frames:
        schema = frame.collect_schema()
        columns = [
            c
            for c in schema.names()
            if schema[c] == pl.String and TABLES[name].column(c).kind in (TIME, DATE)
        ]
        if not columns:
            continue
        parts = [
            pl.col(c)
            .str.strip_chars()
            .str.replace_all("/", "-")
            .str.extract(DAY_MONTH, k)
            .cast(pl.Int32, strict=False)
            .max()
            .alias(f"{c}_{k}")
            for c in columns
            for k in (1, 2)
        ]
        row = frame.head(DATE_PROBE_ROWS).select(parts).collect().row(0, named=True)
        firsts += [row[f"{c}_1"] for c in columns if row[f"{c}_1"] is not None]
        seconds += [row[f"{c}_2"] for c in columns if row[f"{c}_2"] is not None]
    if any(v > 12 for v in firsts):
        return "dmy"
    if any(v > 12 for v in seconds):
        return "mdy"
    return None


def _oldest_first(files: list[Path]) -> list[Path]:
    """Files by modification time (to the second), then name: the last is the newest."""
    return sorted(files, key=lambda p: (int(p.stat().st_mtime), p.name))


def _file_key(name: str, frame: pl.LazyFrame, spec: TableConfig) -> list[str]:
    """The columns whose repeats across files are one row (see TableConfig.dedupe_by)."""
    names = [c for c in frame.collect_schema().names() if c != SRC]
    if spec.dedupe_by:
        missing = [c for c in spec.dedupe_by if c not in names]
        if missing:
            raise DataError(f"data.{name}.dedupe_by: the table has no column {missing[0]}.")
        return list(spec.dedupe_by)
    key = TABLES[name].key
    if key and key in names:
        return [key]
    if name == "order_items" and "order_id" in names:
        return ["order_id"]
    # refunds without their own id (退款编号): one refund when a whole row repeats
    return names if name == "refunds" else []


def _repeats_across_files(
    name: str, checked: pl.LazyFrame, key: list[str], columns: list[str]
) -> tuple[pl.LazyFrame, object]:
    """How many keys appear in more than one file, and how many of those differ."""
    values = [c for c in columns if c != SRC]
    signature = pl.struct(values).hash(seed=0) % (1 << 31)
    per_file = checked.group_by([*key, SRC]).agg(
        sig=signature.cast(pl.Int64).sum(), first=pl.col(ROW).min(), file=pl.col(FILE).first()
    )
    query = (
        per_file.group_by(key)
        .agg(files=pl.len(), sigs=pl.col("sig").n_unique(), names=pl.col("file").sort())
        .filter(pl.col("files") > 1)
        .select(
            keys=pl.len(),
            changed=(pl.col("sigs") > 1).sum(),
            example=pl.col(key[0]).sort().first(),
            names=pl.col("names").sort_by(pl.col(key[0])).first(),
        )
    )

    def describe(result: pl.DataFrame) -> list[Problem]:
        if result.is_empty() or not result["keys"][0]:
            return []
        keys, changed = result["keys"][0], result["changed"][0]
        label = " × ".join(key) if len(key) < 4 else "row"
        where = " and ".join(Path(f).name for f in (result["names"].to_list()[0] or []))
        change = (
            f"; {changed} of them differ, and the newest file's rows are used"
            if changed
            else "; the copies are identical and count once"
        )
        return [
            Problem(
                name,
                f"{keys:,} {label}(s) appear in more than one file (e.g. "
                f"{result['example'][0]!r} in {where}){change}.",
                error=False,
                info=True,
            )
        ]

    return query, describe


def _plausibility(source: TableSource, config: Config) -> tuple[pl.LazyFrame, Gate]:
    """Order amounts no shop has (above `max_amount`, or `max_order_ratio` × the median order):
    a warning naming the first, with the count."""
    limits = config.thresholds
    amount = pl.col("paid_amount")
    odd = (amount > limits.max_amount) | (
        (amount.median() > 0) & (amount > amount.median() * limits.max_order_ratio)
    )

    def say(value: object, total: int) -> tuple[str, Note]:
        return (
            f"{value!r} is not a plausible order amount ({total} such order(s): above "
            f"{limits.max_amount:g}, or {limits.max_order_ratio:g}× the median order); check "
            "the export's units. Thresholds: max_amount, max_order_ratio.",
            Note("implausible", {"rows": total, "value": value}),
        )

    return _odd_orders(source, odd, "paid_amount", "__raw_paid_amount", say)


def shop_now(config: Config) -> datetime:
    """The shop's wall-clock time now (naive, as the tables' times are read)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(config.timezone)).replace(tzinfo=None)


def tomorrow(config: Config) -> datetime:
    """The start of the shop's next day: an order at or after it is in the future."""
    return datetime.combine(shop_now(config).date() + timedelta(days=1), datetime.min.time())


def _future(source: TableSource, config: Config) -> tuple[pl.LazyFrame, Gate]:
    """Orders placed after the shop's today (a wrong clock or a misread date): a warning naming
    the first, with the count; they are not where the data ends (`Dataset.data_end`)."""

    def say(value: object, total: int) -> tuple[str, Note]:
        shown = f"{value:%Y-%m-%d %H:%M}"
        return (
            f"{shown} is after today ({total} such order(s)): a wrong clock or date format in "
            "the export. They are left out of where the data ends.",
            Note("future_orders", {"rows": total, "value": shown}),
        )

    later = pl.col("order_time") >= tomorrow(config)
    return _odd_orders(source, later, "order_time", "order_time", say)


def _odd_orders(
    source: TableSource,
    odd: pl.Expr,
    column: str,
    shown: str,
    say: Callable[[object, int], tuple[str, Note]],
) -> tuple[pl.LazyFrame, Gate]:
    """Orders whose `column` looks wrong (`odd`): a warning naming the first by file, line and
    column, with their count, worded by `say(value of `shown`, count)`."""
    odd = odd.fill_null(False)
    rows = _with_total(source.checked.filter(odd).select(SRC, FILE, ROW, shown))

    def describe(rows: pl.DataFrame) -> list[Problem]:
        if rows.is_empty():
            return []
        text, note = say(rows[shown][0], rows["total"][0])
        return [
            Problem(
                "orders",
                f"{_where(source, rows)}, column {source.column_label(column)}: {text}",
                error=False,
                note=note,
                position=(rows[SRC][0], rows[ROW][0]),
            )
        ]

    return _when_found(source.checked.select(odd.any()), rows, describe)


def _same_files(name: str, skipped: dict[Path, Path]) -> tuple[pl.LazyFrame, object]:
    """Paths matched twice (a symlinked folder, a link loop): each file was read once."""
    first, read = next(iter(skipped.items()))
    message = (
        f"{len(skipped)} path(s) name a file already read and were skipped (e.g. {first} is "
        f"{read}): each file is read once."
    )
    return pl.LazyFrame({"n": [len(skipped)]}), lambda _: [
        Problem(name, message, error=False, info=True)
    ]


def _blank_rows(name: str, blanks: list[pl.LazyFrame]) -> tuple[pl.LazyFrame, object]:
    """Blank rows skipped, per file."""
    query = pl.concat(blanks).filter(pl.col("rows") > 0)

    def describe(result: pl.DataFrame) -> list[Problem]:
        if result.is_empty():
            return []
        files = ", ".join(
            f"{Path(f).name} {n:,}" for n, f in result.select("rows", "file").iter_rows()
        )
        return [
            Problem(
                name,
                f"{result['rows'].sum():,} blank row(s) skipped ({files}).",
                error=False,
                info=True,
            )
        ]

    return query, describe


def _collect(frame: pl.LazyFrame, files: list[Path]) -> pl.LazyFrame:
    """The frame computed once, in memory."""
    try:
        return frame.collect().lazy()
    except pl.exceptions.ComputeError as exc:
        if "more fields" in str(exc):
            raise  # a row with a value too many: `_scan_table` says which
        raise DataError(
            f"{files[0]}: cannot be read ({str(exc).strip().splitlines()[0]})."
        ) from None


def _ragged(name: str, spec: TableConfig, config: Config) -> str | None:
    """The first row of the table's text files, or of the files joined to it, with more values
    than its header."""
    label = f"{config.source}: data.{name}"
    expected = _expected_headers(spec, TABLES[name])
    for path in expand_paths(spec.path, config.base_dir, label) if spec.uri is None else []:
        if where := ragged_row(path, spec, expected):
            return where
    for join in spec.joins:
        keys = frozenset([join.key] if isinstance(join.key, str) else join.key)
        for path in expand_paths(join.path, config.base_dir, label):
            if where := ragged_row(path, join, keys):
                return where
    return None


def _scan_join(join: Join, config: Config, label: str) -> pl.LazyFrame:
    """The joined file, summed per key when asked (several payments per order)."""
    files = expand_paths(join.path, config.base_dir, label)
    keys = frozenset([join.key] if isinstance(join.key, str) else join.key)
    frame = pl.concat([scan_file(p, join, keys)[0] for p in files], how="diagonal_relaxed")
    keys = [join.key] if isinstance(join.key, str) else join.key
    names = frame.collect_schema().names()
    for column in [*keys, *join.sum]:
        if column not in names:
            raise DataError(
                f"{label}: {files[0]} has no column '{column}'.{did_you_mean(column, names)}"
            )
    if join.sum:
        others = [c for c in names if c not in keys and c not in join.sum]
        schema = frame.collect_schema()
        frame = frame.group_by(keys).agg(
            *[parse_num(pl.col(c), schema[c]).sum().alias(c) for c in join.sum],
            *[pl.col(c).first() for c in others],
        )
    return frame


def _join(raw: pl.LazyFrame, other: pl.LazyFrame, join: Join, path: Path | str) -> pl.LazyFrame:
    """Left-join `other` onto the table's rows by the shared header(s)."""
    keys = [join.key] if isinstance(join.key, str) else join.key
    names = raw.collect_schema().names()
    for key in keys:
        if key not in names:
            raise DataError(f"{path}: has no column '{key}' to join on.{did_you_mean(key, names)}")
    return raw.join(other, on=keys, how="left", suffix="_joined")


def _transform(frame: pl.LazyFrame, spec: TableConfig, path: Path | str) -> pl.LazyFrame:
    """rename → filter → derive → group_by/aggregate, on the file's own headers."""
    names = frame.collect_schema().names()
    renames = {a: b for a, b in spec.rename.items() if a in names and b not in names}
    if renames:
        frame = frame.rename(renames)
    schema = frame.collect_schema()
    for condition in spec.filter:
        frame = frame.filter(_condition(condition, schema, path))
    if spec.derive:
        frame = frame.with_columns(
            [_derived(v, schema, path).alias(k) for k, v in spec.derive.items()]
        )
    if spec.group_by:
        frame = _group(frame, spec, path)
    return frame


def reading_hint(names: list[str]) -> str:
    """Why a file's headers may not be what the config expects, when they show it: characters
    that did not decode (a GBK export read as UTF-8), or one column holding another separator."""
    if any("\ufffd" in n for n in names):
        return (
            " The headers did not decode: the file is probably GBK/GB18030 (set `encoding: "
            "gb18030` for this table) or UTF-16 (`encoding: utf-16`)."
        )
    if len(names) == 1:
        seps = [sep for sep in (";", "\t", "|") if sep in names[0]]
        if seps:
            shown = {"\t": "\\t"}.get(seps[0], seps[0])
            return (
                f" The file seems to separate values with '{shown}': set `separator: \"{shown}\"`."
            )
    return ""


def preset_hint(table: str, names: list[str]) -> str:
    """The shipped preset whose mapping of `table` the file's headers fit (订单编号, 买家会员名,
    订单付款时间 … of a Taobao export), said as the way to read it; else ""."""
    from shopreport.config import preset_names, read_preset

    best, score = "", 0
    for name in preset_names():
        spec = (read_preset(name, Path("."), "preset").get("data") or {}).get(table) or {}
        derived = spec.get("derive") or {}
        # the file's own headers it reads: mapped ones not derived, and the derivations' sources
        headers = {h for h in spec.get("columns") or {} if h not in derived}
        headers |= {h for h in _strings(list(derived.values())) if h in names}
        found = len(headers & set(names))
        if found >= 3 and found * 2 >= len(headers) and found > score:
            best, score = name, found
    return f" Its headers fit the {best} preset: set `preset: {best}`." if best else ""


def _strings(value: object) -> list[str]:
    """Every text inside a YAML value (a derivation's header names among its words)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _need(header: str, schema: pl.Schema, path: Path | str) -> pl.Expr:
    """pl.col(header), or a clear error when the file has no such header."""
    if header not in schema:
        raise DataError(
            f"{path}: has no column '{header}'.{did_you_mean(header, schema.names())} "
            f"Its columns are: {', '.join(schema.names()[:40])}.{reading_hint(schema.names())}"
        )
    return pl.col(header)


def _number(header: str | dict, schema: pl.Schema, path: Path | str) -> pl.Expr:
    """A header (or derived value) as a number, parsed as exports write numbers."""
    if isinstance(header, dict):
        return parse_num(_derived(header, schema, path), pl.String)
    return parse_num(_need(header, schema, path), schema[header])


_COMPARE = {"gt": "__gt__", "ge": "__ge__", "lt": "__lt__", "le": "__le__"}


def _condition(cond, schema: pl.Schema, path: Path | str) -> pl.Expr:
    """A filter condition as an expression."""
    column = _need(cond.column, schema, path)
    text = column.cast(pl.String).str.strip_chars()
    ops = {
        "eq": lambda: text == str(cond.value),
        "ne": lambda: text != str(cond.value),
        "in": lambda: text.is_in([str(v) for v in cond.value]),
        "not_in": lambda: ~text.is_in([str(v) for v in cond.value]),
        "starts_with": lambda: text.str.starts_with(str(cond.value)),
        "not_starts_with": lambda: ~text.str.starts_with(str(cond.value)),
        "not_null": lambda: clean_text(text).is_not_null(),
        "is_null": lambda: clean_text(text).is_null(),
    }
    if cond.op in _COMPARE:
        return getattr(_number(cond.column, schema, path), _COMPARE[cond.op])(
            float(cond.value)
        ).fill_null(False)
    return ops[cond.op]().fill_null(cond.op in ("ne", "not_in", "not_starts_with"))


def _coalesce(parts: list, schema: pl.Schema, path: Path | str) -> pl.Expr:
    """The first non-empty of the parts the file has (headers it lacks are left out); a file
    with none of the headers is an error naming them."""
    present = [
        p
        for p in parts
        if not (isinstance(p, str) and p not in schema and p == p.strip() and _looks_like_header(p))
    ]
    if not present:
        names = schema.names()
        raise DataError(
            f"{path}: has none of the columns {', '.join(map(str, parts))}."
            f"{did_you_mean(str(parts[0]), names)} Its columns are: {', '.join(names[:40])}."
        )
    return pl.coalesce([clean_text(_derived(p, schema, path).cast(pl.String)) for p in present])


def _derived(spec, schema: pl.Schema, path: Path | str) -> pl.Expr:
    """A `derive` entry as an expression (see TableConfig.derive)."""
    if spec is None:
        return pl.lit(None, pl.String)
    if not isinstance(spec, dict):  # inside lists: a header when the file has it, else a literal
        return pl.col(spec) if isinstance(spec, str) and spec in schema else pl.lit(str(spec))
    ops = {
        "column": lambda: _need(spec["column"], schema, path),
        "value": lambda: pl.lit(spec["value"]),
        "split": lambda: (
            clean_text(_need(spec["split"], schema, path).cast(pl.String))
            .str.split(spec.get("sep", " "))
            .list.get(int(spec.get("index", 0)), null_on_oob=True)
        ),
        "concat": lambda: pl.concat_str([_derived(p, schema, path) for p in spec["concat"]]),
        "coalesce": lambda: _coalesce(spec["coalesce"], schema, path),
        "multiply": lambda: (
            _number(spec["multiply"][0], schema, path) * _number(spec["multiply"][1], schema, path)
        ),
        "negate": lambda: -_number(spec["negate"], schema, path),
        "add": lambda: _add(spec["add"], schema, path),
        "regex": lambda: (
            _need(spec["regex"], schema, path).cast(pl.String).str.extract(spec["pattern"], 1)
        ),
        "when": lambda: (
            pl.when(
                pl.all_horizontal(
                    [_condition(Condition.model_validate(c), schema, path) for c in spec["when"]]
                )
            )
            .then(_derived(spec.get("then"), schema, path))
            .otherwise(_derived(spec.get("otherwise"), schema, path))
        ),
    }
    op = next((k for k in ops if k in spec), None)
    if op is None:
        raise DataError(f"{path}: unknown derive step {spec}; use one of {', '.join(ops)}.")
    return ops[op]()


def _add(parts: list, schema: pl.Schema, path: Path | str) -> pl.Expr:
    """Numbers added up, a blank as 0 (null only when every part is blank). The first part must
    be in the file; a later header the file lacks is left out, as in `coalesce` (退款金额, which
    some order exports do not have). A value that is no number is kept as written, so the
    column's check names it and its line instead of adding it as 0."""
    first, *rest = parts
    present = [first, *(p for p in rest if isinstance(p, dict) or p in schema)]
    numbers = [_number(p, schema, path) for p in present]
    texts = [
        clean_text(
            (_derived(p, schema, path) if isinstance(p, dict) else pl.col(p)).cast(pl.String)
        )
        for p in present
    ]
    wrong = pl.coalesce(
        [
            pl.when(t.is_not_null() & n.is_null()).then(t)
            for t, n in zip(texts, numbers, strict=True)
        ]
    )
    total = pl.when(pl.any_horizontal(n.is_not_null() for n in numbers)).then(
        pl.sum_horizontal(numbers)
    )
    return pl.when(wrong.is_not_null()).then(wrong).otherwise(total.cast(pl.String))


def _likely_header(canonical: str, names: list[str]) -> str:
    """The file's header most like a canonical column ('Paid Amount' for paid_amount), else a
    placeholder: the first header would suggest a wrong mapping (`order_id: customer_id`)."""
    import difflib

    plain = {n.lower().replace(" ", "_").replace("-", "_"): n for n in names}
    close = difflib.get_close_matches(canonical, list(plain), n=1, cutoff=0.6)
    return plain[close[0]] if close else "<the file's header>"


def _looks_like_header(text: str) -> bool:
    """Whether a plain string in a coalesce list names a column (absent ones are skipped)."""
    return not any(ch in text for ch in "-/:")


def _group(frame: pl.LazyFrame, spec: TableConfig, path: Path | str) -> pl.LazyFrame:
    """Rows with the same `group_by` headers become one."""
    schema = frame.collect_schema()
    for header in spec.group_by:
        _need(header, schema, path)
    aggs = []
    for column in schema.names():
        if column in spec.group_by:
            continue
        how = spec.aggregate.get(column, "first")
        if column == ROW or how == "min":
            aggs.append(pl.col(column).min())
        elif how == "sum":
            aggs.append(parse_num(pl.col(column), schema[column]).sum().alias(column))
        elif how == "max":
            aggs.append(pl.col(column).max())
        elif how == "count":
            aggs.append(pl.col(column).count())
        elif how == "mode":
            # the most frequent value; ties go to the first seen
            values = pl.col(column).drop_nulls()
            aggs.append(values.mode(maintain_order=True).first().alias(column))
        else:
            aggs.append(pl.col(column).drop_nulls().first())
    return frame.group_by(spec.group_by, maintain_order=True).agg(aggs)


def _map_columns(
    raw: pl.LazyFrame,
    spec: TableConfig,
    table: Table,
    path: Path | str,
    keep: list[str] | None = None,
) -> tuple[pl.LazyFrame, dict[str, str]]:
    """Rename the file's headers to canonical names; check the required ones are there."""
    names = raw.collect_schema().names()
    for header in spec.mapping:
        if header not in names:
            raise DataError(
                f"{path}: the mapping for {table.name} names the column '{header}', which the file "
                f"lacks.{did_you_mean(header, names)} Its columns are: {', '.join(names[:40])}."
                f"{reading_hint(names)}"
            )
    source = {canonical: header for header, canonical in spec.mapping.items()}
    for column in table.names:
        if column not in source and column in names and column not in spec.constants:
            source[column] = column
    exprs = [pl.col(header).alias(canonical) for canonical, header in source.items()]
    exprs += [pl.lit(value).alias(column) for column, value in spec.constants.items()]
    missing = [c for c in table.required if c not in source and c not in spec.constants]
    if missing:
        # headers not mapped yet (order_time is order_time, not a look-alike of order_id)
        free = [n for n in names if n not in spec.mapping and n not in table.names]
        raise DataError(
            f"{path}: the {table.name} table needs the column(s) {', '.join(missing)}, which the "
            f"file lacks. Map the file's header to it under data.{table.name}.columns "
            f"(`{_likely_header(missing[0], free)}: {missing[0]}`) in the config. "
            f"The file's columns are: {', '.join(names[:40])}.{reading_hint(names)}"
            f"{preset_hint(table.name, names)}"
        )
    return raw.select([pl.col(k) for k in keep or []] + exprs), source


def _typed(
    raw: pl.LazyFrame, indexed: pl.LazyFrame, table: Table, tz: TimeRules, clean: bool = True
) -> tuple[pl.LazyFrame, pl.LazyFrame, set[str]]:
    """The typed frame, the same with row numbers and bad-value flags, and the columns whose
    parsing can fail (text, or numbers read as whole numbers or times): only those are checked."""
    schema = raw.collect_schema()
    fallible = {
        c
        for c in schema.names()
        if (schema[c] == pl.String and table.column(c).kind != STR)
        or (schema[c].is_float() and table.column(c).kind in (INT, NUM, TIME, DATE))
        or (table.column(c).kind == INT and schema[c] not in EXACT_INTS)  # UInt64, decimals
    }
    parsed = {
        c: parse_column(pl.col(c), schema[c], table.column(c).kind, tz, clean).alias(c)
        for c in schema.names()
    }
    typed = raw.select(parsed.values())
    # a column whose parsing cannot fail has no bad values (and costs no work to say so)
    flags = [
        (is_bad(pl.col(c), schema[c], expr) if c in fallible else pl.lit(False)).alias(f"__bad_{c}")
        for c, expr in parsed.items()
    ]
    checked = indexed.select(
        pl.col(ROW),
        *[pl.col(c).cast(pl.String).alias(f"__raw_{c}") for c in parsed],
        *parsed.values(),
        *flags,
    )
    return typed, checked, fallible


CANCELLED_STATUSES = [
    "cancelled",
    "canceled",
    "voided",
    "closed",
    "unavailable",
    "expired",
    "failed",
    "交易关闭",
    "已关闭",
    "已取消",
    "订单关闭",
]


def _unknown_statuses(
    checked: pl.LazyFrame, spec: TableConfig, headers: dict[str, str]
) -> tuple[pl.LazyFrame, object]:
    """Orders paid by their status alone (no payment time): statuses known neither as paid nor
    as unpaid or cancelled are counted as unpaid, and said (a platform's wording we lack would
    drop its paid orders without a word)."""
    known = [s.lower() for s in [*(spec.paid_statuses or DEFAULT_PAID_STATUSES)]]
    known += [s.lower() for s in [*UNPAID_STATUSES, *CANCELLED_STATUSES]]
    query = (
        checked.filter(
            pl.col("status").is_not_null() & ~pl.col("status").str.to_lowercase().is_in(known)
        )
        .group_by("status")
        .agg(orders=pl.len())
        .sort(["orders", "status"], descending=[True, False])
    )

    def describe(result: pl.DataFrame) -> list[Problem]:
        if result.is_empty():
            return []
        shown = "; ".join(f"'{s}' ({n:,} orders)" for s, n in result.head(5).iter_rows())
        more = f" and {result.height - 5} more" if result.height > 5 else ""
        column = headers.get("status", "status")
        return [
            Problem(
                "orders",
                f"{column}: {shown}{more} are not known as paid or unpaid, so these orders count "
                "as unpaid (the export has no payment time). If they are paid, list them under "
                "`paid_statuses` for the orders table.",
                error=False,
            )
        ]

    return query, describe


def _derive(name: str, frame: pl.LazyFrame, spec: TableConfig, config: Config) -> pl.LazyFrame:
    """Table-specific derived columns: orders' pay_time, events' canonical names.

    With `metrics.orders_basis: placed`, an order that is not cancelled counts when placed
    (cash on delivery, Shopify's sales reports).
    """
    names = frame.collect_schema().names()
    if name == "orders" and config.metrics.orders_basis == "placed":
        live = (
            ~pl.col("status").str.to_lowercase().is_in(CANCELLED_STATUSES).fill_null(False)
            if "status" in names
            else pl.lit(True)
        )
        # counted at its order time, as the platform's sales reports count it
        return frame.with_columns(pay_time=pl.when(live).then(pl.col("order_time")))
    if name == "orders" and "pay_time" not in names:
        if "status" in names:
            statuses = spec.paid_statuses or DEFAULT_PAID_STATUSES
            paid = pl.col("status").str.to_lowercase().is_in([s.lower() for s in statuses])
            frame = frame.with_columns(pay_time=pl.when(paid).then(pl.col("order_time")))
        else:
            frame = frame.with_columns(pay_time=pl.col("order_time"))
    if name == "events":
        aliases = pl.col("event").str.to_lowercase().replace(EVENT_ALIASES)
        frame = frame.with_columns(event=aliases)
    return frame


def _checks(source: TableSource, thorough: bool = False) -> list[tuple[pl.LazyFrame, object]]:
    """The contract's checks of one table, as (query, describe-result) pairs. `thorough`
    (`validate`): also order lines repeated in every column, a hash of every line (at 10M
    lines a few per cent of a report: a report leaves it to `validate`)."""
    table, checked = source.spec, source.checked
    names = [
        c
        for c in source.frame.collect_schema().names()
        if f"__bad_{c}" in checked.collect_schema().names()
    ]
    out: list[tuple[pl.LazyFrame, object]] = []
    gated = list(source.counted)
    for column in source.checks:
        query = _bad_values_query(checked, column)
        gated.append((pl.col(f"__bad_{column}").sum(), query, _describe_bad(source, column)))
    for column in [c.name for c in table.columns if c.non_negative and c.name in names]:
        query = checked.filter(pl.col(column) < 0).select(SRC, FILE, ROW, f"__raw_{column}")
        negative = (pl.col(column) < 0).sum()
        gated.append((negative, _with_total(query), _describe_negative(source, column)))
    for (name, column), (low, high) in SCALES.items():
        if name == table.name and column in names:
            outside = (pl.col(column) < low) | (pl.col(column) > high)
            query = checked.filter(outside).select(SRC, FILE, ROW, f"__raw_{column}")
            gated.append(
                (outside.sum(), _with_total(query), _describe_outside(source, column, low, high))
            )
    if gated:
        out.append(_gate(checked, gated))
    if table.key and table.key in names:
        count, rows = _duplicates_query(source, table.key)
        out.append(_when_found(count, rows, _describe_duplicate(source, table.key)))
    natural = [c for c in NATURAL_KEYS.get(table.name, ()) if c in names]
    if natural and natural[:2] == list(NATURAL_KEYS[table.name][:2]):
        count, rows = _repeated_rows_query(source, natural)
        out.append(_when_found(count, rows, _describe_repeated(source, natural)))
    if (table.name == "refunds" and "refund_id" not in names) or (
        # lines with a quantity of their own: Olist's rows are units (`quantity: 1`), two of
        # one item at one price are two equal rows
        thorough and table.name == "order_items" and "quantity" in source.headers
    ):
        # without ids a row repeated whole is most likely a copy: counted twice
        whole = [c.name for c in table.columns if c.name in names]
        count, rows = _repeated_rows_query(source, whole)
        out.append(_when_found(count, rows, _describe_repeated(source, whole, copies=True)))
    return out


def _gate(
    checked: pl.LazyFrame, checks: list[tuple[pl.Expr, pl.LazyFrame, object]]
) -> tuple[pl.LazyFrame, object]:
    """Checks of bad and negative values counted in one scan of the table; only a check that
    found rows runs its own query, for the first rows and their lines (`Dataset.problems`)."""
    counts = checked.select([count.alias(str(i)) for i, (count, _, _) in enumerate(checks)])

    def describe(result: pl.DataFrame) -> list[tuple[pl.LazyFrame, object]]:
        row = result.row(0)
        return [(query, then) for (_, query, then), n in zip(checks, row, strict=True) if n]

    return counts, Gate(describe)


@dataclass
class Gate:
    """A check whose result is more checks to run (see `_gate`)."""

    then: Callable[[pl.DataFrame], list[tuple[pl.LazyFrame, object]]]


def _when_found(count: pl.LazyFrame, rows: pl.LazyFrame, describe) -> tuple[pl.LazyFrame, Gate]:
    """A check counted first (`count`: one number) without the rows' places in their files;
    `rows` are looked up only when it found some."""
    return count, Gate(lambda found: [(rows, describe)] if found.item() else [])


NATURAL_KEYS = {
    "traffic": ("date", "source"),
    "marketing": ("date", "channel"),
    "inventory": ("date", "sku", "warehouse"),
}
"""Tables without an id: one row per these columns (a file read twice repeats them)."""


def _repeated_rows_query(
    source: TableSource, columns: list[str]
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The count of repeated natural keys' hashes, and the first two rows of the first repeated
    natural key with the count of such rows."""
    count, rows = _repeated(source, columns, [SRC, FILE, ROW, *columns])
    return count, rows.filter(pl.struct(columns) == pl.struct(columns).first()).head(2)


def _describe_repeated(source: TableSource, columns: list[str], copies: bool = False):
    """Message for two rows of one day × source (channel, SKU × warehouse): an error; or, with
    `copies`, for rows equal in every column (refunds without ids, order lines): a warning, as
    two equal refunds or lines can be real."""

    def describe(rows: pl.DataFrame) -> list[Problem]:
        if rows.height < 2:
            return []
        where = " and ".join(source.place(f, r) for f, r in zip(rows[FILE], rows[ROW], strict=True))
        if copies:
            return [
                Problem(
                    source.name,
                    f"{where}: the same row twice ({rows['total'][0]} rows repeat another in "
                    "every column); both are counted. A copy pasted twice, or exports of "
                    "overlapping dates: keep one"
                    + (
                        " (or export the refund ids)."
                        if source.name == "refunds"
                        # UCI's invoices list an item twice at times: maybe real, maybe not
                        else "; an order that lists an item twice is counted as it is."
                    ),
                    error=False,
                    position=(rows[SRC][0], rows[ROW][0]),
                )
            ]
        key = " × ".join(f"{c} {rows[c][0]}" for c in columns)
        return [
            Problem(
                source.name,
                f"{where}: two rows for {key} ({rows['total'][0]} rows repeat a "
                f"{' × '.join(columns)}); each must have one row. A file read twice, or exports "
                "of overlapping dates: keep one.",
                position=(rows[SRC][0], rows[ROW][0]),
            )
        ]

    return describe


def _duplicates_query(source: TableSource, key: str) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The count of repeated keys' hashes; the first key that repeats within a file, its first
    two rows, and the number of rows sharing a repeated key (a key repeated across files was
    settled when the files were read).

    Counting keys on the typed frame is cheap; row numbers are only looked up for the
    repeated keys.
    """
    count, rows = _repeated(source, [key], [SRC, FILE, ROW, key, f"__raw_{key}"])
    return count, rows.filter(pl.col(key) == pl.col(key).first()).head(2).drop(key)


def _repeated(
    source: TableSource, key: list[str], columns: list[str]
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """How many hashes of `key` repeat, and the checked rows (`columns`, in file order) whose
    `key` another row has too, with their number (`total`). Keys are grouped by their 64-bit
    hash first (a fraction of the cost of grouping text ids); equal keys hash equal, so the few
    candidate rows then compared by their value are all there are."""
    hashed = (pl.col(key[0]) if len(key) == 1 else pl.struct(key)).hash(seed=0).alias("__key_hash")
    # hashes that occur twice, found by sorting them (a third cheaper than grouping them)
    sorted_hashes = source.frame.select(hashed).sort("__key_hash")
    candidates = sorted_hashes.filter(
        pl.col("__key_hash") == pl.col("__key_hash").shift(1)
    ).unique()
    return candidates.select(pl.len()), (
        source.checked.select(*columns, hashed)
        .join(candidates, on="__key_hash", how="semi")
        .filter(pl.struct(key).is_duplicated())
        .drop("__key_hash")
        .sort(SRC, ROW)
        .with_columns(total=pl.len())
    )


def _orphan_checks(ds: Dataset, source: TableSource) -> list[tuple[pl.LazyFrame, object]]:
    """Lines and refunds of orders the orders table lacks: a warning with a count, since real
    exports are cut at period edges."""
    if source.name not in ("order_items", "refunds") or "orders" not in ds.tables:
        return []
    orders_source = ds.tables["orders"]
    ranged = orders_source.database is not None and orders_source.database.rows is not None
    if ranged or orders_source.whole is not None:
        return []  # orders of a range only: `validate` reads them all and checks
    # joined on the ids' 64-bit hashes, a third of the cost of joining text: a line whose
    # id has no hash among the orders' is surely an orphan; one whose id shared a hash with
    # another order's would be missed (about 1 chance in 10^12 per line at 10M orders)
    hashed = pl.col("order_id").hash(seed=0).alias("__id_hash")
    query = (
        source.frame.select("order_id", hashed)
        .join(ds.frame("orders").select(hashed), on="__id_hash", how="anti")
        .select(rows=pl.len(), orders=pl.col("order_id").n_unique(), first=pl.col("order_id").min())
    )
    if source.name == "refunds":
        query = pl.concat([query, source.frame.select(total=pl.len())], how="horizontal")

    def describe(result: pl.DataFrame) -> list[Problem]:
        rows = result["rows"][0]
        if not rows:
            return []
        if source.name == "refunds" and rows == result["total"][0]:
            # no refund names an order: documents numbered on their own (Online Retail's
            # C-invoices), or a refunds export of other orders: said as such, still a warning
            return [
                Problem(
                    source.name,
                    f"no refund names an order of the orders table (e.g. "
                    f"{result['first'][0]!r}): either the export numbers refunds on their own "
                    "(Online Retail's C-invoices; refunded orders then count refund documents) "
                    "or the refunds are of other orders than these (check the two exports' "
                    "periods and the refunds' order id column).",
                    error=False,
                )
            ]
        code = "orphan_refunds" if source.name == "refunds" else "orphans"
        note = Note(
            code,
            {
                "table": source.name,
                "rows": rows,
                "orders": result["orders"][0],
                "example": result["first"][0],
            },
        )
        return [Problem(source.name, note.text, error=False, note=note)]

    return [(query, describe)]


def _with_total(query: pl.LazyFrame) -> pl.LazyFrame:
    """The first few rows of `query` with the number of all its rows."""
    return query.with_columns(total=pl.len()).head(SHOW_BAD)


def _bad_values_query(checked: pl.LazyFrame, column: str) -> pl.LazyFrame:
    """Rows whose value of `column` did not parse."""
    return _with_total(
        checked.filter(pl.col(f"__bad_{column}")).select(SRC, FILE, ROW, f"__raw_{column}")
    )


def _where(source: TableSource, rows: pl.DataFrame) -> str:
    """'data/orders.csv line 17' for the first row of a check's result."""
    file, row = rows[FILE][0], rows[ROW][0]
    if source.database:
        return f"{file}, row {row} of the result"
    return source.place(file, row)


def _examples(source: TableSource, rows: pl.DataFrame, column: str) -> str:
    """The first bad values, quoted, each with its line ("'12..5' (line 205)"; its file too
    when another than the first's)."""
    first = _where(source, rows[:1]).rpartition(", ")[0]
    said = []
    for i, value in enumerate(rows[f"__raw_{column}"].to_list()):
        file, _, line = _where(source, rows[i : i + 1]).rpartition(", ")
        said.append(f"{value!r} ({line if file == first else f'{file}, {line}'})")
    return ", ".join(said)


KIND_WORDS = {
    "num": "a number",
    "int": "a whole number",
    "time": "a date and time",
    "date": "a date",
    "bool": "yes/no",
    "str": "text",
}


def _describer(source: TableSource, column: str, message):
    """A describe-result function: no rows, no problem; else 'file, line, column: ' + message.

    `message(value, total, examples)` gets the first bad value (quoted), the number of bad
    rows and the first few bad values.
    """

    def describe(rows: pl.DataFrame) -> list[Problem]:
        if rows.is_empty():
            return []
        head = f"{_where(source, rows)}, column {source.column_label(column)}: "
        value = repr(rows[f"__raw_{column}"][0])
        return [
            Problem(
                source.name,
                head + message(value, rows["total"][0], _examples(source, rows, column)),
                position=(rows[SRC][0], rows[ROW][0]),
            )
        ]

    return describe


def _describe_bad(source: TableSource, column: str):
    """Message for values that do not parse as their type."""
    kind = KIND_WORDS[source.spec.column(column).kind]
    return _describer(
        source,
        column,
        lambda value, total, first: (
            f"{value} is not {kind} ({total} bad value(s); first: {first}). "
            f"Fix the {'rows' if source.database else 'file'}, or map another column to {column}."
        ),
    )


def _describe_negative(source: TableSource, column: str):
    """Message for negative amounts or quantities."""
    hint = (
        " A refund belongs in the refunds table." if column in {"paid_amount", "quantity"} else ""
    )
    return _describer(
        source,
        column,
        lambda value, total, first: f"negative value {value} ({total} negative value(s)).{hint}",
    )


def _describe_outside(source: TableSource, column: str, low: float, high: float):
    """Message for a score outside its scale."""
    return _describer(
        source,
        column,
        lambda value, total, first: (
            f"{value} is outside the {low:g}–{high:g} scale ({total} such value(s)); a "
            f"{low:g}–{high:g} score is expected (rescale another scale, e.g. 10 points ÷ 2)."
        ),
    )


def _describe_duplicate(source: TableSource, key: str):
    """Message for a key that repeats within a file: both lines."""

    def describe(rows: pl.DataFrame) -> list[Problem]:
        if rows.is_empty():
            return []
        file = rows[FILE][0]
        if source.places is not None and source.places.parts:  # each row's partition file
            where = " and ".join(source.place(file, r) for r in rows[ROW])
            within = "in this folder's partitions"
        else:
            lines = (source.places or Places(source.line_offset)).line
            where = f"{file}, " + " and ".join(f"line {lines(file, r)}" for r in rows[ROW])
            within = "in this file"
        value = rows[f"__raw_{key}"][0]
        hint = (
            " If the export has one row per item, map it as order_items (or group it with "
            "`group_by`)."
            if source.name == "orders"
            else ""
        )
        return [
            Problem(
                source.name,
                f"{where}, column {source.column_label(key)}: {value!r} appears "
                f"more than once {within} ({rows['total'][0]} rows share a repeated {key}); "
                f"each {source.spec.grain.removeprefix('one ')} must have one row.{hint}",
                position=(rows[SRC][0], rows[ROW][0]),
            )
        ]

    return describe
