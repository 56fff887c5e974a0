"""Campaign retrospectives: a tiny shop worked out by hand, config checks, and the decks.

Campaign "c2" (2026): 预热 06-01…06-02, 爆发 06-03; compared with "c1", the same phases in 2025;
baseline: the week before (05-25…05-31), which holds one order of 70, so 10 a day.

    2026-05-26 10:00  x   70   baseline
    2026-06-01 10:00  a  100   预热 day 0
    2026-06-02 11:00  b   50   预热 day 1
    2026-06-03 00:30  a  200   爆发 day 0, hour 0
    2026-06-03 20:00  c   30   爆发 day 0, hour 20
    2026-06-15 10:00  b   25   after the window: b comes back within 30 days
    2025-06-01 09:00  d   40   c1 预热 day 0
    2025-06-03 21:00  d   60   c1 爆发 day 0, hour 21
"""

from __future__ import annotations

import re
import textwrap
from datetime import date

import pytest

from shopreport import api
from shopreport.config import read_config
from shopreport.errors import ConfigError
from shopreport.metrics import schema as S
from shopreport.metrics.campaign import compute_campaign
from tests.conftest import DECK_DAY, write_shop
from tests.deckcheck import overflowing, pdf_words, render_pdf, slides_text

ORDERS = """
    order_id,customer_id,order_time,paid_amount
    1,x,2026-05-26 10:00:00,70
    2,a,2026-06-01 10:00:00,100
    3,b,2026-06-02 11:00:00,50
    4,a,2026-06-03 00:30:00,200
    5,c,2026-06-03 20:00:00,30
    6,b,2026-06-15 10:00:00,25
    7,d,2025-06-01 09:00:00,40
    8,d,2025-06-03 21:00:00,60
"""


def phases(year: int) -> list[dict]:
    return [
        {"name": "预热", "start": f"{year}-06-01", "end": f"{year}-06-02"},
        {"name": "爆发", "start": f"{year}-06-03", "end": f"{year}-06-03"},
    ]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    folder = tmp_path_factory.mktemp("campaign")
    config = write_shop(
        folder,
        {"orders.csv": ORDERS},
        {"orders": {"path": "orders.csv"}},
        campaigns={
            "c1": {"phases": phases(2025)},
            "c2": {
                "name": "2026年618",
                "phases": phases(2026),
                "compare_with": "c1",
                "baseline_weeks": 1,
                "targets": {"gmv": 400},
            },
        },
    )
    return compute_campaign(api.load(read_config(config)), "c2", today=date(2026, 11, 20))


def test_window_kpis_against_target_comparison_and_baseline(campaign):
    assert campaign.report.metrics["gmv"].value == pytest.approx(380)
    assert campaign.report.metrics["gmv"].attainment == pytest.approx(0.95)
    assert campaign.compared.metrics["gmv"].value == pytest.approx(100)
    assert campaign.facts["baseline_daily_gmv"] == pytest.approx(10)  # 70 over 7 days
    assert campaign.window.peak == "爆发"


def test_phases_and_days_aligned_by_phase_day(campaign):
    rows = [(p["phase"], p["gmv"], p["cmp_gmv"], p["daily_gmv"]) for p in campaign.rows(S.PHASES)]
    assert rows == [("预热", 150, 40, 75), ("爆发", 230, 60, 230)]
    daily = [
        (d["phase_index"], d["phase_day"], d["gmv"], d["cmp_gmv"])
        for d in campaign.rows(S.PHASE_DAYS)
    ]
    assert daily == [(0, 0, 100, 40), (0, 1, 50, 0), (1, 0, 230, 60)]


def test_peak_phase_by_hour(campaign):
    hours = {
        h["hour"]: (h["gmv"], h["cmp_gmv"])
        for h in campaign.rows(S.HOURS)
        if h["gmv"] or h["cmp_gmv"]
    }
    assert hours == {0: (200, 0), 20: (30, 0), 21: (0, 60)}


