"""Hostile input and environments (issue 12): never a silently wrong deck, never a hung cron
job. Each rule through the command line, on real files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import yaml

from tests.conftest import prepare_store, run_cli

ORDERS = (
    "order_id,customer_id,order_time,paid_amount\n"
    "1,a,2026-10-01 10:00:00,10\n2,b,2026-10-02 10:00:00,20\n3,c,2026-10-03 10:00:00,30\n"
)


def shop(folder: Path, files: dict[str, str | bytes], data: dict | None = None, **config) -> Path:
    """Write files and a config naming them; return the config path."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    body = {"shop": "测试店", "data": data or {"orders": {"path": "orders.csv"}}, **config}
    path = folder / "shopreport.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def kpis_json(config: Path) -> dict:
    import json

    result = run_cli("kpis", "--config", config, "--month", "2026-10", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


TRAFFIC = "date,source,visitors\n2026-10-01,搜索,100\n2026-10-02,搜索,200\n"


def test_a_file_reached_twice_through_a_link_is_read_once(tmp_path):
    config = shop(
        tmp_path,
        {"orders.csv": ORDERS, "traffic/2026-10/traffic.csv": TRAFFIC},
        {"orders": {"path": "orders.csv"}, "traffic": {"path": "traffic/**/*.csv"}},
    )
    os.symlink("2026-10", tmp_path / "traffic" / "latest")  # latest -> 2026-10
    os.symlink(".", tmp_path / "traffic" / "2026-10" / "loop")  # a link loop
    report = kpis_json(config)
    assert report["metrics"]["visitors"]["value"] == 300  # 100 + 200, not doubled
    result = run_cli("validate", "--config", config)
    assert "name a file already read and were skipped" in result.out


def test_two_rows_for_one_day_and_source_are_an_error_naming_both_files(tmp_path):
    config = shop(
        tmp_path,
        {
            "orders.csv": ORDERS,
            "t/a.csv": TRAFFIC,
            "t/b.csv": "date,source,visitors\n2026-10-02,搜索,200\n",
        },
        {"orders": {"path": "orders.csv"}, "traffic": {"path": "t/*.csv"}},
    )
    result = run_cli("validate", "--config", config)
    assert result.code == 1
    assert (
        "a.csv, line 3 and " in result.out
        and "b.csv, line 2: two rows for date 2026-10-02" in result.out
    )


def test_nan_and_na_amounts_are_errors_not_zero(tmp_path):
    pl.DataFrame(
        {
            "order_id": ["1", "2"],
            "customer_id": ["a", "b"],
            "order_time": ["2026-10-01 10:00:00", "2026-10-02 10:00:00"],
            "paid_amount": [10.0, float("nan")],
        }
    ).write_parquet(tmp_path / "orders.parquet")
    config = shop(tmp_path, {}, {"orders": {"path": "orders.parquet"}})
    result = run_cli("kpis", "--config", config, "--month", "2026-10")
    assert result.code == 1
    assert "orders.parquet, line 3, column paid_amount: 'NaN' is not a number" in result.err
    csv = ORDERS.replace(",30\n", ",N/A\n")
    config = shop(tmp_path, {"orders.csv": csv})
    result = run_cli("kpis", "--config", config, "--month", "2026-10")
    assert result.code == 1
    assert "orders.csv, line 4, column paid_amount: the value is empty" in result.err


def test_an_empty_table_is_unavailable_not_zero(tmp_path):
    config = shop(
        tmp_path,
        {"orders.csv": ORDERS, "traffic.csv": "date,source,visitors\n"},
        {"orders": {"path": "orders.csv"}, "traffic": {"path": "traffic.csv"}},
    )
    report = kpis_json(config)
    assert report["metrics"]["visitors"]["value"] is None
    assert report["metrics"]["visitors"]["unavailable"]
    assert any("header and no rows" in n for n in report["notes"])
    checked = run_cli("validate", "--config", config)  # named there too, not silently dropped
    assert checked.code == 0
    assert "traffic [ok]\n  file: " in checked.out and "traffic.csv\n  rows: 0\n" in checked.out
    assert "read as: a header and no rows: the table is left out" in checked.out


def test_ambiguous_input_is_refused(tmp_path):
    # two columns with one header
    config = shop(tmp_path, {"orders.csv": ORDERS.replace("paid_amount", "paid_amount,order_id")})
    result = run_cli("kpis", "--config", config, "--month", "2026-10")
    assert result.code == 1
    assert "the header 'order_id' appears 2 times (columns 1 and 5)" in result.err
    # a key given twice in the config
    (tmp_path / "twice.yaml").write_text(
        "shop: a\ndata:\n  orders: {path: orders.csv}\n"
        "targets: {}\ntargets: {'2026-10': {gmv: 1}}\n"
    )
    result = run_cli("validate", "--config", tmp_path / "twice.yaml")
    assert result.code == 2
    assert "the key 'targets' is given twice (lines 4 and 5)" in result.err
    # a campaign compared with itself
    phases = [{"name": "爆发", "start": "2026-11-01", "end": "2026-11-11"}]
    config = shop(
        tmp_path,
        {"orders.csv": ORDERS},
        campaigns={"d11": {"phases": phases, "compare_with": "d11"}},
    )
    result = run_cli("validate", "--config", config)
    assert result.code == 2 and "campaign 'd11' compares with itself" in result.err


def test_implausible_amounts_warn_and_fail_strict_validation(tmp_path):
    config = shop(tmp_path, {"orders.csv": ORDERS.replace(",30\n", ",1e300\n")})
    result = run_cli("validate", "--config", config)
    assert result.code == 0
    assert "line 4, column paid_amount: '1e300' is not a plausible order amount" in result.out
    assert run_cli("validate", "--config", config, "--strict").code == 1


def test_a_fifo_in_the_data_folder_is_never_opened(tmp_path):
    config = shop(
        tmp_path,
        {"data/orders.csv": ORDERS},
        {"orders": {"path": "data"}},
    )
    os.mkfifo(tmp_path / "data" / "orders_pipe.csv")
    started = time.monotonic()
    report = kpis_json(config)
    assert report["metrics"]["gmv"]["value"] == 60
    assert time.monotonic() - started < 60


def test_config_errors_have_their_own_messages(tmp_path):
    (tmp_path / "orders.csv").write_text(ORDERS)
    bomb = (
        "shop: a\ndata:\n  orders:\n    path: orders.csv\n    derive:\n"
        '      a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        + "".join(
            f"      {c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
    )
    (tmp_path / "bomb.yaml").write_text(bomb)
    started = time.monotonic()
    result = run_cli("validate", "--config", tmp_path / "bomb.yaml")
    assert result.code == 2 and "expand to more than 100,000 values" in result.err
    assert time.monotonic() - started < 60
    huge = {
        "shop": "a",
        "data": {"orders": {"path": "orders.csv", "derive": {"x": {"value": "x" * 30_000}}}},
    }
    (tmp_path / "huge.yaml").write_text(yaml.safe_dump(huge))
    result = run_cli("validate", "--config", tmp_path / "huge.yaml")
    assert result.code == 2 and "derive steps are 30,020 characters long" in result.err
    (tmp_path / "date.yaml").write_text(
        "shop: a\ndata: {orders: {path: orders.csv}}\ncampaigns:\n  c:\n    phases:\n"
        "      - {name: 爆发, start: 2026-13-01, end: 2026-11-11}\n"
    )
    result = run_cli("validate", "--config", tmp_path / "date.yaml")
    assert (
        result.code == 2 and "line 6" in result.err and "'2026-13-01' is not a date" in result.err
    )
    config = shop(tmp_path, {"orders.csv": ORDERS})
    result = run_cli("kpis", "--config", config, "--month", "9999-12")
    assert result.code == 2 and "choose a month from 1970 to 2100" in result.err
    result = run_cli("build", "--config", config, "--year", "0000")
    assert result.code == 2 and "choose a year from 1970 to 2100" in result.err


def test_a_utf16_export_is_read(tmp_path):
    config = shop(tmp_path, {"orders.csv": ORDERS.encode("utf-16")})
    assert kpis_json(config)["metrics"]["gmv"]["value"] == 60


def test_a_long_product_name_is_cut_quickly(monkeypatch):
    from shopreport.render import pptx
    from shopreport.render.theme import load_theme

    measured: list[int] = []

    def counted(text, size, font):
        measured.append(len(text))
        return real(text, size, font)

    real = pptx.text_width
    monkeypatch.setattr(pptx, "text_width", counted)
    cut = pptx._truncate_cell("超长商品名" * 1000, 200.0, 10.0, False, load_theme())
    assert cut.endswith("…") and len(cut) < 60
    # the 5,000 characters are measured once; then no glyph being narrower than a quarter of
    # 10 pt, only 200 / 2.5 + 1 = 81 characters are tried, by bisection: 7 more measures
    assert measured[0] == 5000 and len(measured) <= 8 and max(measured[1:]) <= 82


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from shopreport.cli import main; main()", *args]


HELD = """
import os, pathlib, time
from shopreport.render import pptx
real = pptx.atomic_write
def held(path, write):
    def slowly(temp):
        write(temp)  # the deck is in its temporary file; the run is held there
        pathlib.Path(os.environ["HELD_MARKER"]).touch()
        time.sleep(600)
    real(path, slowly)
pptx.atomic_write = held
from shopreport.cli import main
main()
"""


@pytest.mark.slow
def test_sigterm_and_timeout_stop_cleanly(small_shop, tmp_path):
    """The run is held with its deck written to the temporary file (not by timing: a fast
    machine finishes a small build before any fixed delay), then stopped."""
    out, marker = tmp_path / "out", tmp_path / "held"
    out.mkdir()
    args = ["build", "--config", str(small_shop), "--month", "2026-10", "--out", str(out), "-q"]
    held = [sys.executable, "-c", HELD, *args]
    env = {**os.environ, "HELD_MARKER": str(marker)}
    child = subprocess.Popen(held, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 300
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists(), "the build never reached the writing of the deck"
    assert [p.suffix for p in out.iterdir()] == [".tmp"]  # the deck, not yet renamed
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 128 + signal.SIGTERM, err
    assert "Stopped by SIGTERM; nothing was written." in err
    assert list(out.iterdir()) == []  # no deck, no temporary file
    marker.unlink()
    done = subprocess.run(
        [*held, "--timeout", "1"], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 1
    assert "stopped after 1 s (--timeout) while" in done.stderr
    assert list(out.iterdir()) == []


@pytest.mark.slow
def test_quiet_means_quiet_with_an_unwritable_home(small_shop, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o500)
    env = {k: v for k, v in os.environ.items() if k not in ("MPLCONFIGDIR", "XDG_CONFIG_HOME")}
    env["HOME"] = str(home)
    done = subprocess.run(
        _command(
            "build", "--config", str(small_shop), "--month", "2026-10", "--out", str(tmp_path), "-q"
        ),
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout == ""


def test_a_full_disk_names_the_path_and_leaves_the_old_deck(tmp_path):
    import errno

    from shopreport.errors import RunError
    from shopreport.render.pptx import atomic_write

    deck = tmp_path / "deck.pptx"
    deck.write_bytes(b"the previous deck")

    def write(path: Path) -> None:
        path.write_bytes(b"x" * 2_000_000)
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(RunError, match=r"deck.pptx: the disk is full .* needs more than 2.0 MB"):
        atomic_write(deck, write)
    assert deck.read_bytes() == b"the previous deck"
    assert [p.name for p in tmp_path.iterdir()] == ["deck.pptx"]


def test_a_killed_runs_temporary_files_are_removed_by_the_next(tmp_path):
    from shopreport.render.pptx import atomic_write

    stale, fresh = tmp_path / ".deck.abc123.tmp", tmp_path / ".deck.def456.tmp"
    stale.write_bytes(b"")
    fresh.write_bytes(b"")  # another run's, still writing
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    atomic_write(tmp_path / "deck.pptx", lambda path: path.write_bytes(b"deck"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".deck.def456.tmp", "deck.pptx"]


@pytest.mark.parametrize(
    ("quantity", "raw"),
    [
        (pl.Series([Decimal("1"), Decimal("1.5"), Decimal("2")], dtype=pl.Decimal(10, 1)), "1.5"),
        (pl.Series([1, 2**64 - 1, 2], dtype=pl.UInt64), "18446744073709551615"),
    ],
)
def test_a_typed_quantity_that_is_no_whole_number_is_a_bad_value(tmp_path, quantity, raw):
    """Parquet integer and decimal columns that do not fit a whole number of 64 bits are bad
    values of their line, not empty ones."""
    orders = pl.read_csv(ORDERS.encode(), schema_overrides={"order_id": pl.String})
    orders.write_parquet(tmp_path / "orders.parquet")
    pl.DataFrame(
        {"order_id": ["1", "2", "3"], "sku": ["A", "B", "C"], "quantity": quantity}
    ).write_parquet(tmp_path / "items.parquet")
    config = shop(
        tmp_path,
        {},
        {"orders": {"path": "orders.parquet"}, "order_items": {"path": "items.parquet"}},
    )
    result = run_cli("kpis", "--config", config, "--month", "2026-10")
    assert result.code == 1
    assert f"items.parquet, line 3, column quantity: '{raw}' is not a whole number" in result.err


ITEMS_OF_NUMBERS = (
    "order_id,sku,quantity,amount\n"
    "1,A,1,4\n1,B,2,6\n"
    "01,A,5,50\n"  # not order 1: another id, written with a leading zero
    "+2,A,7,70\n"  # nor is this order 2
    "2,B,3,20\n"
    "A-4,A,1,40\n"  # the line of order A-4, where the orders have it
)


@pytest.mark.parametrize("store", [False, True], ids=["files", "store"])
@pytest.mark.parametrize("text_id", [False, True], ids=["numbers", "a-text-id"])
def test_lines_join_their_orders_by_the_id_as_written(tmp_path, monkeypatch, text_id, store):
    """Order numbers join as numbers (cheaper than text) only when every order id is one; an
    id written otherwise ('01', '+2') matches no order either way, read from the files or
    from the prepared store."""
    from shopreport.api import load
    from shopreport.config import read_config

    extra_order = "A-4,d,2026-10-04 10:00:00,40\n" if text_id else ""
    config = shop(
        tmp_path,
        {"orders.csv": ORDERS + extra_order, "order_items.csv": ITEMS_OF_NUMBERS},
        {"orders": {"path": "orders.csv"}, "order_items": {"path": "order_items.csv"}},
    )
    assert load(read_config(config)).numbered_orders is not text_id
    if store:
        monkeypatch.delenv("SHOPREPORT_CACHE", raising=False)
        assert (prepare_store(config) / "order_items.parquet").is_file()
    report = kpis_json(config)
    assert (tmp_path / ".shopreport").is_dir() is store
    # order 1's 10 split 4 : 6 over its lines; order 2's 20 all on its one line; A-4's 40 on
    # its line when there is such an order
    units, a_units, a_gmv = (7, 2, 44.0) if text_id else (6, 1, 4.0)
    assert report["metrics"]["units"]["value"] == units
    products = {row["sku"]: row for row in report["breakdowns"]["products"]}
    assert (products["A"]["units"], products["A"]["gmv"]) == (a_units, a_gmv)
    assert (products["B"]["units"], products["B"]["gmv"]) == (5, 26.0)


@pytest.mark.parametrize("store", [False, True], ids=["files", "store"])
def test_buyers_sharing_a_hash_are_still_told_apart(tmp_path, monkeypatch, store):
    """Buyers are grouped by their id's 64-bit hash only when no two of them share one: with a
    hash that gives a, b and c the same number, the report counts them by their ids, whether
    the hashes are counted by the report or by the prepared store when it is written."""
    import shopreport.metrics.base as base
    import shopreport.sources.store as prepared
    from tests.conftest import kpis

    config = shop(tmp_path, {"orders.csv": ORDERS})
    assert kpis(config).metrics["buyers"].value == 3
    same = lambda: pl.col("customer_id").str.len_bytes().cast(pl.UInt64)  # noqa: E731
    monkeypatch.setattr(base, "buyer_hash", same)  # as the report and the store read it
    monkeypatch.setattr(prepared, "buyer_hash", same)
    if store:
        monkeypatch.delenv("SHOPREPORT_CACHE", raising=False)
        prepare_store(config)  # the store counts the hashes when it is written
    report = kpis(config)
    assert (tmp_path / ".shopreport").is_dir() is store
    assert report.metrics["buyers"].value == 3  # a, b, c: not one buyer
    assert report.breakdowns["monthly"]["buyers"].to_list()[-1] == 3
