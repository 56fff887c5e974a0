"""Tables read from a database: PostgreSQL and SQLite through ADBC, other URIs through ConnectorX.

ADBC (Apache Arrow's database connectivity) returns Arrow directly, and its PostgreSQL driver
is libpq: the password comes from PGPASSWORD, ~/.pgpass or a service file exactly as for psql,
sockets and sslmode work as users know them. ConnectorX (Polars' default for `read_database_uri`)
covers MySQL, SQL Server, Oracle and ClickHouse when it is installed.

A report reads only the time range it needs: the table's time column is compared with the
range in SQL, so the database sends those months, plus the rows that keep the table's facts
whole (its first and last row; for orders, each buyer's first paid order before the range).
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import polars as pl

from shopreport.config import TableConfig
from shopreport.errors import ConfigError, DataError, ShopreportWarning

ADBC = {"postgresql": "postgresql", "postgres": "postgresql", "sqlite": "sqlite"}
ENV_VAR = re.compile(r"\$\{(\w+)\}")
ROW_NUMBER = "__shopreport_n"


@dataclass(frozen=True)
class Connection:
    """Where a table comes from: the URI (variables replaced) and what may be shown of it."""

    uri: str
    shown: str
    scheme: str
    secret: str | None

    def scrub(self, text: str) -> str:
        """`text` without the password (a driver's message may quote the URI)."""
        text = text.replace(self.uri, self.shown)
        return text.replace(self.secret, "***") if self.secret else text


@dataclass(frozen=True)
class Pushdown:
    """The range a report reads and the source columns it is applied to."""

    lo: datetime
    hi: datetime
    time: str
    """The table's time column, as the database names it."""
    paid: str | None = None
    customer: str | None = None
    """orders: the pay time and buyer columns, for each buyer's first paid order before `lo`."""


def connection(uri: str, base_dir: Path, label: str) -> Connection:
    """The connection of a table's `uri`: ${VAR}s replaced, the password kept out of sight."""
    missing = [v for v in ENV_VAR.findall(uri) if v not in os.environ]
    if missing:
        raise ConfigError(f"{label}.uri: the environment variable {missing[0]} is not set.")
    if has_password(uri):
        warnings.warn(
            f"{label}.uri writes a password into the config; set PGPASSWORD (or ~/.pgpass) or "
            "write ${VARIABLE} in its place.",
            ShopreportWarning,
            stacklevel=2,
        )
    full = ENV_VAR.sub(lambda m: os.environ[m.group(1)], uri)
    parts = urlsplit(full)
    scheme = parts.scheme.split("+")[0].lower()
    if not scheme:
        raise ConfigError(f"{label}.uri: '{shown_uri(uri)}' is not a URI (postgresql://…).")
    if scheme == "sqlite":  # sqlite:///shop.db beside the config, sqlite:////abs/shop.db
        rest = full.split("://", 1)[1]
        path = Path(rest[1:] if rest.startswith("/") else rest)
        path = path if path.is_absolute() else base_dir / path
        return Connection(str(path), f"sqlite:///{path}", scheme, None)
    return Connection(full, shown_uri(full), scheme, parts.password)


def shown_uri(uri: str) -> str:
    """The URI with its password replaced by ***."""
    parts = urlsplit(uri)
    if parts.password is None:
        return re.sub(r"(password=)[^&]*", r"\1***", uri)
    host = parts.netloc.rsplit("@", 1)[1]
    netloc = f"{parts.username}:***@{host}" if parts.username else f":***@{host}"
    return re.sub(r"(password=)[^&]*", r"\1***", urlunsplit(parts._replace(netloc=netloc)))


def has_password(uri: str) -> bool:
    """Whether a config's URI carries a password written out (not a ${VAR})."""
    written = [urlsplit(uri).password or "", *re.findall(r"password=([^&]*)", uri)]
    return any(p and not ENV_VAR.fullmatch(p) for p in written)


def base_sql(spec: TableConfig, conn: Connection) -> str:
    """The table's rows as SQL: its `query`, or every row of its `table`."""
    if spec.query is not None:
        return spec.query.strip().rstrip(";")
    return "SELECT * FROM " + ".".join(quote(p, conn) for p in (spec.table or "").split("."))


def probe(conn: Connection, sql: str, label: str) -> pl.DataFrame:
    """The first row of `sql` (its columns and their types)."""
    return read(conn, f"SELECT * FROM ({sql}) AS q LIMIT 1", label)


def pushed_sql(sql: str, conn: Connection, columns: list[str], push: Pushdown) -> str:
    """`sql` limited to `push`'s range, plus the rows that keep the table's facts whole."""
    q = lambda c: "q." + quote(c, conn)  # noqa: E731
    lo, hi = _literal(push.lo), _literal(push.hi)
    inside = f"{q(push.time)} >= {lo}"
    if push.paid and push.paid != push.time:
        inside = f"({inside} OR {q(push.paid)} >= {lo})"
    parts = [f"SELECT * FROM ({sql}) AS q WHERE {inside} AND {q(push.time)} < {hi}"]
    for order in ("ASC", "DESC"):  # the first and the last row: the table's extent
        parts.append(
            f"SELECT * FROM (SELECT * FROM ({sql}) AS q WHERE {q(push.time)} IS NOT NULL "
            f"ORDER BY {q(push.time)} {order} LIMIT 1) AS q"
        )
    if push.paid and push.customer:  # each earlier buyer's first paid order: who is new
        listed = ", ".join("e." + quote(c, conn) for c in columns)
        parts.append(
            f"SELECT {listed} FROM (SELECT q.*, ROW_NUMBER() OVER (PARTITION BY "
            f"{q(push.customer)} ORDER BY {q(push.paid)}) AS {ROW_NUMBER} FROM ({sql}) AS q "
            f"WHERE {q(push.paid)} < {lo}) AS e WHERE e.{ROW_NUMBER} = 1"
        )
    return "\nUNION\n".join(parts)


def count_sql(sql: str) -> str:
    """The number of rows of `sql`."""
    return f"SELECT COUNT(*) AS n FROM ({sql}) AS q"


def read(conn: Connection, sql: str, label: str) -> pl.DataFrame:
    """Run `sql`; errors name the table and the connection, never the password."""
    try:
        if conn.scheme in ADBC:
            frame = _read_adbc(conn, sql)
        else:
            frame = _read_connectorx(conn, sql, label)
    except ShopreportErrors:
        raise
    except Exception as exc:  # every driver has its own exception classes
        message = conn.scrub(_first_line(exc))
        raise DataError(f"{label}: {message}") from None
    decimals = [c for c, t in frame.schema.items() if isinstance(t, pl.Decimal)]
    return frame.with_columns(pl.col(decimals).cast(pl.Float64)) if decimals else frame


ShopreportErrors = (ConfigError, DataError)


def _read_adbc(conn: Connection, sql: str) -> pl.DataFrame:
    """ADBC: PostgreSQL (libpq) or a SQLite file, opened read-only."""
    if ADBC[conn.scheme] == "sqlite":
        import adbc_driver_sqlite.dbapi as driver

        if not Path(conn.uri).is_file():
            raise DataError(f"{conn.shown}: no such database file.")
        target = f"file:{conn.uri}?mode=ro"
    else:
        import adbc_driver_postgresql.dbapi as driver  # type: ignore[no-redef]

        target = conn.uri
    with driver.connect(target) as db, db.cursor() as cursor:
        cursor.execute(sql)
        return pl.from_arrow(cursor.fetch_arrow_table())  # type: ignore[return-value]


def _read_connectorx(conn: Connection, sql: str, label: str) -> pl.DataFrame:
    """Other databases (MySQL, SQL Server, Oracle, ClickHouse …) through ConnectorX."""
    try:
        import connectorx  # noqa: F401
    except ImportError:
        raise ConfigError(
            f"{label}: reading {conn.scheme}:// needs ConnectorX (`pip install connectorx`); "
            "PostgreSQL and SQLite work without it."
        ) from None
    return pl.read_database_uri(sql, conn.uri, engine="connectorx")


def quote(name: str, conn: Connection) -> str:
    """An identifier quoted for the database (backticks for MySQL)."""
    if conn.scheme in ("mysql", "mariadb"):
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def _literal(moment: datetime) -> str:
    """A time as an SQL literal every database compares with its time and text columns."""
    return f"'{moment:%Y-%m-%d %H:%M:%S}'"


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's message."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
