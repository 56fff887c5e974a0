"""Tables read from a real PostgreSQL server and from SQLite files (sources/database.py)."""

from __future__ import annotations

import re
import sqlite3
import traceback
import zipfile
from datetime import date, datetime
from pathlib import Path

import adbc_driver_postgresql.dbapi as postgresql
import adbc_driver_sqlite.dbapi as sqlite
import polars as pl
import pytest
import yaml
from polars.testing import assert_frame_equal

from shopreport import api
from shopreport.config import read_config
from shopreport.errors import DataError
from shopreport.metrics.engine import read_span
from shopreport.metrics.period import parse_month
from shopreport.metrics.schema import COHORTS
from shopreport.sources.database import has_password, shown_uri
from shopreport.sources.dataset import read_dataset
from tests import dbserver
from tests.conftest import DECK_DAY, kpis, monthly_orders, run_cli, write_shop


@pytest.fixture(scope="module")
def server():
    """A PostgreSQL server of Debian's package, on a socket, for this module."""
    running = dbserver.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def pg_config(server, small_shop, tmp_path_factory) -> Path:
    """The small demo shop loaded into PostgreSQL, and its config reading every table there."""
    tables = dbserver.shop_tables(small_shop.parent)
    target = f"postgresql://{dbserver.USER}:{dbserver.PASSWORD}@/{dbserver.DATABASE}"
    dbserver.load(postgresql.connect, f"{target}?host={server.socket}", tables)
    return dbserver.database_config(small_shop.parent, server.uri(), tmp_path_factory.mktemp("pgc"))


@pytest.fixture(scope="module")
def sqlite_config(small_shop, tmp_path_factory) -> Path:
    """The small demo shop in a SQLite file beside its config (`sqlite:///shop.db`)."""
    folder = tmp_path_factory.mktemp("sqlite")
    dbserver.load(sqlite.connect, str(folder / "shop.db"), dbserver.shop_tables(small_shop.parent))
    return dbserver.database_config(small_shop.parent, "sqlite:///shop.db", folder)


@pytest.fixture
def password(monkeypatch):
    """libpq reads the password from PGPASSWORD, as psql does."""
    monkeypatch.setenv("PGPASSWORD", dbserver.PASSWORD)


def deck_parts(path: Path) -> dict[str, bytes]:
    """What a deck shows: its slides, charts and pictures (not its file dates or workbooks)."""
    with zipfile.ZipFile(path) as package:
        return {
            n: package.read(n)
            for n in package.namelist()
            if n.startswith(("ppt/slides/slide", "ppt/charts/chart", "ppt/media/"))
        }


def texts(xml: bytes) -> list[str]:
    """The text runs of a slide."""
    return re.findall(r"<a:t>([^<]*)</a:t>", xml.decode("utf-8"))


@pytest.fixture(scope="module")
def parquet_deck(small_shop, tmp_path_factory) -> Path:
    """The monthly deck of the small demo shop from its Parquet files."""
    out = tmp_path_factory.mktemp("pq") / "deck.pptx"
    api.build_deck(small_shop, "monthly", "2026-10", out=out, today=DECK_DAY)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("source", ["pg", "sqlite"])
def test_database_deck_is_the_parquet_deck(
    source, request, parquet_deck, tmp_path, password
) -> None:
    config = request.getfixturevalue(f"{source}_config")
    out = tmp_path / "deck.pptx"
    api.build_deck(config, "monthly", "2026-10", out=out, today=DECK_DAY)
    mine, theirs = deck_parts(out), deck_parts(parquet_deck)
    assert sorted(mine) == sorted(theirs)
    # the same slides, charts and pictures: the appendix names tables, not where they were read
    # from (no file, no database URI, no password)
    assert [n for n in mine if mine[n] != theirs[n]] == []
    slides = [part for name, part in mine.items() if name.startswith("ppt/slides/slide")]
    assert not any("s3cret" in t or "://" in t for part in slides for t in texts(part))


