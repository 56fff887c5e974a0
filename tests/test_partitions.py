"""Monthly partitions (`orders/month=2026-10/part-0.parquet`): a report without the store reads
the months its range needs, and the facts of the whole history stay true (worked out by hand)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import polars as pl

from shopreport.config import read_config
from shopreport.metrics.engine import read_span
from shopreport.metrics.period import parse_month
from shopreport.metrics.schema import COHORTS
from shopreport.sources.dataset import read_dataset
from tests.conftest import kpis, monthly_orders, prepare_store, run_cli, write_shop


def partitioned(folder: Path, name: str, frame: pl.DataFrame, month: pl.Series) -> None:
    """`frame` written as folder/data/<name>/month=YYYY-MM/part-0.parquet by `month`."""
    parts = frame.with_columns(_month=month).partition_by("_month", as_dict=True)
    for (key,), part in parts.items():
        target = folder / "data" / name / f"month={key}"
        target.mkdir(parents=True, exist_ok=True)
        part.drop("_month").write_parquet(target / "part-0.parquet")


def ten_years(folder: Path) -> Path:
    """Orders of 2015-01 … 2026-10 as monthly partitions by order month: one order on the 15th
    of each month by A, B or C in turn (142), E in March 2016 and October 2026, D first in
    October 2026, and F's order placed 10 July 2024 but paid 5 October 2025. One line each,
    SKU s1, one unit; the lines are partitioned by their order's month."""
    rows = [(order, buyer, at, at, 100.0) for order, buyer, at in monthly_orders()]
    rows += [
        ("e1", "E", datetime(2016, 3, 20, 9), datetime(2016, 3, 20, 9), 50.0),
        ("e2", "E", datetime(2026, 10, 20, 9), datetime(2026, 10, 20, 9), 70.0),
        ("d1", "D", datetime(2026, 10, 21, 9), datetime(2026, 10, 21, 9), 30.0),
        ("f1", "F", datetime(2024, 7, 10, 9), datetime(2025, 10, 5, 9), 40.0),
    ]
    orders = pl.DataFrame(
        rows,
        schema=["order_id", "customer_id", "order_time", "pay_time", "paid_amount"],
        orient="row",
    )
    months = orders["order_time"].dt.strftime("%Y-%m")
    partitioned(folder, "orders", orders, months)
    lines = orders.select("order_id", sku=pl.lit("s1"), quantity=pl.lit(1), amount="paid_amount")
    partitioned(folder, "order_items", lines, months)
    return write_shop(
        folder,
        {},
        {"orders": {"path": "data/orders"}, "order_items": {"path": "data/order_items"}},
        metrics={"cohort_months": 3},
    )


def test_a_report_reads_the_months_of_its_range(tmp_path) -> None:
    cfg = read_config(ten_years(tmp_path))
    span = read_span([parse_month("2026-10", "UTC")], cfg.metrics)
    assert span == (datetime(2024, 8, 27), datetime(2026, 12, 6))
    ds = read_dataset(cfg, span=span)
    orders, lines = ds.tables["orders"], ds.tables["order_items"]
    # from 2024-08 on, and one month earlier for F's order placed in July and paid in the range:
    # 2024-07 … 2026-10 is 28 monthly orders, with F's, E's and D's 31
    assert orders.frame.select(pl.len()).collect().item() == 31
    assert lines.frame.select(pl.len()).collect().item() == 31
    assert orders.whole is not None and len(orders.files) == 142
    # the whole history stays at hand for its facts: first and last dates, 146 rows
    assert ds.data_end() == date(2026, 10, 21)
    assert ds.history("orders").select(pl.len()).collect().item() == 146


def test_the_report_of_the_months_is_the_report_of_everything(tmp_path, monkeypatch) -> None:
    config = ten_years(tmp_path)
    report = kpis(config, cache=False)
    # October 2026: A's o141 (100), E (70), D (30); E's first payment was in 2016 and D's now
    assert report.value("gmv") == 200
    assert report.value("buyers") == 3
    assert report.value("new_buyers") == 2  # D and E: no payment in the 365 days before
    october = {r["k"]: r for r in report.rows(COHORTS) if r["cohort"] == "2026-10"}
    assert october[0]["size"] == 1  # D only: E's first order (2016) is in an unread partition
    # October 2025: A's o129 (100) and F's order paid then (40) with its line, from July 2024
    assert report.metrics["gmv"].last_year == 140
    assert report.metrics["units"].last_year == 2
    command = ("kpis", "--config", config, "--month", "2026-10", "--format", "json")
    cold = run_cli(*command, "--no-cache")
    monkeypatch.delenv("SHOPREPORT_CACHE")
    assert (prepare_store(config) / "orders.parquet").is_file()  # every month, prepared
    stored = run_cli(*command)
    assert cold.code == stored.code == 0, cold.err + stored.err
    assert json.loads(cold.out) == json.loads(stored.out)
    tables = {t["table"]: t for t in json.loads(cold.out)["coverage"]}
    assert tables["orders"]["rows"] == 146  # every row, not the 31 read


