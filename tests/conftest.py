"""Shared test helpers: tiny shops written as real files in a temporary folder."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest
import yaml

from shopreport import api
from shopreport.config import read_config

SHARED = Path(__file__).resolve().parents[2] / "shared"


def write_shop(folder: Path, files: dict[str, str], data: dict, **config) -> Path:
    """Write CSV files (dedented text) and a shopreport.yaml naming them; return the config path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    body = {"shop": "测试店", "data": data, **config}
    path = folder / "shopreport.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def kpis(config_path: Path, month: str = "2026-10", today: date = date(2026, 11, 20), **kw):
    """Compute the KPI report of a month (today fixed so the month is complete)."""
    return api.compute_kpis(read_config(config_path), month, today=today, **kw)


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip when this checkout has no shared folder beside it."""
    folder = SHARED / "data"
    if not folder.is_dir():
        pytest.skip(f"real datasets not present at {folder}")
    return folder


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
    api.build_deck(demo_shop, "2026-10", out=out, today=DECK_DAY)
    return out


@pytest.fixture(scope="session")
def campaign_deck(demo_shop, tmp_path_factory):
    out = tmp_path_factory.mktemp("campaign_deck") / "c.pptx"
    return api.build_deck(demo_shop, out=out, campaign="double11-2025", today=DECK_DAY)


@pytest.fixture(scope="session")
def annual_deck(demo_shop, tmp_path_factory):
    out = tmp_path_factory.mktemp("annual") / "y.pptx"
    return api.build_deck(demo_shop, out=out, year="2025", today=DECK_DAY)