def test_kpis_from_postgresql_equal_the_parquet_ones(pg_config, small_shop, password) -> None:
    from_db = kpis(pg_config)
    from_files = kpis(small_shop)
    assert from_db.to_dict()["metrics"] == from_files.to_dict()["metrics"]
    assert from_db.breakdowns.keys() == from_files.breakdowns.keys()
    for name, frame in from_files.breakdowns.items():
        # the rows arrive in another order: float sums may differ in the last bits
        assert_frame_equal(from_db.breakdowns[name], frame, rel_tol=1e-9, abs_tol=1e-9)
    coverage = {c["table"]: c for c in from_db.coverage}
    # the coverage counts every row of the table, not only the range the report read
    assert coverage["orders"]["rows"] == dbserver.shop_tables(small_shop.parent)["orders"].height
    assert coverage["orders"]["files"] == [f"{shown_uri(pg_config_uri(pg_config))}, table orders"]


@pytest.fixture(scope="module")
def mariadb_config(small_shop, tmp_path_factory, monkeypatch_module):
    """The small demo shop in a real MariaDB server, every table read through ConnectorX; the
    password in ${SHOP_DB_PASSWORD}."""
    server = dbserver.start_mariadb()
    try:
        server.load(dbserver.shop_tables(small_shop.parent))
        monkeypatch_module.setenv("SHOP_DB_PASSWORD", dbserver.PASSWORD)
        yield dbserver.database_config(
            small_shop.parent, server.uri(), tmp_path_factory.mktemp("mariadb")
        )
    finally:
        server.stop()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_kpis_from_mariadb_equal_the_parquet_ones(mariadb_config, small_shop) -> None:
    """MySQL's protocol through ConnectorX: the range pushed into the SQL (backquoted names, the
    first paid order of each earlier buyer by ROW_NUMBER), DECIMAL and TINYINT columns typed
    as the contract wants; the same report as from the Parquet files."""
    from_db = kpis(mariadb_config)
    from_files = kpis(small_shop)
    assert from_db.to_dict()["metrics"] == from_files.to_dict()["metrics"]
    for name, frame in from_files.breakdowns.items():
        assert_frame_equal(from_db.breakdowns[name], frame, rel_tol=1e-9, abs_tol=1e-9)
    coverage = {c["table"]: c for c in from_db.coverage}
    assert coverage["orders"]["rows"] == dbserver.shop_tables(small_shop.parent)["orders"].height
    shown = coverage["orders"]["files"][0]
    assert shown.startswith("mysql://report:***@127.0.0.1:") and shown.endswith("table orders")
    run = run_cli("validate", "--config", mariadb_config)
    assert run.code == 0, run.err
    assert "0 error(s)" in run.out and dbserver.PASSWORD not in run.out + run.err


def pg_config_uri(config: Path) -> str:
    """The orders URI of a database config."""
    return yaml.safe_load(config.read_text(encoding="utf-8"))["data"]["orders"]["uri"]


def test_validate_reads_everything_and_says_where(pg_config, password) -> None:
    run = run_cli("validate", "--config", pg_config)
    assert run.code == 0, run.err
    assert f"source: {pg_config_uri(pg_config)}, table orders" in run.out
    assert "read from postgresql://report@/shop" in run.out and ": every row" in run.out
    assert "refunds: from the database (table refunds)" in run.out


# --- the range pushed into the SQL, worked out by hand ------------------------------------------


def ten_years(folder: Path) -> Path:
    """An orders table of 2015-01 … 2026-10, one order on the 15th of each month by A, B or C
    in turn; E paid once in March 2016 and again in October 2026; D first in October 2026."""
    rows = [(order, buyer, at, 100.0) for order, buyer, at in monthly_orders()]
    rows += [
        ("e1", "E", datetime(2016, 3, 20, 9), 50.0),
        ("e2", "E", datetime(2026, 10, 20, 9), 70.0),
        ("d1", "D", datetime(2026, 10, 21, 9), 30.0),
    ]
    db = sqlite3.connect(folder / "erp.db")
    db.execute("create table orders (no text, buyer text, paid_at text, amount real)")
    db.executemany(
        "insert into orders values (?, ?, ?, ?)",
        [(a, b, f"{c:%Y-%m-%d %H:%M:%S}", d) for a, b, c, d in rows],
    )
    db.commit()
    db.close()
    columns = {"no": "order_id", "buyer": "customer_id", "paid_at": "pay_time"}
    return write_shop(
        folder,
        {},
        {
            "orders": {
                "uri": "sqlite:///erp.db",
                "query": "select no, buyer, paid_at, paid_at as created, amount from orders",
                "columns": {**columns, "created": "order_time", "amount": "paid_amount"},
            }
        },
        metrics={"cohort_months": 3},
    )