def test_partitions_whose_columns_differ_are_stacked_by_name(tmp_path) -> None:
    # September's export has no discount column and writes the amount as text; October's has
    # the discount and a column the contract does not know
    september = pl.DataFrame(
        {
            "order_id": ["s1", "s2"],
            "customer_id": ["A", "B"],
            "order_time": [datetime(2026, 9, 1, 9), datetime(2026, 9, 2, 9)],
            "pay_time": [datetime(2026, 9, 1, 9), datetime(2026, 9, 2, 9)],
            "paid_amount": ["80.5", "19.5"],
        }
    )
    october = pl.DataFrame(
        {
            "order_id": ["o1", "o2", "o3"],
            "customer_id": ["A", "C", "C"],
            "order_time": [datetime(2026, 10, d, 9) for d in (2, 3, 4)],
            "pay_time": [datetime(2026, 10, d, 9) for d in (2, 3, 4)],
            "paid_amount": [100.0, 60.0, 40.0],
            "discount_amount": [10.0, 0.0, 5.0],
            "remark": ["gift", None, None],
        }
    )
    for key, frame in (("2026-09", september), ("2026-10", october)):
        target = tmp_path / "data" / "orders" / f"month={key}"
        target.mkdir(parents=True)
        frame.write_parquet(target / "part-0.parquet")
    config = write_shop(tmp_path, {}, {"orders": {"path": "data/orders"}})
    for cache in (False, True):
        report = kpis(config, cache=cache)
        assert report.value("gmv") == 200  # 100 + 60 + 40
        assert report.value("paid_orders") == 3
        # the data ends on 4 October: September compares its first four days, 80.5 + 19.5
        assert report.metrics["gmv"].previous == 100
    result = run_cli("validate", "--config", config)
    assert result.code == 0, result.err


def test_a_bad_row_in_a_month_a_report_does_not_read_never_stops_it(tmp_path, monkeypatch):
    """Preparing the store checks every month; a bad row in one a report does not read (an
    order of May 2016 without its buyer) stops `validate`, not the report, with or without the
    store: the reports read as without it from then on."""
    from shopreport import api

    config = ten_years(tmp_path)
    when = datetime(2016, 5, 20, 9)
    pl.DataFrame(
        {"order_id": ["x1"], "customer_id": [None], "order_time": [when], "pay_time": [when]},
        schema_overrides={"customer_id": pl.String},
    ).with_columns(paid_amount=pl.lit(10.0)).write_parquet(
        tmp_path / "data" / "orders" / "month=2016-05" / "part-1.parquet"
    )
    command = ("kpis", "--config", config, "--format", "json", "--month")
    cold = run_cli(*command, "2026-09", "--no-cache")
    assert cold.code == 0, cold.err
    monkeypatch.delenv("SHOPREPORT_CACHE")
    assert run_cli(*command, "2026-10").code == 0  # the first report: read as without the store
    second = run_cli(*command, "2026-09")  # the second tries to prepare the store, and cannot
    assert second.code == 0, second.err
    assert second.out == cold.out
    assert json.loads(second.out)["metrics"]["gmv"]["value"] == 100  # September's one order
    (entry,) = [p for p in (tmp_path / ".shopreport").iterdir() if p.is_dir()]
    assert (entry / "not-prepared").is_file() and not (entry / "dataset.json").exists()
    spans = []
    with monkeypatch.context() as m:  # nor does a later report try again: it reads its months
        read = api.read_dataset
        m.setattr(api, "read_dataset", lambda cfg, span: spans.append(span) or read(cfg, span=span))
        assert run_cli(*command, "2026-08").code == 0
    assert len(spans) == 1 and spans[0] is not None
    checked = run_cli("validate", "--config", config)
    assert checked.code == 1
    # the partition's file and its row, not the folder and a row of the whole dataset
    where = f"{tmp_path / 'data' / 'orders' / 'month=2016-05' / 'part-1.parquet'}, row 1"
    assert f"{where}, column customer_id: the value is empty" in checked.out


def test_an_error_names_the_partition_file_and_its_row(tmp_path) -> None:
    """An order id repeated in two partitions (September's o140, placed again in October's
    second file): each named by its partition's file and its row there, from a report's range
    read and from `validate`."""
    config = ten_years(tmp_path)
    when = datetime(2026, 10, 25, 9)
    folder = tmp_path / "data" / "orders"
    again = {"order_id": ["o140"], "customer_id": ["B"], "order_time": [when]}
    pl.DataFrame({**again, "pay_time": [when], "paid_amount": [100.0]}).write_parquet(
        folder / "month=2026-10" / "part-1.parquet"
    )
    # September 2026's file holds o140 only; October's second file, the repeat only
    expected = (
        f"{folder / 'month=2026-09' / 'part-0.parquet'}, row 1 and "
        f"{folder / 'month=2026-10' / 'part-1.parquet'}, row 1, column order_id: 'o140' appears "
        "more than once in this folder's partitions (2 rows share a repeated order_id); each "
        "order must have one row."
    )
    report = run_cli("kpis", "--config", config, "--month", "2026-10", "--no-cache")
    assert report.code == 1 and expected in report.err
    checked = run_cli("validate", "--config", config)
    assert checked.code == 1 and expected in checked.out


def test_a_partition_without_a_column_is_named_as_such(tmp_path) -> None:
    """October 2026's file (its 3 orders: the 15th's, e2 and d1) written without paid_amount:
    not "the value is empty" (whose advice, `on_missing: skip`, would drop the month), but the
    file that lacks the column."""
    config = ten_years(tmp_path)
    part = tmp_path / "data" / "orders" / "month=2026-10" / "part-0.parquet"
    pl.read_parquet(part).drop("paid_amount").write_parquet(part)
    expected = (
        f"{part}: has no column paid_amount, which the other partitions of "
        f"{tmp_path / 'data' / 'orders'} have (3 without paid_amount). Write the partition "
        "again with every column."
    )
    checked = run_cli("validate", "--config", config)
    assert checked.code == 1 and expected in checked.out, checked.out