def test_new_buyers_followed_for_30_days(campaign):
    follow = campaign.facts["followup"]
    # a, b and c paid for the first time in the window; b came back on 06-15
    assert (follow["new_buyers"], follow["returned"], follow["returned_gmv"]) == (3, 1, 25)
    assert follow["share"] == pytest.approx(1 / 3)


def test_a_campaigns_refund_rate_is_its_own_orders(tmp_path):
    """Refunds come days after payment, so refunds made in a sales peak ÷ its GMV read low.
    The data covers 12 days past the window (to 06-15): each order's refunds within 12 days
    of its payment count. The window's orders (2–5, ¥380) had ¥19 refunded on 06-10 (order 2,
    paid 06-01: 9 days) and ¥19 on 06-20 (order 4, paid 06-03: 17 days, not counted); the
    baseline's order 1 (¥70, paid 05-26) ¥7 on 06-02; last year's (7–8, ¥100) ¥6 on 2025-06-10
    (order 8, paid 06-03: 7 days). Own orders: 19 ÷ 380 = 5.0 %, 10.0 % before, 6.0 % last
    year; by refund date the window read 7 ÷ 380 = 1.8 % against 0 % before. With the data
    ending on the window's last day no order has had a day: the card is the refund rate."""
    refunds = """
        order_id,refund_time,amount
        1,2026-06-02 09:00:00,7
        2,2026-06-10 09:00:00,19
        4,2026-06-20 09:00:00,19
        8,2025-06-10 09:00:00,6
    """
    config = write_shop(
        tmp_path,
        {"orders.csv": ORDERS, "refunds.csv": refunds},
        {"orders": {"path": "orders.csv"}, "refunds": {"path": "refunds.csv"}},
        campaigns={
            "c1": {"name": "2025年618", "phases": phases(2025)},
            "c2": {"phases": phases(2026), "compare_with": "c1", "baseline_weeks": 1},
        },
    )
    c = compute_campaign(api.load(read_config(config)), "c2", today=date(2026, 11, 20))
    own = c.facts["order_refunds"]
    assert own["window"]["days"] == 12
    assert [own[k]["rate"] for k in ("window", "baseline", "compared")] == [
        pytest.approx(0.05),
        pytest.approx(0.10),
        pytest.approx(0.06),
    ]
    assert c.report.metrics["refund_rate"].value == pytest.approx(7 / 380)
    built = api.build_deck(config, "campaign", "c2", out=tmp_path / "c.pptx", today=DECK_DAY)
    texts = next(t for t in slides_text(built.path) if "活动订单退款率" in t)
    card = texts.index("活动订单退款率")
    assert texts[card + 1 : card + 3] == ["5.0%", "较2025年618 ▼1.0个百分点\n较活动前 ▼5.0个百分点"]
    # defined in the appendix (the card's footer said it at 6.5 pt)
    assert not any("活动期付款订单" in t for t in texts)
    slides = [" | ".join(t) for t in slides_text(built.path)]
    row = (
        "活动订单退款率 | 活动期付款订单各自付款后12天内的退款金额 ÷ 其GMV"
        "（活动前与对比活动同口径）"
    )
    assert any(row in t and t.startswith("附录：指标口径") for t in slides), slides
    # and in the card's speaker notes, not the refund rate's definition its label holds
    from pptx import Presentation

    notes = next(
        s.notes_slide.notes_text_frame.text
        for s in Presentation(str(built.path)).slides
        if "活动订单退款率" in " ".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame)
    )
    assert "活动订单退款率: 活动期付款订单各自付款后12天内的退款金额 ÷ 其GMV" in notes, notes
    assert "退款率: 退款金额 ÷ 支付金额" not in notes, notes
    ended = ORDERS.replace("    6,b,2026-06-15 10:00:00,25\n", "")  # the data ends on 06-03
    assert ended != ORDERS
    (tmp_path / "orders.csv").write_text(textwrap.dedent(ended).lstrip(), encoding="utf-8")
    c = compute_campaign(api.load(read_config(config)), "c2", today=date(2026, 11, 20))
    assert c.facts["order_refunds"] == {}