def test_a_report_reads_only_its_range(tmp_path) -> None:
    config = ten_years(tmp_path)
    cfg = read_config(config)
    span = read_span([parse_month("2026-10", "UTC")], cfg.metrics)
    # October 2026 against September and October 2025, 365 days before the earliest of them
    # (1 Oct 2025 - 365 days = 1 Oct 2024), and 35 days of margin: 27 Aug 2024 … 6 Dec 2026
    assert span == (datetime(2024, 8, 27), datetime(2026, 12, 6))
    ds = read_dataset(cfg, span=span)
    read = ds.tables["orders"].database
    assert read is not None and read.rows == 142 + 3
    # 26 monthly orders 2024-09 … 2026-10; E's, D's October orders; the first row (o0, A's first
    # order); B's and C's first orders (o1, o2); E's first order (e1): 26 + 2 + 1 + 2 + 1 = 32
    assert read.frame.height == 32
    assert sorted(read.frame.filter(pl.col("paid_at") < "2024-08-27")["no"]) == [
        "e1",
        "o0",
        "o1",
        "o2",
    ]


def test_the_first_purchase_is_seen_before_the_range(tmp_path) -> None:
    report = kpis(ten_years(tmp_path))
    october = {r["k"]: r for r in report.rows(COHORTS) if r["cohort"] == "2026-10"}
    # E bought in March 2016: not in October's cohort (read without E's first order, E would
    # be); D is
    assert october[0]["size"] == 1
    assert report.value("buyers") == 3  # A (o141: 141 % 3 == 0), D and E
    assert report.value("new_buyers") == 2  # D and E: no payment in the 365 days before


def test_a_text_time_that_is_not_iso_is_not_compared_in_sql(tmp_path) -> None:
    db = sqlite3.connect(tmp_path / "erp.db")
    db.execute("create table orders (order_id text, customer_id text, pay_time text, amt real)")
    db.executemany(
        "insert into orders values (?, ?, ?, ?)",
        [("1", "a", "15/01/2015 10:00", 10.0), ("2", "b", "15/10/2026 10:00", 20.0)],
    )
    db.commit()
    db.close()
    query = "select order_id, customer_id, pay_time, pay_time as order_time, amt from orders"
    config = write_shop(
        tmp_path,
        {},
        {
            "orders": {
                "uri": "sqlite:///erp.db",
                "query": query,
                "date_format": "dmy",
                "columns": {"amt": "paid_amount"},
            }
        },
    )
    ds = read_dataset(read_config(config), span=(datetime(2026, 9, 1), datetime(2026, 12, 1)))
    read = ds.tables["orders"].database
    assert read is not None and read.frame.height == 2 and read.rows is None
    assert read.rule.endswith(": every row (order_time is not a date/time column of the database)")


# --- credentials and errors ---------------------------------------------------------------------


def test_a_password_is_never_shown() -> None:
    uri = "postgresql://report:hunter2@db.internal:5432/erp?sslmode=require"
    assert shown_uri(uri) == "postgresql://report:***@db.internal:5432/erp?sslmode=require"
    assert shown_uri("postgresql://db/erp?user=r&password=hunter2") == (
        "postgresql://db/erp?user=r&password=***"
    )
    assert has_password(uri)
    assert not has_password("postgresql://report:${PGPW}@db/erp")
    assert not has_password("postgresql://report@db/erp")


def bad_copy(config: Path, folder: Path, **orders) -> Path:
    """`config` with other settings of its orders table."""
    body = yaml.safe_load(config.read_text(encoding="utf-8"))
    body["data"]["orders"] = {k: v for k, v in {**body["data"]["orders"], **orders}.items() if v}
    path = folder / "shopreport.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def assert_refused(config: Path, folder: Path, *needles: str) -> str:
    """`build` fails with exit 1, writes nothing, names the table and the connection; with
    --debug the error and its traceback keep the password out too."""
    args = ["build", "--config", config, "--month", "2026-10", "--out", folder / "d.pptx", "-q"]
    run = run_cli(*args)
    assert run.code == 1, (run.out, run.err)
    assert not list(folder.glob("*.pptx"))
    assert dbserver.PASSWORD not in run.err + run.out
    for needle in ("data.orders", *needles):
        assert needle in run.err, run.err
    with pytest.raises(DataError) as raised:
        run_cli("--debug", *args)
    shown = "".join(traceback.format_exception(raised.value))
    assert dbserver.PASSWORD not in shown and needles[0] in shown
    return run.err


