"""The annual review: a finished year, a year still running (to date, with time progress),
and the period arithmetic behind it."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest
import yaml

from shopreport import api
from shopreport.config import read_config
from shopreport.errors import ConfigError
from shopreport.metrics.period import Period, year_to_date
from tests.conftest import write_shop
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
    assert "2025年度店铺工作总结" in texts[0]
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
    # the year's growth split over visitors, orders per visitor and order value (not buyers:
    # 2025's buyers +45.5% on orders +21.8% made "conversion" the cause)
    assert re.search(
        r"按访客数×下单率×笔单价拆解，增长主要来自流量效应（\+¥[\d.]+万，访客数同比增长[\d.]+%）",
        kpis,
    ), kpis
    # the repurchase rate's fall is said by the orders a buyer placed (no segments to compare)
    assert re.search(
        r"人均支付订单[\d.]+→[\d.]+笔（支付买家增长[\d.]+%，支付订单增长[\d.]+%）", joined
    )
    assert "转化效应" not in kpis
    # the RFM segment that moved is said with what it means
    assert re.search(r"「[^」]+客户」（[^）]+）消费额变化最大：", joined)
    # the targets' total growth is the total's own (it gave the first proposed month's rate),
    # said as the target's on the year's actual, not as "同比" (a target is not last year's)
    total, actual, growth = re.search(
        r"全年目标合计¥([\d,.]+)万，2025年实际¥([\d,.]+)万，目标较实际\+([\d.]+)%", plan
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
    # on 20 November the year is 323 of 365 days on; the demo's exports end on 31 October: the
    # year is reported to them, 304 of 365 days (83.3 %), against 2025's first 304 days
    assert "时间进度83.3%" in kpi_slide
    assert "统计周期：2026-01-01 至 2026-10-31" in kpi_slide
    assert "同比 2025-01-01~2025-10-31" in kpi_slide
    assert "年度目标¥6,000.0万" in kpi_slide
    # a year to date is said as its months, not as the whole year ("全年GMV" for ten months),
    # and its one comparison is last year's same days (no "环比" of the same dates)
    texts = slides_text(built.path)
    assert "2026年度店铺工作总结 （1–10月）" in texts[0]  # two lines, broken before the span
    assert "2026年1–10月核心指标" in texts[3]
    gmv = re.search(r"1–10月GMV ¥([\d,.]+)万", kpi_slide).group(1)
    assert "环比" not in kpi_slide and "全年GMV" not in "".join(itertools.chain(*texts))
    # next year's months against this year's: January–October's targets against January–
    # October's GMV, not the whole year's targets against ten months
    plan = next(" ".join(t) for t in texts if any("全年目标合计" in x for x in t))
    total, same, actual, growth = re.search(
        r"全年目标合计¥([\d,.]+)万；其中1–10月¥([\d,.]+)万，较2026年同期实际¥([\d,.]+)万\+([\d.]+)%",
        plan,
    ).groups()
    assert actual == gmv
    number = lambda t: float(t.replace(",", ""))  # noqa: E731
    assert number(total) > number(same)  # November and December are in the total only
    assert float(growth) == pytest.approx((number(same) / number(actual) - 1) * 100, abs=0.06)


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


def test_a_years_growth_is_split_over_visitors_orders_per_visitor_and_order_value():
    """Visitors 100 → 150, paid orders 10 → 12, order value ¥50 → ¥50: GMV ¥500 → ¥600. Orders
    per visitor 0.1 → 0.08. LMDI weight (600 − 500) / ln(600/500) = 548.48; effects 548.48 ×
    ln 1.5 = +222.39 (visitors), 548.48 × ln 0.8 = −122.39 (orders per visitor), 0 (order
    value): they add up to +100."""
    from types import SimpleNamespace

    from shopreport.deck.annual import _year_split

    def metric(before, now):
        return SimpleNamespace(last_year=before, value=now)

    report = SimpleNamespace(
        metrics={
            "visitors": metric(100, 150),
            "paid_orders": metric(10, 12),
            "order_value": metric(50.0, 50.0),
        }
    )
    split = _year_split(report)
    assert split["delta"] == pytest.approx(100)
    assert split["effects"]["visitors"] == pytest.approx(222.39, abs=0.01)
    assert split["effects"]["order_rate"] == pytest.approx(-122.39, abs=0.01)
    assert split["effects"]["order_value"] == pytest.approx(0)
    changes = {"visitors": 0.5, "order_rate": -0.2, "order_value": 0}
    assert split["changes"] == pytest.approx(changes)
    report.metrics["visitors"] = metric(None, 150)  # no traffic last year: no split
    assert _year_split(report) is None


def test_a_years_cause_is_in_the_changes_direction():
    """Visitors 100 → 200, orders 10 → 9, order value ¥50 → ¥60: GMV ¥500 → ¥540 (+¥40).
    Weight (540 − 500) / ln(540/500) = 519.74: visitors 519.74 × ln 2 = +360.26, orders per
    visitor 519.74 × ln 0.45 = −415.02, order value 519.74 × ln 1.2 = +94.76. The largest is
    against the rise; the cause is visitors."""
    from types import SimpleNamespace

    from shopreport.deck.annual import _main_effect, _per_buyer_cause, _year_split

    def metric(before, now):
        return SimpleNamespace(last_year=before, value=now)

    split = _year_split(
        SimpleNamespace(
            metrics={
                "visitors": metric(100, 200),
                "paid_orders": metric(10, 9),
                "order_value": metric(50.0, 60.0),
            }
        )
    )
    assert split["effects"]["order_rate"] == pytest.approx(-415.02, abs=0.01)
    assert split["effects"]["visitors"] == pytest.approx(360.26, abs=0.01)
    assert _main_effect(split) == "visitors"
    # orders per buyer 1.57 → 1.31 make ln(1.31/1.57) / ln(0.831) = 98 % of AOV −16.9 %: the
    # cause; 1.50 → 1.51 make 4 % of +20 %: none
    assert _per_buyer_cause(1.31, 1.57, -0.169)["per_buyer"] == 1.31
    assert _per_buyer_cause(1.51, 1.50, 0.20)["per_buyer"] is None


def test_a_repurchase_move_without_segments_is_said_by_orders_a_buyer():
    """2024 (no look-back: no new/returning segments to compare): 100 buyers, 157 orders; 2025:
    200 buyers, 262 orders; repurchase −15 points. Orders a buyer 1.57 → 1.31; buyers +100.0 %,
    orders 262 ÷ 157 − 1 = +66.9 %: the new buyers mostly bought once. A rate that moved against
    the orders a buyer (up while they fell) says nothing."""
    from types import SimpleNamespace

    from shopreport.deck.annual import _per_buyer
    from shopreport.deck.narrative import Narrator

    def ctx(moved: float) -> SimpleNamespace:
        def mv(now: float, before: float) -> SimpleNamespace:
            return SimpleNamespace(value=now, last_year=before, yoy=now / before - 1)

        metrics = {
            "repurchase_rate": SimpleNamespace(yoy_pp=moved),
            "paid_orders": mv(262, 157),
            "buyers": mv(200, 100),
        }
        return SimpleNamespace(
            data=SimpleNamespace(changes=SimpleNamespace(metrics=metrics)),
            say=Narrator("zh-CN", "¥"),
        )

    assert _per_buyer(ctx(-0.15)) == [  # type: ignore[arg-type]
        "人均支付订单1.57→1.31笔（支付买家增长100.0%，支付订单增长66.9%）：新增的多是一年内只买一次的买家。"
    ]
    assert _per_buyer(ctx(0.02)) == []  # type: ignore[arg-type]


def test_a_years_conversion_below_every_month_says_why(tmp_path):
    """2025: January 100 visitors, buyers a and b; February 100, buyers a and c; December 100,
    buyers a and d. Each month converts 2 / 100 = 2.0 %; the year 4 distinct buyers / 300 =
    1.3 %, below them all; the months' buyers added up, 6 / 300 = 2.0 %."""
    orders = """
        order_id,customer_id,order_time,paid_amount
        1,a,2025-01-05 10:00:00,100
        2,b,2025-01-06 10:00:00,100
        3,a,2025-02-05 10:00:00,100
        4,c,2025-02-06 10:00:00,100
        5,a,2025-12-30 10:00:00,100
        6,d,2025-12-31 10:00:00,100
    """
    traffic = "date,source,visitors,cart_visitors\n" + "".join(
        f"2025-{m}-01,搜索,100,10\n" for m in ("01", "02", "12")
    )
    config = write_shop(
        tmp_path,
        {"orders.csv": orders, "traffic.csv": traffic},
        {"orders": {"path": "orders.csv"}, "traffic": {"path": "traffic.csv"}},
    )
    built = api.build_deck(
        config, "annual", "2025", out=tmp_path / "y.pptx", today=date(2026, 11, 20)
    )
    text = " ".join(" ".join(t) for t in slides_text(built.path))
    assert "访客到支付的整体转化率为1.3%。" in text, [t[0] for t in slides_text(built.path)]
    assert (
        "全年支付转化率按去重买家计（期内多次购买只计一人），所以低于各月的2.0%；按各月买家合计，"
        "转化率为2.0%。"
    ) in text


