"""The command line as a user runs it: a real process, exit codes, no tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from shopreport.metrics import METRICS
from tests.conftest import SHARED, run_cli, write_shop

ROOT = Path(__file__).resolve().parents[1]

# The metric ids of ../shared/docs/metrics.md (its tables, Marketing line and service table).
METRICS_MD = [
    "gmv",
    "refund_amount",
    "net_sales",
    "paid_orders",
    "buyers",
    "aov",
    "order_value",
    "visitors",
    "conversion",
    "uv_value",
    "cart_rate",
    "returning_buyers",
    "returning_share",
    "new_buyers",
    "repurchase_rate",
    "refund_rate",
    "gross_margin",
    "units",
    "sell_through",
    "stock_value",
    "turnover_days",
    "stockout_skus",
    "slow_movers",
    "days_of_cover",
    "reorder_qty",
    "roas",
    "ctr",
    "cpc",
    "cac",
    "first_response_s",
    "resolution_rate",
    "satisfaction_rate",
    "bot_share",
    "inquiry_conversion",
    "avg_rating",
    "bad_review_rate",
]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m shopreport ARGS` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "shopreport", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A small demo shop (1,500 orders a month) written by the CLI."""
    folder = tmp_path_factory.mktemp("demo")
    result = run("demo", str(folder), "--orders-per-month", "1500", "--no-deck")
    assert result.returncode == 0, result.stderr
    return folder / "shopreport.yaml"


def test_registry_covers_metrics_md():
    assert set(METRICS_MD) <= set(METRICS)
    doc = SHARED / "docs" / "metrics.md"
    if doc.is_file():  # the reference itself, when the shared folder is beside the repo
        ids = set(re.findall(r"^\| ([a-z_]+) \|", doc.read_text(encoding="utf-8"), flags=re.M))
        ids = (ids - {"id"}) | {"roas", "ctr", "cpc", "cac"}
        assert ids <= set(METRICS), ids - set(METRICS)


def test_kpis_json_on_the_demo_shop(demo):
    result = run("kpis", "--config", str(demo), "--month", "2026-10", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc) == [
        "shop",
        "currency",
        "period",
        "metrics",
        "decomposition",
        "breakdowns",
        "coverage",
        "notes",
    ]
    for metric in METRICS_MD:
        record = doc["metrics"][metric]
        assert list(record)[:7] == [
            "value",
            "previous",
            "mom",
            "last_year",
            "yoy",
            "target",
            "attainment",
        ]
        assert record["unavailable"] is None, (metric, record["unavailable"])
        assert record["value"] is not None, metric
    gmv = doc["metrics"]["gmv"]
    assert gmv["mom"] == pytest.approx(gmv["value"] / gmv["previous"] - 1)
    assert gmv["attainment"] == pytest.approx(gmv["value"] / gmv["target"])
    for name in ("by_category", "by_source", "by_province", "rfm", "cohorts"):
        assert doc["breakdowns"][name], name
    effects = doc["decomposition"]["mom"]["effects"]
    assert sum(effects.values()) == pytest.approx(doc["decomposition"]["mom"]["delta"])
    again = run("kpis", "--config", str(demo), "--month", "2026-10", "--format", "json")
    assert again.stdout == result.stdout  # stable output