def test_server_down(pg_config, tmp_path, password) -> None:
    uri = f"postgresql://report@/shop?host={tmp_path}"  # no server listens there
    err = assert_refused(
        bad_copy(pg_config, tmp_path, uri=uri), tmp_path, "Failed to connect", "table orders"
    )
    assert f"postgresql://report@/shop?host={tmp_path}" in err


def test_wrong_password(pg_config, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PGPASSWORD", "not-the-password")
    assert_refused(pg_config, tmp_path, "password authentication failed", "table orders")


def test_a_password_in_the_config_is_warned_about_and_kept_secret(
    pg_config, server, tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    uri = server.uri(password=True).replace(dbserver.PASSWORD, "wrong-" + dbserver.PASSWORD)
    err = assert_refused(bad_copy(pg_config, tmp_path, uri=uri), tmp_path, "report:***@")
    assert "warning: " in err and "writes a password into the config" in err
    assert "wrong-" not in err


def test_missing_table(pg_config, tmp_path, password) -> None:
    config = bad_copy(pg_config, tmp_path, table="orderz")
    err = assert_refused(config, tmp_path.parent, 'relation "orderz" does not exist')
    assert "table orderz" in err


def test_a_column_of_the_wrong_type(pg_config, tmp_path, password) -> None:
    query = "select order_id, customer_id, order_time, pay_time, 'abc' as paid_amount from orders"
    config = bad_copy(pg_config, tmp_path, table=None, query=query)
    run = run_cli("build", "--config", config, "--month", "2026-10", "--out", tmp_path, "--quiet")
    assert run.code == 1
    assert (
        "query of data.orders, row 1 of the result, column paid_amount: 'abc' is not a number"
        in (run.err)
    )
    assert not list(tmp_path.glob("*.pptx"))


def test_sqlite_file_missing(tmp_path) -> None:
    config = write_shop(tmp_path, {}, {"orders": {"uri": "sqlite:///nowhere.db", "table": "o"}})
    with pytest.raises(DataError, match=r"sqlite:///.*nowhere.db: no such database file"):
        read_dataset(read_config(config))
    assert not (tmp_path / "nowhere.db").exists()


def test_a_database_table_needs_a_query_or_a_table(tmp_path) -> None:
    config = write_shop(tmp_path, {}, {"orders": {"uri": "sqlite:///x.db"}})
    run = run_cli("validate", "--config", config)
    assert run.code == 2
    assert "with `uri`, give either `query` (SQL) or `table` (a table name)" in run.err


def test_an_unset_variable_in_the_uri(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SHOP_DB", raising=False)
    config = write_shop(tmp_path, {}, {"orders": {"uri": "postgresql://${SHOP_DB}", "table": "o"}})
    run = run_cli("kpis", "--config", config, "--month", "2026-10")
    assert run.code == 2
    assert "data.orders.uri: the environment variable SHOP_DB is not set" in run.err


def test_data_end_and_paid_day_unchanged(tmp_path) -> None:
    # the last row is always sent: the data's end is the table's, not the range's
    ds = read_dataset(
        read_config(ten_years(tmp_path)), span=(datetime(2020, 1, 1), datetime(2020, 3, 1))
    )
    assert ds.data_end() == date(2026, 10, 21)


def test_a_mapping_error_names_the_database_as_written(tmp_path) -> None:
    sqlite3.connect(tmp_path / "erp.db").execute("create table o (a text)").connection.close()
    config = write_shop(
        tmp_path,
        {},
        {"orders": {"uri": "sqlite:///erp.db", "table": "o", "columns": {"x": "order_id"}}},
    )
    with pytest.raises(DataError) as raised:
        read_dataset(read_config(config))
    assert raised.value.message.startswith(f"sqlite:///{tmp_path / 'erp.db'}, table o: ")