def test_a_year_to_date_ending_inside_a_month_plans_on_its_whole_months(tmp_path):
    """2025: one ¥80 order a day; 2026 to 15 March: one ¥100 order a day, reported on 16 March.
    The year to date is 1 January – 15 March (+25.0 % on the same days of 2025). January and
    February are whole: their 2027 targets ¥3,100 × 1.25 = ¥3,875 (¥3,880 rounded as targets
    are) and ¥2,800 × 1.25 = ¥3,500 stand against their ¥5,900: +25.1 %. March's fifteen days
    are no month to grow: 2027-03 is proposed from March 2025 (¥2,480 × 1.25²), its 2026 actual
    "—"."""
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(365 + 31 + 28 + 15)]
    orders = "order_id,customer_id,order_time,paid_amount\n" + "".join(
        f"o{d:%Y%m%d},c{d:%Y%m%d},{d} 10:00:00,{80 if d.year == 2025 else 100}\n" for d in days
    )
    config = write_shop(tmp_path, {"orders.csv": orders}, {"orders": {"path": "orders.csv"}})
    built = api.build_deck(
        config, "annual", "2026", out=tmp_path / "y.pptx", today=date(2026, 3, 16)
    )
    texts = [" ".join(t) for t in slides_text(built.path)]
    # the cover's title, broken over two lines before its span
    assert "2026年度店铺工作总结 （1月1日–3月15日）" in texts[0]
    assert any(t.startswith("2026年1月1日–3月15日核心指标") for t in texts)
    plan = next(t for t in texts if "全年目标合计" in t)
    same, actual, growth = re.search(
        r"全年目标合计¥[\d,.]+万?；其中1–2月¥([\d,.]+)，较2026年同期实际¥([\d,.]+)\+([\d.]+)%",
        plan,
    ).groups()
    assert actual == "5,900"  # January's 31 and February's 28 days of ¥100
    number = lambda t: float(t.replace(",", ""))  # noqa: E731
    assert number(same) == 3880 + 3500  # ¥3,875 rounded to three digits, as targets are
    assert growth == "25.1"  # 7,380 / 5,900
    march = re.search(r"2027-03 (\S+) (\S+) (\S+) (\S+)", plan).groups()
    assert march[0] == "—" and "2025年同月" in march[3], march


