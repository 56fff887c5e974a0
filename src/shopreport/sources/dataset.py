"""A shop's tables as canonical, typed LazyFrames, and the checks of the data contract."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from shopreport.config import Config, Join, TableConfig
from shopreport.errors import DataError, did_you_mean
from shopreport.notes import Note
from shopreport.sources.parse import clean_text, is_bad, parse_column, parse_num
from shopreport.sources.readers import MissingFiles, expand_paths, file_format, scan_file
from shopreport.vocab.contract import DATE, EVENT_ALIASES, INT, STR, TABLES, TIME, Table

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
]
ROW, FILE = "__row", "__file"
SHOW_BAD = 3


@dataclass(frozen=True)
class Problem:
    """One finding of the checks: where, what, and whether it stops the run."""

    table: str
    message: str
    error: bool = True
    note: Note | None = None


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
        if errors:
            raise DataError(" ".join(p.message for p in errors[:3]))
        return problems

    def problems(self) -> list[Problem]:
        """Every finding of the contract checks (errors and warnings), without stopping."""
        queries, owners = [], []
        for source in self.tables.values():
            for query, describe in _checks(source) + _orphan_checks(self, source):
                queries.append(query)
                owners.append((source, describe))
        queries.append(self.frame("orders").select(pl.col("paid_amount").is_not_null().any()))
        results = pl.collect_all(queries)
        self.amounts_known = bool(results.pop().item())
        problems: list[Problem] = []
        for (_, describe), result in zip(owners, results, strict=False):
            problems.extend(describe(result))
        self.warnings = [p.note for p in problems if p.note is not None]
        return problems


def read_dataset(config: Config, failures: dict[str, str] | None = None) -> Dataset:
    """Scan every configured table into canonical, typed LazyFrames (nothing is loaded yet).

    An optional table (from a preset) whose files are not there is left out. With
    `failures`, a table that cannot be read is recorded there instead of stopping.
    """
    tables = {}
    for name, spec in config.data.tables().items():
        try:
            tables[name] = _read_table(name, spec, config)
        except MissingFiles:
            if not spec.optional:
                if failures is None:
                    raise
                failures[name] = sys.exc_info()[1].message
        except DataError as exc:
            if failures is None:
                raise
            failures[name] = exc.message
    dataset = Dataset(config, tables)
    if "orders" not in tables:
        raise DataError(f"{config.source}: the orders table is required.")
    return dataset


def _expected_headers(spec: TableConfig, table: Table) -> frozenset[str]:
    """Headers the config names for a file, used to find the header row below title rows."""
    names = (
        set(spec.mapping) | set(spec.rename) | set(spec.group_by) | {c.column for c in spec.filter}
    )
    if not spec.mapping:
        names |= set(table.names)
    return frozenset(names)


def _read_table(name: str, spec: TableConfig, config: Config) -> TableSource:
    """Scan, join, transform, map and type one table."""
    label = f"{config.source}: data.{name}"
    files = expand_paths(spec.path, config.base_dir, label)
    joins = [_scan_join(join, config, f"{label}.joins") for join in spec.joins]
    parts, checked_parts = [], []
    headers: dict[str, str] = {}
    header_row = 0
    file_columns: list[str] = []
    for path in files:
        raw, header_row = scan_file(path, spec, _expected_headers(spec, TABLES[name]))
        file_columns = list(dict.fromkeys(file_columns + raw.collect_schema().names()))
        indexed = raw.with_row_index(ROW, offset=1)
        for join, frame in zip(spec.joins, joins, strict=False):
            raw, indexed = _join(raw, frame, join, path), _join(indexed, frame, join, path)
        raw, indexed = _transform(raw, spec, path), _transform(indexed, spec, path)
        raw, headers = _map_columns(raw, spec, TABLES[name], path)
        indexed, _ = _map_columns(indexed, spec, TABLES[name], path, keep=[ROW])
        clean = file_format(path, spec) != "parquet"
        typed, checked, fallible = _typed(raw, indexed, TABLES[name], config.timezone, clean)
        parts.append(typed)
        checked_parts.append(checked.with_columns(pl.lit(str(path)).alias(FILE)))
    frame = pl.concat(parts, how="diagonal_relaxed") if len(parts) > 1 else parts[0]
    checked = (
        pl.concat(checked_parts, how="diagonal_relaxed") if len(parts) > 1 else checked_parts[0]
    )
    frame, checked = _derive(name, frame, spec, config), _derive(name, checked, spec, config)
    if any(file_format(path, spec) != "parquet" for path in files):
        # text and Excel exports are parsed once, not once per query: the checked frame holds the
        # typed columns too, so the table is read from it (Parquet stays lazy, for pushdown)
        checked = _collect(checked, files)
        frame = checked.select(frame.collect_schema().names())
    offset = header_row + (0 if spec.headers else 1)
    return TableSource(name, files, frame, checked, headers, offset, sorted(fallible), file_columns)


def _collect(frame: pl.LazyFrame, files: list[Path]) -> pl.LazyFrame:
    """The frame computed once, in memory."""
    try:
        return frame.collect().lazy()
    except pl.exceptions.ComputeError as exc:
        raise DataError(
            f"{files[0]}: cannot be read ({str(exc).strip().splitlines()[0]})."
        ) from None


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


def _join(raw: pl.LazyFrame, other: pl.LazyFrame, join: Join, path: Path) -> pl.LazyFrame:
    """Left-join `other` onto the table's rows by the shared header(s)."""
    keys = [join.key] if isinstance(join.key, str) else join.key
    names = raw.collect_schema().names()
    for key in keys:
        if key not in names:
            raise DataError(f"{path}: has no column '{key}' to join on.{did_you_mean(key, names)}")
    return raw.join(other, on=keys, how="left", suffix="_joined")