def test_campaign_config_is_checked(tmp_path):
    config = write_shop(
        tmp_path,
        {},
        {"orders": {"path": "o.csv"}},
        campaigns={"c2": {"phases": phases(2026), "compare_with": "c0"}},
    )
    with pytest.raises(ConfigError, match="compares with 'c0', which is not declared"):
        read_config(config)
    config = write_shop(
        tmp_path,
        {},
        {"orders": {"path": "o.csv"}},
        campaigns={"c2": {"phases": [{"name": "a", "start": "2026-06-05", "end": "2026-06-01"}]}},
    )
    with pytest.raises(ConfigError, match="ends .* before it starts"):
        read_config(config)


def test_unknown_campaign_on_the_command_line(demo_shop, tmp_path):
    with pytest.raises(
        ConfigError,
        match="--campaign 'double11-2052' is not declared.*Did you mean 'double11-2026'",
    ):
        api.build_deck(demo_shop, "campaign", "double11-2052", out=tmp_path, today=DECK_DAY)


def test_a_campaign_still_under_way_has_no_retrospective(demo_shop, tmp_path):
    """The demo declares Double 11 2026 (20 October – 13 November) as a team does before it
    starts; its data ends on 31 October. A retrospective of its first 12 days compared its
    warm-up with last year's whole campaign ("较2025年双11 ▼67.9%"): it is refused, clearly, and
    the demo does not offer it; the October deck names it as the month's campaign."""
    from shopreport.errors import DataError

    for today in (date(2026, 11, 1), DECK_DAY):  # the day after the exports, or weeks later
        with pytest.raises(DataError, match=r"runs to 2026-11-13, and the data ends on 2026-10-31"):
            api.build_deck(demo_shop, "campaign", "double11-2026", out=tmp_path, today=today)
    assert not list(tmp_path.glob("*.pptx"))
    offered = api.demo_decks(demo_shop, "2026-10")
    assert "--campaign double11-2025" in offered and "--campaign double11-2026" not in offered


def test_campaign_deck(campaign_deck):
    texts = slides_text(campaign_deck.path)
    assert "2025年双11 活动复盘总结报告" in texts[0]
    for title in (
        "活动概况与目标回顾",
        "目标达成效果分析",
        "用户行为数据洞察",
        "运营问题诊断",
        "成功经验沉淀",
        "后续优化行动",
    ):
        assert title in texts[1]
    joined = " ".join(" ".join(t) for t in texts)
    assert "对比：2024年双11（按阶段日对齐）" in joined
    assert "活动周期与阶段" in joined and "预热" in joined and "爆发" in joined
    # the demo starts in January 2024: 2024年双11's new buyers had no year of history before
    # them (every earlier buyer counted new), so they are not compared
    assert re.search(r"新买家数 [\d,]+ 较2024年双11 —", joined), joined
    # the campaign compares with its baseline, 2024年双11 and the same days before it: no
    # undefined "上期" or "环比" window
    assert "上期" not in joined and "环比" not in joined
    # the comparison is named where it is compared ("较对比活动" read as a tool's word)
    assert "较对比" not in joined and "对比活动同阶段" not in joined
    assert re.search(r"活动GMV ¥[\d.]+万，目标达成[\d.]+%，较2024年双11(增长|下降)", joined), joined
    assert campaign_deck.left_out == {}
    assert overflowing(campaign_deck.path) == []