def test_a_lessons_small_count_changes_by_its_count(tmp_path):
    """A lesson's evidence: 2 paid orders in 2024, 4 in 2025: "支付订单数 4（▲2）", as a card says
    a small count, not "▲100.0%"."""
    orders = """
        order_id,customer_id,order_time,paid_amount
        1,a,2024-03-01 10:00:00,10
        2,b,2024-06-01 10:00:00,10
        3,a,2025-03-01 10:00:00,10
        4,b,2025-06-01 10:00:00,10
        5,c,2025-09-01 10:00:00,10
        6,d,2025-12-01 10:00:00,10
    """
    lesson = {"text": "老客复购是增长来源", "evidence": ["paid_orders"]}
    config = write_shop(
        tmp_path,
        {"orders.csv": orders},
        {"orders": {"path": "orders.csv"}},
        lessons={"2025": [lesson]},
    )
    built = api.build_deck(
        config, "annual", "2025", out=tmp_path / "y.pptx", today=date(2026, 11, 20)
    )
    text = " ".join(" ".join(t) for t in slides_text(built.path))
    assert "数据依据：支付订单数 4（▲2）" in text


def test_a_lesson_cites_a_source_and_a_refund_reason(tmp_path):
    """ "直播 grows traffic fastest" beside the shop's visitors said nothing of 直播: evidence
    `source:直播` gives its visitors, 150 in 2025 against 100 in 2024 (▲50.0%), and
    `refund_reason:尺码不合适` its share of the year's refunds, ¥30 of ¥40 (75.0%)."""
    orders = """
        order_id,customer_id,order_time,paid_amount,channel
        o1,a,2024-03-01 10:00:00,100,直播
        o2,b,2025-03-01 10:00:00,300,直播
        o3,c,2025-04-01 10:00:00,100,搜索
        o4,d,2025-12-31 10:00:00,50,搜索
    """
    traffic = """
        date,source,visitors
        2024-03-01,直播,100
        2025-03-01,直播,150
        2025-04-01,搜索,50
        2025-12-31,搜索,10
    """
    refunds = """
        order_id,refund_time,amount,reason
        o2,2025-03-10 10:00:00,30,尺码不合适
        o3,2025-04-10 10:00:00,10,质量问题
    """
    lesson = {"text": "直播增长最快", "evidence": ["source:直播", "refund_reason:尺码不合适"]}
    config = write_shop(
        tmp_path,
        {"orders.csv": orders, "traffic.csv": traffic, "refunds.csv": refunds},
        {
            "orders": {"path": "orders.csv"},
            "traffic": {"path": "traffic.csv"},
            "refunds": {"path": "refunds.csv"},
        },
        lessons={"2025": [lesson]},
    )
    built = api.build_deck(
        config, "annual", "2025", out=tmp_path / "y.pptx", today=date(2026, 11, 20)
    )
    text = " ".join(" ".join(t) for t in slides_text(built.path))
    assert "数据依据：「直播」访客数 150（▲50.0%） · 退款中「尺码不合适」占 75.0%" in text, text
    (tmp_path / "shopreport.yaml").write_text(
        (tmp_path / "shopreport.yaml").read_text(encoding="utf-8").replace("source:", "sorce:"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="evidence 'sorce:直播' is neither a metric id"):
        read_config(tmp_path / "shopreport.yaml")
