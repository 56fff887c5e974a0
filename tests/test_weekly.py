"""The weekly report (周报): ISO weeks (year ends, W53), the week against last week and the same
ISO week last year, the month's pace, and the deck on a hand-built shop and on the demo."""

from __future__ import annotations

import re
from datetime import date

import pytest
from pptx import Presentation

from shopreport import api
from shopreport.config import read_config
from shopreport.errors import ConfigError
from shopreport.metrics import schema as S
from shopreport.metrics.period import Period, parse_week
from shopreport.metrics.weekly import compute_weekly
from tests.conftest import run_cli, write_shop
from tests.deckcheck import overflowing, slides_text

TZ = "Asia/Shanghai"


def test_iso_weeks_across_year_ends():
    # 2026-W01 starts on Monday 29 December 2025 (1 January 2026 is a Thursday)
    w01 = parse_week("2026-W01", TZ)
    assert (w01.start, w01.end, w01.label) == (date(2025, 12, 29), date(2026, 1, 5), "2026-W01")
    assert w01.previous().label == "2025-W52"
    assert (w01.previous().start, w01.previous().end) == (date(2025, 12, 22), date(2025, 12, 29))
    # the same ISO week last year: 2025-W01 = 30 Dec 2024 – 5 Jan 2025
    assert (w01.last_year().start, w01.last_year().label) == (date(2024, 12, 30), "2025-W01")
    # 2020 and 2026 start on a Wednesday (leap year) and a Thursday: they have a W53
    w53 = parse_week("2020-W53", TZ)
    assert (w53.start, w53.last_day) == (date(2020, 12, 28), date(2021, 1, 3))
    assert w53.last_year().label == "2019-W52"  # 2019 has no W53: its last week instead
    assert parse_week("2026w53", TZ).start == date(2026, 12, 28)
    for text, message in [
        ("2021-W53", "2021 has 52 ISO weeks"),
        ("2025-W53", "2025 has 52 ISO weeks"),
        ("2026-W00", "2026 has 53 ISO weeks"),
        ("2026-44", "not an ISO week"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_week(text, TZ)


def test_previous_week_is_the_last_complete_one():
    assert parse_week("previous", TZ, date(2026, 11, 23)).label == "2026-W47"  # a Monday
    assert parse_week("previous", TZ, date(2027, 1, 3)).label == "2026-W52"  # a Sunday in W53
    assert parse_week("previous", TZ, date(2027, 1, 4)).label == "2026-W53"


ORDERS = """
order_id,customer_id,order_time,paid_amount
ly1,a,2024-12-30 10:00:00,40
ly2,b,2025-01-05 22:00:00,60
p1,a,2025-12-22 10:00:00,100
p2,c,2025-12-28 23:59:00,100
w1,a,2025-12-29 09:00:00,50
w2,b,2025-12-31 12:00:00,70
w3,c,2026-01-01 00:00:00,80
w4,d,2026-01-04 20:00:00,100
n1,e,2026-01-05 00:00:00,500
"""


@pytest.fixture
def year_end_shop(tmp_path):
    return write_shop(
        tmp_path,
        {"orders.csv": ORDERS},
        {"orders": {"path": "orders.csv"}},
        targets={"2026-01": {"gmv": 1000}, "2026-W01": {"gmv": 250}, "2026-W02": {"gmv": 400}},
        plans={"2026-W01": ["会员日：1月8日会员专享满减"]},
    )


def test_week_against_last_week_and_last_years_week(year_end_shop):
    ds = api.load(read_config(year_end_shop))
    week = parse_week("2026-W01", TZ)
    weekly = compute_weekly(ds, week, date(2026, 1, 20))
    gmv = weekly.report.metrics["gmv"]
    assert gmv.value == pytest.approx(300)  # w1..w4; n1 is Monday of the next week
    assert gmv.previous == pytest.approx(200)  # p1 + p2 (2025-W52)
    assert gmv.last_year == pytest.approx(100)  # ly1 + ly2 (2025-W01)
    assert gmv.mom == pytest.approx(0.5) and gmv.yoy == pytest.approx(2.0)
    assert gmv.attainment == pytest.approx(300 / 250)  # the week's own target
    daily = weekly.report.rows(S.DAILY)
    assert [d["gmv"] for d in daily] == [50, 0, 70, 80, 0, 0, 100]  # Monday … Sunday
    assert [d["previous_gmv"] for d in daily] == [100, 0, 0, 0, 0, 0, 100]
    # the week's Thursday is 1 January: the month is January, so far 1–4 January
    pace = weekly.pace
    assert (pace.month.label, pace.until) == ("2026-01", date(2026, 1, 4))
    assert pace.gmv == pytest.approx(180)  # w3 + w4, not the December days of the week
    assert pace.attainment == pytest.approx(0.18)
    assert pace.progress == pytest.approx(4 / 31)


def test_weekly_deck_on_a_hand_built_shop(year_end_shop, tmp_path):
    built = api.build_deck(
        year_end_shop, "weekly", "2026-W01", out=tmp_path / "w.pptx", today=date(2026, 1, 20)
    )
    texts = [" ".join(t) for t in slides_text(built.path)]
    assert "2026年第1周 运营周报" in texts[0] and "12月29日–1月4日" in texts[0]
    assert not any("目录" in t or "PART 01" in t or "谢谢" in t for t in texts)
    kpis = texts[1]
    assert "本周GMV ¥300" in kpis and "环比增长50.0%" in kpis and "同比增长200.0%" in kpis
    assert "周目标¥250，达成率120.0%" in kpis
    assert "2026年1月截至1月4日累计GMV ¥180，月目标¥1,000，已完成18.0%（时间进度12.9%）" in kpis
    index, days = next((i, t) for i, t in enumerate(texts) if "本周每日GMV" in t)
    chart = next(s for s in Presentation(str(built.path)).slides[index].shapes if s.has_chart)
    assert list(chart.chart.plots[0].categories)[::6] == ["周一 12-29", "周日 01-04"]
    assert "7天中有2天的GMV高于上周同日" in days  # Wednesday and Thursday
    assert "周日（1月4日）成交最高：¥100，上周同日¥100。" in days
    focus = next(t for t in texts if "下周工作重点" in t)
    assert "会员日" in focus and "下周（2026-W02）GMV目标 ¥400。" in focus
    assert overflowing(built.path) == []


def test_week_option_on_the_command_line(year_end_shop, tmp_path):
    bad = run_cli("build", "--config", year_end_shop, "--week", "2021-W53")
    assert bad.code == 2 and "2021 has 52 ISO weeks" in bad.err and "Traceback" not in bad.err
    both = run_cli("build", "--config", year_end_shop, "--week", "2026-W01", "--month", "2026-01")
    assert both.code == 2
    ok = run_cli(
        "build", "--config", year_end_shop, "--week", "2026-W01", "--out", tmp_path / "w.pptx"
    )
    assert ok.code == 0, ok.err
    assert (tmp_path / "w.pptx").is_file()


def test_week_keys_in_the_config(tmp_path):
    config = write_shop(
        tmp_path,
        {"orders.csv": ORDERS},
        {"orders": {"path": "orders.csv"}},
        plans={"2026-Week1": ["x"]},
    )
    with pytest.raises(ConfigError, match="2026-W44' for an ISO week"):
        read_config(config)


def test_weekly_demo_deck(weekly_deck):
    texts = [" ".join(t) for t in slides_text(weekly_deck.path)]
    assert 8 <= len(texts) <= 12, len(texts)
    assert "2026年第43周 运营周报" in texts[0]
    joined = " ".join(texts)
    for title in (
        "本周核心指标",
        "本周每日GMV",
        "本周涨跌榜",
        "缺货与即将售罄商品",
        "下周工作重点",
    ):
        assert title in joined, title
    assert "环比 2026-W42，同比 2025-W43" in texts[1]
    # the bullets say the table's changes in the table's unit (W44 said "减少¥3,174" beside
    # the table's "-¥0.32万"): 女装 ¥2.87万 → ¥3.60万 is under ¥1万 and still "¥0.74万"
    movers = next(t for t in texts if t.startswith("本周涨跌榜"))
    assert "「女装」减少¥0.74万" in movers and "女装 ¥2.87万 ¥3.60万 -¥0.74万" in movers
    said = re.findall(r"(增加|减少)(¥[\d.,]+万?)", movers)
    assert len(said) >= 4, movers
    for word, amount in said:
        assert ("+" if word == "增加" else "-") + amount + " " in movers, (word, amount)
    # the note counts every stockout and product selling out; the table says it lists the first
    stock = next(t for t in texts if t.startswith("缺货与即将售罄商品"))
    out, soon = map(int, re.search(r"缺货SKU (\d+)个.*?；(\d+)个商品", stock).groups())
    # best sellers with no stock all week sold nothing: listed on their own, not stockouts
    found = re.search(r"另有(\d+)个整周缺货", stock)
    still = int(found.group(1)) if found else 0
    rows = stock.count(" 缺货 ") + stock.count(" 整周缺货 ") + stock.count(" 即将售罄 ")
    if out + still + soon > rows:
        assert f"前{rows}项 / 共{out + still + soon}项" in stock, stock
    assert "整周缺货 简约净水器" in stock  # out since 4 October: the first to reorder
    # next week (26 October – 1 November) holds Double 11's warm-up, under way since the 20th,
    # and the first day of its peak (1–11 November): the focus says so before the reorders
    focus = next(t for t in texts if t.startswith("下周工作重点"))
    assert re.search(
        r"大促备战 下周适逢「2026年双11」预热期（10月20日起，进行中，至10月31日）、"
        r"爆发期（11月1日起，至11月11日），活动GMV目标¥[\d.]+万：",
        focus,
    ), focus
    assert focus.index("大促备战") < focus.index("补货")
    assert overflowing(weekly_deck.path) == []


def test_english_weekly_demo_deck(weekly_deck_en):
    texts = [" ".join(t) for t in slides_text(weekly_deck_en.path)]
    assert 8 <= len(texts) <= 12, len(texts)
    assert "Weekly Report 2026-W43" in texts[0] and "Oct 19 – Oct 25" in texts[0]
    assert "GMV this week" in texts[1] and "on last week" in texts[1]
    assert overflowing(weekly_deck_en.path) == []


def test_week_period_kind():
    assert Period("week", date(2026, 10, 26), date(2026, 11, 2), "2026-W44").previous().label == (
        "2026-W43"
    )


def test_a_week_the_data_stops_inside_says_so_on_its_cards(demo_shop, tmp_path):
    """W44 runs 26 October – 1 November; the demo's data stops on Saturday 31 October: the KPI
    slide says "截至10月31日" (the daily chart's empty Sunday said nothing), and next week (2–8
    November) falls in Double 11's peak, under way since Sunday 1 November."""
    built = api.build_deck(
        demo_shop, "weekly", "2026-W44", out=tmp_path / "w.pptx", today=date(2026, 11, 20)
    )
    texts = [" ".join(t) for t in slides_text(built.path)]
    assert texts[1].startswith("本周核心指标（截至10月31日）")
    # its six days against W43's first six (19–24 October), as the footers say
    assert texts[1].endswith("环比 2026-W43（前6天），同比 2025-W44（前6天） 2")
    # last year's first six days of W44 (27 October – 1 November 2025) held the first day of
    # Double 11's peak; this week's peak day (1 November) is after the data: not "本周无该阶段"
    assert "本周该阶段自11月1日起，不在已有数据内" in texts[1] and "无该阶段" not in texts[1]

    assert "下周适逢「2026年双11」爆发期（11月1日起，进行中，至11月11日）" in " ".join(texts)