def test_both_demo_campaigns_build(demo_shop, tmp_path):
    built = api.build_deck(
        demo_shop, "campaign", "618-2026", out=tmp_path, today=DECK_DAY, language="en"
    )
    # the demo gives its shop's English name (`names:`): the English deck is filed under it
    assert built.path.name == "Yuexiang_Living_Flagship_Store_618-2026_campaign_review.pptx"
    texts = slides_text(built.path)
    assert "618 2026 campaign review" in texts[0]  # its English name
    assert overflowing(built.path) == []
    # 简约破壁机 (Simple high-speed blender in the English deck) is the faulty product ("Stop
    # selling; inspect the batch"): it was also listed among the products that beat their
    # baseline, 2.1×; it is left out there, and said so
    problems = " ".join(" ".join(t) for t in texts if "Stop selling" in " ".join(t))
    assert "Simple high-speed blender" in problems
    # a category's refunds made in the window, beside the card of its own orders' refunds
    said = " ".join(" ".join(t) for t in texts)
    basis = r": refund rate by refund date [\d.]+% \(shop-wide on the same basis [\d.]+%"
    assert re.search(basis, said)
    winners = next(t for t in texts if "Products that beat their baseline" in t)
    assert "Simple high-speed blender" not in winners[:-3]  # the rows
    assert any(
        x.endswith(
            "Simple high-speed blender: bad reviews gather there, so it is among the problems, "
            "not the lessons."
        )
        for x in winners
    )


@pytest.mark.slow
def test_a_campaign_named_in_both_languages_is_named_in_the_decks(demo_shop, tmp_path):
    """The demo writes its campaigns' and phases' names in both languages: the English deck
    says Double 11 2025 and Warm-up / Peak / Encore, the Chinese one 2025年双11 and 预热."""
    built = api.build_deck(
        demo_shop,
        "campaign",
        "double11-2025",
        out=tmp_path / "en.pptx",
        language="en",
        today=DECK_DAY,
    )
    english = " ".join(" ".join(t) for t in slides_text(built.path))
    assert "Double 11 2025" in english and "Warm-up" in english and "Peak" in english
    assert "2025年双11" not in english and "预热" not in english
    # the phases table's long header ("Double 11 2024, same phase") wraps over lines; the other
    # columns keep their words whole ("Phas/e", "Da/ys", "Encor/e", "¥2.0/4M" before)
    page = {w.text for w in pdf_words(render_pdf(built.path, tmp_path)) if w.page == 4}
    assert {"Phase", "Days", "Warm-up", "Encore", "GMV/day", "phase"} <= page, page
    built = api.build_deck(demo_shop, "campaign", "double11-2025", out=tmp_path, today=DECK_DAY)
    chinese = " ".join(" ".join(t) for t in slides_text(built.path))
    assert "2025年双11" in chinese and "预热" in chinese and "Warm-up" not in chinese


def test_a_coupon_threshold_is_checked_on_the_goods_before_the_coupon(tmp_path):
    """满200减20 orders in the window: ¥185 paid + ¥20 coupon = ¥205 (just above 200, within
    15 %); ¥190 paid of which ¥10 shipping + ¥20 = ¥200 (at it: just above); ¥250 + ¥20 = ¥270
    (not near). A 9折 markdown in discount_amount (¥30, ¥25, ¥30) does not count: the threshold
    is on goods after their markdowns (added back, all three read ≥ ¥230 and none near). 2 of 3.
    The baseline week before: ¥150 + ¥20 = ¥170 (under it), ¥200 + ¥20 = ¥220 (just above): 1 of
    2, the share the window's is compared with."""
    orders = """
        order_id,customer_id,order_time,paid_amount,discount_amount,shipping_fee,coupon_code
        1,a,2026-06-01 10:00:00,185,50,0,满200减20
        2,b,2026-06-02 10:00:00,190,45,10,满200减20
        3,c,2026-06-03 10:00:00,250,50,0,满200减20
        4,d,2026-05-26 10:00:00,70,0,0,
        5,e,2026-05-27 10:00:00,150,0,0,满200减20
        6,f,2026-05-28 10:00:00,200,0,0,满200减20
    """
    config = write_shop(
        tmp_path,
        {"orders.csv": orders},
        {"orders": {"path": "orders.csv"}},
        campaigns={"c": {"phases": phases(2026), "baseline_weeks": 1}},
    )
    report = compute_campaign(api.load(read_config(config)), "c", today=date(2026, 11, 20))
    (row,) = report.rows(S.THRESHOLDS)
    assert (row["threshold"], row["orders"], row["near"]) == (200, 3, 2)
    assert (row["baseline_orders"], row["baseline_near"]) == (2, 1)