def _transform(frame: pl.LazyFrame, spec: TableConfig, path: Path) -> pl.LazyFrame:
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


def _need(header: str, schema: pl.Schema, path: Path) -> pl.Expr:
    """pl.col(header), or a clear error when the file has no such header."""
    if header not in schema:
        raise DataError(
            f"{path}: has no column '{header}'.{did_you_mean(header, schema.names())} "
            f"Its columns are: {', '.join(schema.names()[:40])}."
        )
    return pl.col(header)


def _number(header: str | dict, schema: pl.Schema, path: Path) -> pl.Expr:
    """A header (or derived value) as a number, parsed as exports write numbers."""
    if isinstance(header, dict):
        return parse_num(_derived(header, schema, path), pl.String)
    return parse_num(_need(header, schema, path), schema[header])


_COMPARE = {"gt": "__gt__", "ge": "__ge__", "lt": "__lt__", "le": "__le__"}


def _condition(cond, schema: pl.Schema, path: Path) -> pl.Expr:
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


def _derived(spec, schema: pl.Schema, path: Path) -> pl.Expr:
    """A `derive` entry as an expression (see TableConfig.derive)."""
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
        "coalesce": lambda: pl.coalesce(
            [
                clean_text(_derived(p, schema, path).cast(pl.String))
                for p in spec["coalesce"]
                if not (
                    isinstance(p, str)
                    and p not in schema
                    and p == p.strip()
                    and _looks_like_header(p)
                )
            ]
        ),
        "multiply": lambda: (
            _number(spec["multiply"][0], schema, path) * _number(spec["multiply"][1], schema, path)
        ),
        "negate": lambda: -_number(spec["negate"], schema, path),
        "regex": lambda: (
            _need(spec["regex"], schema, path).cast(pl.String).str.extract(spec["pattern"], 1)
        ),
    }
    op = next((k for k in ops if k in spec), None)
    if op is None:
        raise DataError(f"{path}: unknown derive step {spec}; use one of {', '.join(ops)}.")
    return ops[op]()


def _looks_like_header(text: str) -> bool:
    """Whether a plain string in a coalesce list names a column (absent ones are skipped)."""
    return not any(ch in text for ch in "-/:")


def _group(frame: pl.LazyFrame, spec: TableConfig, path: Path) -> pl.LazyFrame:
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
        else:
            aggs.append(pl.col(column).drop_nulls().first())
    return frame.group_by(spec.group_by, maintain_order=True).agg(aggs)


def _map_columns(
    raw: pl.LazyFrame, spec: TableConfig, table: Table, path: Path, keep: list[str] | None = None
) -> tuple[pl.LazyFrame, dict[str, str]]:
    """Rename the file's headers to canonical names; check the required ones are there."""
    names = raw.collect_schema().names()
    for header in spec.mapping:
        if header not in names:
            raise DataError(
                f"{path}: the mapping for {table.name} names the column '{header}', which the file "
                f"lacks.{did_you_mean(header, names)} Its columns are: {', '.join(names[:40])}."
            )
    source = {canonical: header for header, canonical in spec.mapping.items()}
    for column in table.names:
        if column not in source and column in names and column not in spec.constants:
            source[column] = column
    exprs = [pl.col(header).alias(canonical) for canonical, header in source.items()]
    exprs += [pl.lit(value).alias(column) for column, value in spec.constants.items()]
    missing = [c for c in table.required if c not in source and c not in spec.constants]
    if missing:
        raise DataError(
            f"{path}: the {table.name} table needs the column(s) {', '.join(missing)}, which the "
            f"file lacks. Map the file's header to it under data.{table.name}.columns "
            f"(for example `{names[0] if names else 'header'}: {missing[0]}`) in the config. "
            f"The file's columns are: {', '.join(names[:40])}."
        )
    return raw.select([pl.col(k) for k in keep or []] + exprs), source


