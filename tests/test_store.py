"""The prepared store (issue 13): the first report over new exports reads them as a run without
the store does and is remembered; the next report over the same exports prepares typed, checked
Parquet, and later ones read it instead of the exports, say exactly what a cold run says, and
notice every change."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
import yaml

from shopreport import api
from tests.conftest import prepare_store, run_cli

ORDERS = (
    "order_id,customer_id,order_time,paid_amount\n"
    "1,a,2026-09-20 10:00:00,5\n"
    "2,a,2026-10-01 10:00:00,10\n"
    "3,b,2026-10-02 10:00:00,20\n"
    "4,c,2026-10-03 10:00:00,30\n"
)
ITEMS = "order_id,sku,quantity,amount\n1,S1,1,5\n2,S1,1,10\n3,S1,1,5\n3,S2,1,15\n4,S2,2,30\n"
PRODUCTS = "sku,name,category\nS1,杯子,厨房\nS2,台灯,家居\n"


@pytest.fixture(autouse=True)
def store_on(monkeypatch):
    monkeypatch.delenv("SHOPREPORT_CACHE", raising=False)


def shop(folder: Path, **config) -> Path:
    for name, text in (("orders.csv", ORDERS), ("items.csv", ITEMS), ("products.csv", PRODUCTS)):
        (folder / name).write_text(text, encoding="utf-8")
    data = {
        "orders": {"path": "orders.csv"},
        "order_items": {"path": "items.csv"},
        "products": {"path": "products.csv"},
    }
    body = {"shop": "测试店", "data": data, **config}
    path = folder / "shopreport.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def kpis(config: Path, *extra: str, month: str = "2026-10") -> str:
    result = run_cli("kpis", "--config", config, "--month", month, "--format", "json", *extra)
    assert result.code == 0, result.err
    return result.out


def entries(config: Path) -> list[Path]:
    root = config.parent / ".shopreport"
    return [p for p in root.iterdir() if p.is_dir()] if root.exists() else []


def no_reading(monkeypatch):
    """Fail the test if the exports are read (or the report computed) again."""

    def boom(*args, **kwargs):
        raise AssertionError("read from the files although the store has it")

    monkeypatch.setattr(api, "read_dataset", boom)


def test_second_run_reads_the_store_and_says_what_a_cold_run_says(tmp_path, monkeypatch):
    config = shop(tmp_path)
    first = kpis(config)
    report = json.loads(first)
    # October: orders 2, 3, 4 → 10 + 20 + 30; 厨房 gets S1's lines: 10 + order 3's 20 × 5/20
    assert report["metrics"]["gmv"]["value"] == 60
    categories = {r["category"]: r["gmv"] for r in report["breakdowns"]["by_category"]}
    assert categories == {"厨房": 15, "家居": 45}
    (entry,) = entries(config)
    # the first report over these exports read them as a run without the store does (only
    # the months it needs) and kept its result, not the tables
    assert not (entry / "dataset.json").exists()
    assert kpis(config, "--no-cache") == first
    with monkeypatch.context() as m:
        no_reading(m)
        m.setattr(api, "_compute", lambda *a: (_ for _ in ()).throw(AssertionError("computed")))
        assert kpis(config) == first  # byte for byte, from the remembered report
    # a second report over the same exports prepares the tables
    september = json.loads(kpis(config, month="2026-09"))
    assert september["metrics"]["gmv"]["value"] == 5
    assert (
        kpis(config, "--no-cache", month="2026-09")
        == json.dumps(september, ensure_ascii=False, indent=2) + "\n"
    )
    assert entries(config) == [entry]
    assert {"orders.parquet", "order_items.parquet", "dataset.json"} <= {
        p.name for p in entry.iterdir()
    }
    # each buyer's first payment, kept so that a report does not group the history again, in
    # order of time (a report reads the row groups of its span only)
    first_paid = pl.read_parquet(entry / "first_paid.parquet")
    assert first_paid.rows() == [
        ("a", datetime(2026, 9, 20, 10)),
        ("b", datetime(2026, 10, 2, 10)),
        ("c", datetime(2026, 10, 3, 10)),
    ]
    # orders numbered in order of payment, each line with its order's number: a report joins
    # them on that integer
    orders = pl.read_parquet(entry / "orders.parquet").select("order_id", "_order")
    assert orders.rows() == [("1", 0), ("2", 1), ("3", 2), ("4", 3)]
    lines = pl.read_parquet(entry / "order_items.parquet").select("order_id", "sku", "_order")
    lines = lines.sort("order_id", "sku")
    assert lines.rows() == [
        ("1", "S1", 0),
        ("2", "S1", 1),
        ("3", "S1", 2),
        ("3", "S2", 2),
        ("4", "S2", 3),
    ]
    with monkeypatch.context() as m:
        no_reading(m)
        # the reports remembered before the tables were prepared are still remembered
        m.setattr(api, "_compute", lambda *a: (_ for _ in ()).throw(AssertionError("computed")))
        assert kpis(config) == first
        m.undo()
        no_reading(m)
        # another report is computed again, from the prepared tables (not the exports)
        september = json.loads(kpis(config, month="2026-09"))
        assert september["metrics"]["gmv"]["value"] == 5  # order 1, paid on 20 September


def test_a_changed_file_is_read_again_and_a_touched_one_is_not(tmp_path, monkeypatch):
    config = shop(tmp_path)
    kpis(config)
    orders = tmp_path / "orders.csv"
    os.utime(orders, (1_800_000_000, 1_800_000_000))  # same content, new mtime
    with monkeypatch.context() as m:
        no_reading(m)
        assert json.loads(kpis(config))["metrics"]["gmv"]["value"] == 60
    orders.write_text(ORDERS.replace("2026-10-03 10:00:00,30", "2026-10-03 10:00:00,45"))
    assert json.loads(kpis(config))["metrics"]["gmv"]["value"] == 75  # 10 + 20 + 45
    assert len(entries(config)) == 2


def test_a_target_change_recomputes_the_report_from_the_same_tables(tmp_path, monkeypatch):
    config = shop(tmp_path, targets={"2026-10": {"gmv": 120}})
    assert json.loads(kpis(config))["metrics"]["gmv"]["attainment"] == 0.5  # 60 / 120
    body = yaml.safe_load(config.read_text(encoding="utf-8"))
    body["targets"]["2026-10"]["gmv"] = 80
    config.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    kpis(config, month="2026-09")  # a second report over the exports prepares the tables
    with monkeypatch.context() as m:
        no_reading(m)
        assert json.loads(kpis(config))["metrics"]["gmv"]["attainment"] == 0.75  # 60 / 80
    assert len(entries(config)) == 1
    # a mapping change is a new entry
    body["data"]["orders"]["filter"] = [{"column": "paid_amount", "op": "gt", "value": 15}]
    config.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    assert json.loads(kpis(config))["metrics"]["gmv"]["value"] == 50  # 20 + 30
    assert len(entries(config)) == 2


def test_cache_clear_and_the_ways_to_turn_it_off(tmp_path, monkeypatch):
    config = shop(tmp_path)
    kpis(config)
    result = run_cli("cache", "clear", "--config", config)
    assert result.code == 0 and "Removed" in result.out
    assert not (tmp_path / ".shopreport").exists()
    assert "No prepared store" in run_cli("cache", "clear", "--config", config).out
    kpis(config, "--no-cache")
    assert not (tmp_path / ".shopreport").exists()
    monkeypatch.setenv("SHOPREPORT_CACHE", "off")
    kpis(config)
    assert not (tmp_path / ".shopreport").exists()
    monkeypatch.delenv("SHOPREPORT_CACHE")
    (tmp_path / "off").mkdir()
    off = shop(tmp_path / "off", cache=False)
    kpis(off)
    assert not (off.parent / ".shopreport").exists()


def test_a_store_that_cannot_be_written_or_is_damaged_never_fails_a_run(tmp_path):
    config = shop(tmp_path, cache="orders.csv/store")  # a file, not a folder: nothing written
    assert json.loads(kpis(config))["metrics"]["gmv"]["value"] == 60
    config = shop(tmp_path)
    first = kpis(config)
    (entry,) = entries(config)
    for pickled in (entry / "reports").iterdir():
        pickled.write_bytes(b"not a pickle")
    assert kpis(config) == first
    assert (entry / "dataset.json").is_file()  # prepared by the second report over the exports
    (entry / "dataset.json").write_text("{", encoding="utf-8")
    for pickled in (entry / "reports").iterdir():
        pickled.unlink()
    assert kpis(config) == first
    assert json.loads((entry / "dataset.json").read_text(encoding="utf-8"))["format"] == 1


def test_a_config_built_in_memory_keeps_no_store(tmp_path, monkeypatch):
    from shopreport.config import parse_config

    shop(tmp_path)
    monkeypatch.chdir(tmp_path)
    raw = {"shop": "测试店", "data": {"orders": {"path": str(tmp_path / "orders.csv")}}}
    report = api.compute_kpis(parse_config(raw), "2026-10")
    assert report.metrics["gmv"].value == 60
    assert not (tmp_path / ".shopreport").exists()


def test_an_entry_another_run_prepared_meanwhile_is_kept(tmp_path):
    from shopreport.sources import store

    entry = prepare_store(shop(tmp_path))
    written = (entry / "orders.parquet").stat().st_mtime_ns
    other = tmp_path / ".shopreport" / ".other-run"  # the same tables, prepared by a second run
    other.mkdir()
    (other / "dataset.json").write_text("{}", encoding="utf-8")
    store._install(other, entry)
    assert not other.exists()
    assert (entry / "orders.parquet").stat().st_mtime_ns == written
    assert json.loads((entry / "dataset.json").read_text(encoding="utf-8"))["format"] == 1
