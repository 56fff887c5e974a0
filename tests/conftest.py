"""Shared test helpers: tiny shops written as real files in a temporary folder."""

from __future__ import annotations

import io
import os
import sys
import textwrap
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from shopreport import api
from shopreport.config import read_config

SHARED = Path(__file__).resolve().parents[2] / "shared"

# The prepared store (.shopreport/ beside a config) is off for the suite, so that runs on the
# samples in this repository write nothing there; tests/test_store.py turns it on.
os.environ.setdefault("SHOPREPORT_CACHE", "off")


def write_shop(folder: Path, files: dict[str, str], data: dict, **config) -> Path:
    """Write CSV files (dedented text) and a shopreport.yaml naming them; return the config path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    body = {"shop": "测试店", "data": data, **config}
    path = folder / "shopreport.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def prepare_store(config_path: Path) -> Path:
    """Prepare the shop's store now, as the second report over the same exports does (the first
    reads them as a run without the store does: `reads_plainly`); the store must be on. Returns
    the entry's folder."""
    from shopreport.sources.store import open_store, reads_plainly

    cfg = read_config(config_path)
    store = open_store(cfg)
    assert store is not None, "the store is off"
    reads_plainly(store)
    assert api.load(cfg, store).prepared
    return store.entry


def monthly_orders() -> list[tuple[str, str, datetime]]:
    """One order on the 15th of each month 2015-01 … 2026-10 (142), by A, B and C in turn:
    (order id, buyer, time). The tests of a report's range work out their figures from it."""
    months = [(y, m) for y in range(2015, 2027) for m in range(1, 13) if (y, m) <= (2026, 10)]
    return [(f"o{i}", "ABC"[i % 3], datetime(y, m, 15, 10)) for i, (y, m) in enumerate(months)]


def kpis(config_path: Path, month: str = "2026-10", today: date = date(2026, 11, 20), **kw):
    """Compute the KPI report of a month (today fixed so the month is complete)."""
    return api.compute_kpis(read_config(config_path), month, today=today, **kw)


@pytest.fixture
def shared_data() -> Path:
    """../shared/data: CI always has it beside the clone (a missing folder fails there); a
    checkout without it skips the real-data tests."""
    folder = SHARED / "data"
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(
                f"real datasets not present at {folder}: "
                "CI must run with ../shared beside the clone"
            )
        pytest.skip(f"real datasets not present at {folder}")
    return folder


# Tests that use these fixtures build whole decks or a 34-month demo shop: they are `slow`, and
# `python -m pytest -m "not slow"` leaves them out (CI runs everything).
SLOW_FIXTURES = {
    "deck",
    "deck_en",
    "annual_deck",
    "campaign_deck",
    "weekly_deck",
    "weekly_deck_en",
    "review_deck",
    "review_deck_en",
    "portfolio_deck",
    "demo_shop",
    "demo",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that need a slow fixture as slow."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def small_shop(tmp_path_factory) -> Path:
    """A small demo shop (300 orders a month, 34 months): every table, every deck kind, fast."""
    return api.make_demo(tmp_path_factory.mktemp("small_shop"), orders_per_month=300)


DECK_DAY = date(2026, 11, 20)


@pytest.fixture(scope="session")
def demo_shop(tmp_path_factory) -> Path:
    """A small demo shop (2,000 orders a month), shared by the deck tests."""
    folder = tmp_path_factory.mktemp("demo_deck")
    return api.make_demo(folder, orders_per_month=2000)


@pytest.fixture(scope="session")
def deck(demo_shop, tmp_path_factory) -> Path:
    """The demo shop's October deck in Chinese."""
    out = tmp_path_factory.mktemp("deck") / "deck.pptx"
    api.build_deck(demo_shop, "monthly", "2026-10", out=out, today=DECK_DAY)
    return out


@pytest.fixture(scope="session")
def deck_en(demo_shop, tmp_path_factory) -> Path:
    """The demo shop's October deck in English."""
    out = tmp_path_factory.mktemp("deck_en") / "deck.pptx"
    api.build_deck(demo_shop, "monthly", "2026-10", out=out, language="en", today=DECK_DAY)
    return out


@pytest.fixture(scope="session")
def campaign_deck(demo_shop, tmp_path_factory):
    out = tmp_path_factory.mktemp("campaign_deck") / "c.pptx"
    return api.build_deck(demo_shop, "campaign", "double11-2025", out=out, today=DECK_DAY)


@pytest.fixture(scope="session")
def annual_deck(demo_shop, tmp_path_factory):
    out = tmp_path_factory.mktemp("annual") / "y.pptx"
    return api.build_deck(demo_shop, "annual", "2025", out=out, today=DECK_DAY)


@pytest.fixture(scope="session")
def weekly_deck(demo_shop, tmp_path_factory):
    out = tmp_path_factory.mktemp("weekly") / "w.pptx"
    return api.build_deck(demo_shop, "weekly", "2026-W43", out=out, today=DECK_DAY)


@pytest.fixture(scope="session")
def weekly_deck_en(demo_shop, tmp_path_factory):
    out = tmp_path_factory.mktemp("weekly_en") / "w.pptx"
    return api.build_deck(demo_shop, "weekly", "2026-W43", out=out, language="en", today=DECK_DAY)


@pytest.fixture(scope="session")
def portfolio_deck(tmp_path_factory) -> Path:
    """The portfolio deck of three small demo shops (`demo --shops 3`), built two at a time."""
    from shopreport import batch

    folder = tmp_path_factory.mktemp("portfolio")
    configs = api.make_portfolio_demo(folder, 3, orders_per_month=300)
    built = batch.build_portfolio(
        configs, "2026-10", folder / "portfolio.yaml", out=folder, jobs=2, today=DECK_DAY
    )
    return built.path


@pytest.fixture(scope="session")
def review_deck(demo_shop, tmp_path_factory):
    out = tmp_path_factory.mktemp("review") / "r.pptx"
    return api.build_deck(demo_shop, "review", "2026-Q3", out=out, today=DECK_DAY)


@pytest.fixture(scope="session")
def review_deck_en(demo_shop, tmp_path_factory):
    out = tmp_path_factory.mktemp("review_en") / "r.pptx"
    return api.build_deck(demo_shop, "review", "2026-Q3", out=out, language="en", today=DECK_DAY)


@dataclass(frozen=True)
class Run:
    """What a command printed and its exit status."""

    code: int
    out: str
    err: str


def run_cli(*args: object) -> Run:
    """Run `shopreport ARGS` through its real entry point (`shopreport.cli.main`, which turns
    errors into messages and exit statuses), in this process: the same code path as the
    installed command without a new interpreter's start-up per test. A few tests in
    test_cli.py run the command as a real child process."""
    from shopreport import cli

    out, err = io.StringIO(), io.StringIO()
    argv, sys.argv = sys.argv, ["shopreport", *map(str, args)]
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
    # every error a user can cause has its own message: the catch-all is never reached
    assert "unexpected" not in err.getvalue(), err.getvalue()
    return Run(code, out.getvalue(), err.getvalue())
