"""The annual review: a finished year, a year still running (to date, with time progress),
and the period arithmetic behind it."""

from __future__ import annotations

import re
from datetime import date

import pytest
import yaml

from shopreport import api
from shopreport.metrics.period import Period, year_to_date
from tests.deckcheck import overflowing, slides_text

SECTIONS = ["年度业绩回顾", "关键成就", "问题与挑战", "经验教训", "明年工作计划", "资源与支持需求"]


def test_year_to_date():
    running = year_to_date(2026, date(2026, 11, 20))
    assert (running.kind, running.start, running.end, running.days) == (
        "ytd",
        date(2026, 1, 1),
        date(2026, 11, 20),
        323,
    )
    before = running.last_year()
    assert (before.start, before.end) == (date(2025, 1, 1), date(2025, 11, 20))
    assert running.previous() == before  # a year to date compares with last year's dates
    assert year_to_date(2025, date(2026, 11, 20)) == Period(
        "year", date(2025, 1, 1), date(2026, 1, 1), "2025"
    )


def test_annual_deck(annual_deck):
    texts = slides_text(annual_deck.path)
    assert "2025年度 店铺工作总结" in texts[0]
    for i, title in enumerate(SECTIONS, start=1):
        assert f"{i:02d}" in texts[1] and title in texts[1]
    joined = " ".join(" ".join(t) for t in texts)
    # the demo's data starts in 2024-01: 2025 is compared with the whole of 2024
    kpis = " ".join(texts[3])
    assert "同比 2024" in kpis and "同比 ▲" in kpis
    assert "同比无可比数据" not in joined
    assert "2026年分月GMV目标" in joined
    # the plan's columns name the year reviewed, not "今年" (2026 when the deck is made)
    plan = next(" ".join(t) for t in texts if "2026年分月GMV目标" in t)
    assert "2025年实际" in plan and "较2025年同月" in plan and "今年" not in plan
    assert "建议：2025年同月×增速" in plan
    assert "直播间从0到1搭建" in joined  # achievements from the config
    assert "数据依据" in joined  # lessons beside their evidence
    # 2024 has no year of history before it: its "new" buyers are every buyer, so no segment's
    # own repurchase rate is compared with 2025's (the deck said 40.5% → 26.7%)
    assert "自身的复购率" not in joined
    # a year's conversion counts each buyer once over visitors summed daily: when it is the
    # main effect, the sentence says repeat buying is in it
    if "主要来自转化效应" in joined:
        assert "全年买家按去重计、访客按每日之和计，买家复购的变化也计入其中" in joined
    # the targets' total growth is the total's own (it gave the first proposed month's rate)
    total, actual, growth = re.search(
        r"全年目标合计¥([\d,.]+)万，2025年实际¥([\d,.]+)万（同比\+([\d.]+)%）", plan
    ).groups()
    ratio = float(total.replace(",", "")) / float(actual.replace(",", "")) - 1
    assert float(growth) == pytest.approx(ratio * 100, abs=0.06)
    assert overflowing(annual_deck.path) == []


def test_running_year_is_reported_to_date_against_the_annual_target(demo_shop, tmp_path):
    raw = yaml.safe_load(demo_shop.read_text(encoding="utf-8"))
    raw["targets"]["2026"] = {"gmv": 60_000_000}
    config = tmp_path / "shopreport.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    for table in raw["data"].values():
        table["path"] = str(demo_shop.parent / table["path"])
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    built = api.build_deck(
        config, "annual", "2026", out=tmp_path / "y.pptx", today=date(2026, 11, 20)
    )
    kpi_slide = " ".join(slides_text(built.path)[3])
    assert "时间进度88.5%" in kpi_slide  # 323 of 365 days
    assert "年度目标¥6,000.0万" in kpi_slide


def test_a_sentence_written_in_both_languages_is_said_in_the_decks_language(tmp_path):
    from shopreport.config import Lesson, read_config, written
    from tests.conftest import write_shop

    config = write_shop(
        tmp_path,
        {"o.csv": "order_id,customer_id,order_time,paid_amount\n1,a,2025-10-01 10:00:00,10\n"},
        {"orders": {"path": "o.csv"}},
        lessons={"2025": [{"text": {"zh-CN": "尺码要标准化", "en": "Standard sizing"}}]},
        plans={"2025-10": ["只写了中文", {"zh-CN": "备货", "en": "Stock up"}]},
    )
    cfg = read_config(config)
    (lesson,) = cfg.lessons["2025"]
    assert isinstance(lesson, Lesson)
    assert written(lesson.text, "en") == "Standard sizing"
    assert written(lesson.text, "zh-CN") == "尺码要标准化"
    plain, both = cfg.plans["2025-10"]
    assert written(plain, "en") == "只写了中文"  # one language only: as written
    assert (written(both, "en"), written(both, "zh-CN")) == ("Stock up", "备货")