def _typed(
    raw: pl.LazyFrame, indexed: pl.LazyFrame, table: Table, tz: str, clean: bool = True
) -> tuple[pl.LazyFrame, pl.LazyFrame, set[str]]:
    """The typed frame, the same with row numbers and bad-value flags, and the columns whose
    parsing can fail (text, or numbers read as whole numbers or times): only those are checked."""
    schema = raw.collect_schema()
    fallible = {
        c
        for c in schema.names()
        if (schema[c] == pl.String and table.column(c).kind != STR)
        or (schema[c].is_float() and table.column(c).kind in (INT, TIME, DATE))
    }
    parsed = {
        c: parse_column(pl.col(c), schema[c], table.column(c).kind, tz, clean).alias(c)
        for c in schema.names()
    }
    typed = raw.select(parsed.values())
    flags = [is_bad(pl.col(c), schema[c], expr).alias(f"__bad_{c}") for c, expr in parsed.items()]
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
    "交易关闭",
    "已取消",
    "订单关闭",
]


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
        paid_at = pl.col("pay_time") if "pay_time" in names else pl.lit(None, pl.Datetime("us"))
        return frame.with_columns(
            pay_time=pl.when(live).then(pl.coalesce(paid_at, pl.col("order_time")))
        )
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


def _checks(source: TableSource) -> list[tuple[pl.LazyFrame, object]]:
    """The contract's checks of one table, as (query, describe-result) pairs."""
    table, checked = source.spec, source.checked
    names = [
        c
        for c in source.frame.collect_schema().names()
        if f"__bad_{c}" in checked.collect_schema().names()
    ]
    out: list[tuple[pl.LazyFrame, object]] = []
    for column in source.checks:
        out.append((_bad_values_query(checked, column), _describe_bad(source, column)))
    for column in [c.name for c in table.columns if c.non_negative and c.name in names]:
        query = checked.filter(pl.col(column) < 0).select(FILE, ROW, f"__raw_{column}")
        out.append((_with_total(query), _describe_negative(source, column)))
    if table.key and table.key in names:
        out.append((_duplicates_query(source, table.key), _describe_duplicate(source, table.key)))
    return out


def _duplicates_query(source: TableSource, key: str) -> pl.LazyFrame:
    """The first rows whose key repeats, with the number of such rows.

    Counting keys on the typed frame is cheap; row numbers are only looked up for the
    repeated keys.
    """
    repeated = source.frame.group_by(key).agg(n=pl.len()).filter(pl.col("n") > 1).select(key)
    rows = source.checked.select(FILE, ROW, key, f"__raw_{key}").join(repeated, on=key, how="semi")
    return _with_total(rows.sort(FILE, ROW)).drop(key)


def _orphan_checks(ds: Dataset, source: TableSource) -> list[tuple[pl.LazyFrame, object]]:
    """Lines and refunds of orders the orders table lacks: a warning with a count, since real
    exports are cut at period edges."""
    if source.name not in ("order_items", "refunds"):
        return []
    orders = ds.frame("orders").select("order_id")
    query = (
        source.frame.select("order_id")
        .join(orders, on="order_id", how="anti")
        .select(
            rows=pl.len(), orders=pl.col("order_id").n_unique(), first=pl.col("order_id").first()
        )
    )

    def describe(result: pl.DataFrame) -> list[Problem]:
        rows = result["rows"][0]
        if not rows:
            return []
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
        checked.filter(pl.col(f"__bad_{column}")).select(FILE, ROW, f"__raw_{column}")
    )


def _where(source: TableSource, rows: pl.DataFrame) -> str:
    """'data/orders.csv line 17' for the first row of a check's result."""
    file, row = rows[FILE][0], rows[ROW][0]
    return f"{file}, line {row + source.line_offset}"


def _examples(rows: pl.DataFrame, column: str) -> str:
    """The first bad values, quoted."""
    return ", ".join(repr(v) for v in rows[f"__raw_{column}"].to_list())


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
            Problem(source.name, head + message(value, rows["total"][0], _examples(rows, column)))
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
            f"Fix the file, or map another column to {column}."
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


def _describe_duplicate(source: TableSource, key: str):
    """Message for a key that repeats."""
    return _describer(
        source,
        key,
        lambda value, total, first: (
            f"{value} appears more than once ({total} rows share a {key}); "
            f"each {source.spec.grain} "
            f"must have one row. If the export has one row per item, map it as order_items."
        ),
    )