def test_kpis_table(demo):
    result = run("kpis", "--config", str(demo), "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    assert "支付金额" in result.stdout and "环比" in result.stdout


def test_demo_is_deterministic(tmp_path, demo):
    result = run("demo", str(tmp_path), "--orders-per-month", "1500", "--no-deck")
    assert result.returncode == 0
    # orders, lines, reviews and inventory as monthly hive partitions, products as one file
    for table in ("orders", "order_items", "reviews", "inventory", "products.parquet"):
        mine = pl.read_parquet(tmp_path / "data" / table)
        theirs = pl.read_parquet(demo.parent / "data" / table)
        assert mine.equals(theirs), table
    other = run(
        "demo", str(tmp_path / "other"), "--orders-per-month", "1500", "--seed", "8", "--no-deck"
    )
    assert other.returncode == 0
    assert not pl.read_parquet(tmp_path / "other" / "data" / "orders").equals(
        pl.read_parquet(tmp_path / "data" / "orders")
    )


@pytest.mark.slow
def test_demo_end_moves_the_window(tmp_path):
    result = run(
        "demo", str(tmp_path), "--orders-per-month", "200", "--end", "2025-06", "--months", "13"
    )
    assert result.returncode == 0, result.stderr
    orders = pl.read_parquet(tmp_path / "data" / "orders")
    assert str(orders["order_time"].min())[:7] == "2024-06"
    assert str(orders["order_time"].max())[:7] == "2025-06"
    # the demo also builds the deck of its last month
    assert (tmp_path / "悦享生活旗舰店_2025-06_月度总结.pptx").is_file()
    assert "Deck written:" in result.stdout
    # and says how to build the others: the last whole ISO week of June 2025 is 23–29 June
    assert "--week 2025-W26" in result.stdout and "--year 2024" in result.stdout
    assert "--review 2025-Q2" in result.stdout  # June closes the second quarter


def test_demo_keeps_a_real_config_and_offers_only_decks_its_data_covers(tmp_path):
    """A folder holding the user's own shopreport.yaml is not written over (exit 2, the file
    as it was); three months of data (April–June 2025) offer the week, the quarter and the
    618 campaign, not the year 2024 ("No paid orders in 2024"); fewer than three months are
    refused by the option."""
    own = tmp_path / "shop"
    own.mkdir()
    (own / "shopreport.yaml").write_text("shop: My Real Shop\n", encoding="utf-8")
    kept = run_cli("demo", own, "--no-deck", "--months", "3", "--orders-per-month", "10")
    assert kept.code == 2 and "is not a demo's config" in kept.err
    assert (own / "shopreport.yaml").read_text(encoding="utf-8") == "shop: My Real Shop\n"
    assert not (own / "data").exists()
    small = run_cli(
        "demo",
        tmp_path / "d",
        "--no-deck",
        "--months",
        "3",
        "--orders-per-month",
        "20",
        "--end",
        "2025-06",
    )
    assert small.code == 0, small.err
    offered = [line.split(".yaml ")[1] for line in small.out.splitlines() if "build" in line]
    assert offered == ["--week 2025-W26", "--review 2025-Q2", "--campaign 618-2025"]
    again = run_cli("demo", tmp_path / "d", "--no-deck", "--months", "3", "--end", "2025-06")
    assert again.code == 0, again.err  # a demo's own config is written anew
    assert run_cli("demo", tmp_path / "e", "--no-deck", "--months", "2").code == 2


def test_schema_is_json_schema():
    result = run_cli("schema")
    schema = json.loads(result.out)
    assert schema["title"] == "Config" and "data" in schema["properties"]
    assert schema["additionalProperties"] is False


def test_config_error_exits_2_without_traceback(tmp_path):
    config = write_shop(tmp_path, {}, {"orders": {"path": "o.csv", "colums": {}}})
    result = run("kpis", "--config", str(config), "--month", "2026-10")
    assert result.returncode == 2
    assert "did you mean 'columns'" in result.stderr
    assert "Traceback" not in result.stderr


def test_data_error_exits_1_and_debug_shows_traceback(tmp_path):
    config = write_shop(
        tmp_path,
        {"orders.csv": "order_id,customer_id,order_time,paid_amount\n1,a,bad,1\n"},
        {"orders": {"path": "orders.csv"}},
    )
    result = run("kpis", "--config", str(config), "--month", "2026-10")
    assert result.returncode == 1
    assert "line 2, column order_time" in result.stderr and "Traceback" not in result.stderr
    debug = run("--debug", "kpis", "--config", str(config), "--month", "2026-10")
    assert debug.returncode == 1 and "Traceback" in debug.stderr
    after = run("kpis", "--config", str(config), "--month", "2026-10", "--debug")  # at the end
    assert after.returncode == 1 and "Traceback" in after.stderr


def test_bad_month_and_missing_config(tmp_path):
    result = run_cli("kpis", "--config", tmp_path / "nope.yaml", "--month", "2026-10")
    assert result.code == 2 and "not found" in result.err and "shopreport demo" in result.err
    config = write_shop(tmp_path, {}, {"orders": {"path": "o.csv"}})
    result = run_cli("kpis", "--config", config, "--month", "October")
    assert result.code == 2 and "YYYY-MM" in result.err


def test_every_command_has_help():
    for command in ("demo", "kpis", "build", "validate", "schema"):
        result = run_cli(command, "--help")
        assert result.code == 0 and "Usage:" in result.out, command
    build = run_cli("build", "--help").out
    # one per registered deck kind
    for option in ("--month", "--week", "--review", "--year", "--campaign"):
        assert option in build


def test_build_needs_exactly_one_deck(tmp_path):
    config = write_shop(tmp_path, {}, {"orders": {"path": "o.csv"}})
    result = run_cli("build", "--config", config)
    assert (
        result.code == 2
        and "exactly one of: --month YYYY-MM, --week YYYY-Www, --review PERIOD, --year YYYY, "
        "--campaign KEY"
        in result.err
    )
    result = run_cli("build", "--config", config, "--month", "2026-10", "--year", "2026")
    assert result.code == 2 and "exactly one of" in result.err


def test_schema_of_the_report():
    schema = json.loads(run_cli("schema", "--report").out)
    assert schema["properties"]["breakdowns"]["properties"]["by_category"]["items"]["required"][
        :2
    ] == ["category", "gmv"]


def test_only_the_installed_command_freezes_the_collector_at_exit():
    """`shopreport` (and `python -m shopreport`) freeze Python's collector as they exit; `main`,
    which tests and scripts call in one process, must not (frozen objects are never freed)."""
    import gc
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "shopreport"]
    assert script.value == "shopreport.cli:entry"
    before = gc.get_freeze_count()
    assert run_cli("--help").code == 0
    assert gc.get_freeze_count() == before
