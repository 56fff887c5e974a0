"""Rules that make a deck presentable as-is (issue 9), each on numbers worked out by hand:
direction-aware targets and colours, rate changes in points, lifecycle stages that do not call
a stock-out a decline, targets that add up, and drivers that are computed contributions."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from shopreport import api
from shopreport.config import read_config
from shopreport.deck.context import change
from shopreport.deck.monthly import tier_order
from shopreport.deck.narrative import Narrator
from shopreport.insights import drivers as dr
from shopreport.insights.diagnosis import stock_risk
from shopreport.insights.plan import next_targets
from shopreport.metrics import schema as S
from shopreport.metrics.period import parse_months
from shopreport.render.textfit import Font, fit_text
from tests.conftest import kpis, run_cli, write_shop
from tests.deckcheck import slides_text
from tests.test_metrics import TABLES

TODAY = date(2026, 11, 20)
WHOLE = {"covered_until": None, "notes": []}  # a report whose data covers its whole month

# --- 1. direction-aware semantics --------------------------------------------------------------


@pytest.fixture(scope="module")
def targeted(tmp_path_factory):
    """test_metrics' tiny shop (October GMV 650, refunds 220) with a GMV goal of 1,000 and a
    refund-rate ceiling of 8%."""
    folder = tmp_path_factory.mktemp("targeted")
    return write_shop(
        folder,
        {f"{name}.csv": text for name, text in TABLES.items()},
        {name: {"path": f"{name}.csv"} for name in TABLES},
        targets={"2026-10": {"gmv": 1000, "refund_rate": 0.08}},
    )


def test_cards_leave_off_comparisons_the_data_cannot_make(tmp_path):
    """test_metrics' shop: its first payment is on 2025-09-30. September 2026 has 336 days of
    it before (under the 365-day look-back), so its returning share is understated and
    October's "老买家占比" change against it (or last year's) is no like-for-like change: the
    card shows none. GMV keeps both. A shop whose data starts this year (Online Retail's
    2010-12) drops the YoY line of every card instead of "同比 —"."""
    config = write_shop(
        tmp_path,
        {f"{name}.csv": text for name, text in TABLES.items()},
        {name: {"path": f"{name}.csv"} for name in TABLES},
    )
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=TODAY)
    cards = next(t for t in slides_text(built.path) if "老买家占比" in t)
    at = cards.index("老买家占比")
    assert cards[at + 1 : at + 3] == ["66.7%", "退款率"]  # its value, then the next card
    assert cards[cards.index("支付金额") + 2] == "环比 ▲225.0%\n同比 ▲983.3%"
    young = TABLES["orders"].replace("2025-10-01", "2026-09-01").replace("2025-09-30", "2026-09-01")
    config = write_shop(
        tmp_path / "young",
        {f"{name}.csv": text for name, text in {**TABLES, "orders": young}.items()},
        {name: {"path": f"{name}.csv"} for name in TABLES},
    )
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "y.pptx", today=TODAY)
    cards = next(t for t in slides_text(built.path) if "支付金额" in t and "退款率" in t)
    assert not any("同比" in c for c in cards[1:-2])  # the cards, not the footer
    # a first year's annual cards, whose one comparison is last year's: none ("同比 —" on all)
    built = api.build_deck(config, "annual", "2026", out=tmp_path / "a.pptx", today=TODAY)
    cards = next(t for t in slides_text(built.path) if "支付金额" in t and "客单价" in t)
    assert not any("同比" in c for c in cards[1:-2])


def test_a_ceiling_is_met_or_missed_with_its_gap_never_over_achieved(targeted):
    report = kpis(targeted)
    refund = report.metrics["refund_rate"]
    assert refund.value == pytest.approx(220 / 650)  # 33.8%, far above the 8% ceiling
    assert refund.lower_is_better
    assert refund.attainment is None  # 33.8 / 8 = "423% achieved" would be nonsense
    assert refund.met is False
    assert refund.gap == pytest.approx(220 / 650 - 0.08)
    gmv = report.metrics["gmv"]
    assert (gmv.attainment, gmv.met, gmv.gap) == (pytest.approx(0.65), False, -350)


def test_footers_name_only_the_comparisons_the_data_reaches(tmp_path):
    """Orders from September 2026 on: October's footers compare with September, and name no
    2025-10 ("同比 2016-11" stood under every slide of Olist's first year)."""
    orders = "order_id,customer_id,order_time,paid_amount\n" + "\n".join(
        f"o{m}{d},c{d},2026-{m}-{d:02d} 10:00:00,{10 * d}" for m in ("09", "10") for d in (1, 2)
    )
    config = write_shop(tmp_path, {"orders.csv": orders}, {"orders": {"path": "orders.csv"}})
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=TODAY)
    footers = [t for texts in slides_text(built.path) for t in texts if t.startswith("数据来源")]
    assert footers
    # the data stops on 2 October: September's first two days are compared (the KPI slide's
    # adds why its returning share is low: the data starts on 1 September)
    period = "统计周期：2026-10-01 至 2026-10-02 | 环比 2026-09（前2天）"
    assert all(t.endswith(period) or t.endswith("偏低") for t in footers), footers
    assert all(period in t and "同比" not in t for t in footers), footers
    assert footers[0].endswith(f"{period} | 老买家占比：数据自2026-09-01开始，不足365天，偏低")


def test_rate_changes_are_points_in_the_table_and_both_in_json(targeted):
    # conversion: September 2 buyers / 50 visitors = 4%, October 3 / 100 = 3%
    report = kpis(targeted)
    conversion = report.metrics["conversion"]
    assert conversion.mom_pp == pytest.approx(-0.01)
    assert conversion.mom == pytest.approx(-0.25)
    run = run_cli("kpis", "--config", targeted, "--month", "2026-10")
    assert run.code == 0, run.err
    line = next(row for row in run.out.splitlines() if "支付转化率 conversion" in row)
    assert "-1.0个百分点" in line.replace(" ", "") and "-25" not in line
    refund_line = next(row for row in run.out.splitlines() if "退款率 refund_rate" in row)
    assert "未达标" in refund_line and "达成" not in refund_line
    data = json.loads(
        run_cli("kpis", "--config", targeted, "--month", "2026-10", "--format", "json").out
    )
    record = data["metrics"]["conversion"]
    assert record["mom"] == pytest.approx(-0.25) and record["mom_pp"] == pytest.approx(-0.01)
    assert data["metrics"]["refund_rate"]["met"] is False
    assert data["metrics"]["refund_rate"]["attainment"] is None


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_colour_says_good_or_bad_the_arrow_says_up_or_down(language):
    cases = {  # metric, change → (arrow, tone)
        ("refund_rate", 0.016): ("up", "bad"),
        ("satisfaction_rate", -0.016): ("down", "bad"),
        ("first_response_s", 0.29): ("up", "bad"),
        ("gmv", 0.022): ("up", "good"),
        ("days_of_cover", -0.3): ("down", "neutral"),  # neither more nor less is better
        ("bot_share", -0.006): ("down", "neutral"),
        ("gmv", 0.0004): ("flat", "neutral"),  # shows as 0.0%: not a rise
    }
    for (metric, delta), expected in cases.items():
        moved = change("label", metric, delta, language)
        assert (moved.direction, moved.tone) == expected, metric
    # flat in words: "■0.0%" read as a missing glyph
    assert change("同比", "gmv", 0.0004, language).text == ("flat" if language == "en" else "持平")


# --- 2. one number, one value: a stock-out is not a decline -----------------------------------

# units sold on the 10th of June … October, at ¥10 a unit
LIFE_SALES = {"X": (10, 10, 10, 10, 2), "Y": (10, 10, 10, 10, 2), "M": (10, 10, 10, 10, 10)}
LIFE_ORDERS = "order_id,customer_id,order_time,pay_time,paid_amount\n" + "\n".join(
    f"{sku}{m},c{sku}{m},2026-{m:02d}-10 10:00:00,2026-{m:02d}-10 10:00:00,{qty * 10}"
    for sku, units in LIFE_SALES.items()
    for m, qty in zip(range(6, 11), units, strict=True)
)
LIFE_ITEMS = "order_id,sku,quantity,unit_price,amount\n" + "\n".join(
    f"{sku}{m},{sku},{qty},10,{qty * 10}"
    for sku, units in LIFE_SALES.items()
    for m, qty in zip(range(6, 11), units, strict=True)
)
LIFE_PRODUCTS = """
    sku,category,name,price,unit_cost,launch_date
    X,家电,净水器,10,5,2025-01-01
    Y,家电,吹风机,10,5,2025-01-01
    M,家电,电水壶,10,5,2025-01-01
"""
LIFE_INVENTORY = """
    date,sku,on_hand
    2026-09-30,X,2
    2026-09-30,Y,50
    2026-09-30,M,50
    2026-10-05,X,0
    2026-10-05,Y,48
    2026-10-05,M,45
    2026-10-31,X,0
    2026-10-31,Y,48
    2026-10-31,M,40
"""


def test_a_product_that_sold_less_because_it_ran_out_is_out_of_stock_not_declining(tmp_path):
    # June–September: 10 units a month each. October: X and Y sell 2 (−80% on the 3-month
    # average); X had no stock from 10-05, Y had 48 on hand: only Y is declining.
    config = write_shop(
        tmp_path,
        {
            "orders.csv": LIFE_ORDERS,
            "items.csv": LIFE_ITEMS,
            "products.csv": LIFE_PRODUCTS,
            "inventory.csv": LIFE_INVENTORY,
        },
        {
            "orders": {"path": "orders.csv"},
            "order_items": {"path": "items.csv"},
            "products": {"path": "products.csv"},
            "inventory": {"path": "inventory.csv"},
        },
    )
    rows = {r["sku"]: r for r in kpis(config).rows(S.PRODUCTS)}
    assert rows["X"]["stage"] == "out_of_stock" and rows["X"]["days_out"] > 0
    assert rows["Y"]["stage"] == "declining" and rows["Y"]["days_out"] == 0
    assert rows["M"]["stage"] == "mature"
    # with less than three months of history before October the stage is unknown
    short = kpis(config, month="2026-08")
    assert {r["stage"] for r in short.rows(S.PRODUCTS)} == {None}


def test_a_missed_target_names_the_product_that_ran_out(tmp_path):
    """October ¥140 (September ¥300) against a target of ¥300: ¥160 short. 净水器 (X) and 吹风机
    (Y) each sold ¥80 less than in September; 净水器 is out of stock from its last sale on 10
    October (the count of the 5th read 0), 吹风机 had 48 on hand. 净水器's −¥80 is half the gap:
    the miss is put down to its stockout."""
    files = {"orders.csv": LIFE_ORDERS, "items.csv": LIFE_ITEMS, "products.csv": LIFE_PRODUCTS}
    tables = {"orders": "orders.csv", "order_items": "items.csv", "products": "products.csv"}
    config = write_shop(
        tmp_path,
        {**files, "inventory.csv": LIFE_INVENTORY},
        {name: {"path": path} for name, path in {**tables, "inventory": "inventory.csv"}.items()},
        targets={"2026-10": {"gmv": 300}},
    )
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=TODAY)
    summary = next(t for t in slides_text(built.path)[3] if t.startswith("本月GMV"))
    assert "目标 ¥300，达成率46.7%，差¥160，主要因为「净水器」10月10日起缺货，环比-¥80" in summary


# --- 3. targets that add up -------------------------------------------------------------------


def test_derived_targets_keep_gmv_equal_buyers_times_aov_and_visitors_times_conversion(tmp_path):
    # November: GMV 1,000 and 4 buyers configured. AOV follows as 1,000 ÷ 4 = 250; conversion
    # holds at October's 3%; visitors follow as 4 ÷ 3% = 133.3 → 133.
    config = write_shop(
        tmp_path,
        {f"{name}.csv": text for name, text in TABLES.items()},
        {name: {"path": f"{name}.csv"} for name in TABLES},
        targets={"2026-11": {"gmv": 1000, "buyers": 4}},
    )
    targets = {t.metric: t for t in next_targets(kpis(config), read_config(config))}
    assert (targets["gmv"].target, targets["gmv"].source) == (1000, "config")
    assert (targets["aov"].target, targets["aov"].source) == (250, "derived")
    assert (targets["conversion"].target, targets["conversion"].basis) == (0.03, "level")
    assert (targets["visitors"].target, targets["visitors"].basis) == (133, "buyers_conversion")
    assert targets["buyers"].target * targets["aov"].target == targets["gmv"].target


def test_a_target_that_holds_the_level_is_not_below_it():
    """Olist's November 2017 (no year before): December holds November's GMV R$268,433 and AOV
    R$158.27. To 3 significant digits they read R$268,000 and R$158 — a planned fall of 0.2 %
    that the deck called seasonal; held levels round up, to R$269,000 and R$159. A seasonal
    proposal rounds to the nearest; a round figure stays."""
    from shopreport.insights.plan import _round

    assert _round(268_433.0, "gmv", up=True) == 269_000
    assert _round(158.27, "aov", up=True) == 159
    assert _round(268_000.0, "gmv", up=True) == 268_000
    assert _round(268_433.0, "gmv") == 268_000


def test_held_gmv_and_aov_hold_the_buyers(tmp_path):
    """Olist's November 2017 (no year before): GMV R$268,433 from 1,696 buyers. GMV and AOV
    both held and rounded up (R$269,000, R$159) had buyers follow as 269,000 ÷ 159 = 1,692,
    −0.2 %: buyers are held (1,700, rounded up) and AOV follows, 269,000 ÷ 1,700 = R$158.24."""
    from shopreport.metrics import month_period

    metrics = {
        "gmv": SimpleNamespace(value=268_433.0, yoy=None),
        "buyers": SimpleNamespace(value=1_696.0, yoy=None),
        "aov": SimpleNamespace(value=268_433.0 / 1_696, yoy=None),
    }
    report = SimpleNamespace(
        period=month_period(2017, 11), metrics=metrics, rows=lambda view: [], **WHOLE
    )
    config = read_config(write_shop(tmp_path, {}, {"orders": {"path": "orders.csv"}}))
    targets = {t.metric: t for t in next_targets(report, config)}  # type: ignore[arg-type]
    assert (targets["gmv"].target, targets["gmv"].basis) == (269_000, "level")
    assert (targets["buyers"].target, targets["buyers"].basis) == (1_700, "level")
    assert targets["aov"].target == pytest.approx(158.24)
    assert targets["aov"].source == "derived"


def test_conversion_after_a_campaign_month_follows_last_years_next_month(tmp_path):
    """June 2026 (a 618 month): conversion 3.3 %, +10 % on June 2025. July 2025 converted 1,000
    of 50,000 visitors, 2.0 %: July's target is 2.0 % × 1.10 = 2.2 %, not June's 3.3 % held.
    GMV: July 2025's ¥300,000 × 1.20 = ¥360,000; AOV ¥300 × 1.00 = ¥300; buyers 360,000 ÷ 300 =
    1,200; visitors 1,200 ÷ 2.2 % = 54,545. Without last July's visitors conversion holds."""
    from shopreport.metrics import month_period

    def metric(value: float, yoy: float) -> SimpleNamespace:
        return SimpleNamespace(value=value, yoy=yoy)

    metrics = {
        "gmv": metric(500_000.0, 0.20),
        "buyers": metric(1_500.0, 0.20),
        "aov": metric(500_000.0 / 1_500, 0.0),
        "visitors": metric(45_455.0, 0.09),
        "conversion": metric(0.033, 0.10),
    }
    july = {"month": "2025-07", "gmv": 300_000.0, "orders": 1_000, "buyers": 1_000}
    config = read_config(write_shop(tmp_path, {}, {"orders": {"path": "orders.csv"}}))
    for visitors, expected in ((50_000.0, (0.022, "seasonal")), (None, (0.033, "level"))):
        rows = [{**july, "visitors": visitors}]
        report = SimpleNamespace(
            period=month_period(2026, 6),
            metrics=metrics,
            rows=lambda view, rows=rows: rows,
            **WHOLE,
        )
        targets = {t.metric: t for t in next_targets(report, config)}  # type: ignore[arg-type]
        assert (targets["conversion"].target, targets["conversion"].basis) == expected
        assert (targets["gmv"].target, targets["aov"].target) == (360_000, 300)
        assert targets["buyers"].target == 1_200
    assert targets["visitors"].target == 36_364  # 1,200 ÷ 3.3 %, the held rate
    report = SimpleNamespace(
        period=month_period(2026, 6),
        metrics=metrics,
        rows=lambda view: [{**july, "visitors": 50_000.0}],
        **WHOLE,
    )
    targets = {t.metric: t for t in next_targets(report, config)}  # type: ignore[arg-type]
    assert targets["visitors"].target == 54_545


def test_a_problems_footer_names_the_tables_its_problems_come_from():
    """The annual review's problems were 站外广告's ROAS and 女装's refunds, and the footer
    named orders, traffic, inventory, service and reviews: it names orders, marketing,
    refunds, order lines and products."""
    from shopreport.insights.diagnosis import Finding, finding_tables

    found = [Finding("low_roas", "站外广告", 1.0), Finding("refund_rate", "女装", 1.0)]
    assert finding_tables(found) == ["orders", "marketing", "refunds", "order_items", "products"]
    assert finding_tables([]) == ["orders"]


def test_restock_before_a_campaign_only_when_one_begins_next_month(tmp_path):
    """The stock-risk action said "大促前完成入仓" in June (July has no campaign) and in October
    (Double 11 began on 20 October): it names the earliest campaign that begins in the month
    after the period, a week or more after it — September's plan, before 「2026年双11」 — and
    else asks to watch the cover."""
    from shopreport.insights.diagnosis import _campaign_ahead
    from shopreport.metrics import month_period

    phases = [
        {"name": "预热", "start": "2026-10-20", "end": "2026-10-31"},
        {"name": "爆发", "start": "2026-11-01", "end": "2026-11-11"},
    ]
    later = [
        {"name": "双12", "start": "2026-12-01", "end": "2026-12-12"},
    ]
    national = [{"name": "国庆", "start": "2026-10-01", "end": "2026-10-07"}]
    config = read_config(
        write_shop(
            tmp_path,
            {},
            {"orders": {"path": "orders.csv"}},
            campaigns={
                "d12": {"name": "2026年双12", "phases": later},
                "d11": {"name": "2026年双11", "phases": phases},
                "gq": {"name": "国庆", "phases": national},
            },
        )
    )
    ahead = {
        month: _campaign_ahead(
            SimpleNamespace(period=month_period(2026, month)),  # type: ignore[arg-type]
            config.campaigns,
        )
        for month in (6, 8, 9, 10)
    }
    # September: Double 11 (20 October) and 国庆 (1 October, a day after the deck: too late)
    # are next month's; Double 11 the one a week or more ahead. August: 国庆 is the month
    # after next. October: Double 11 under way, Double 12 the month after next.
    assert ahead == {6: None, 8: None, 9: "2026年双11", 10: None}
    say = Narrator("zh-CN", "¥")
    assert say.say("action_stock_risk", ahead="2026年双11").endswith("「2026年双11」前完成入仓。")
    assert say.say("action_stock_risk").endswith("到货前每日跟踪可售天数。")


def test_a_share_chart_gathers_the_rest_in_one_bar():
    """Nine refund reasons of ¥9 … ¥1 (¥45): the chart showed eight and its labels added up to
    97.8 %. Seven bars and "其余2项" of ¥2 + ¥1 = ¥3, 6.7 %; eight or fewer are all shown."""
    from shopreport.deck.monthly import _shares

    ctx = SimpleNamespace(say=Narrator("zh-CN", "¥"))
    rows = [{"reason": f"r{a}", "amount": float(a), "share": a / 45} for a in range(9, 0, -1)]
    bars = _shares(ctx, rows, "reason")  # type: ignore[arg-type]
    assert bars["labels"] == ["r9", "r8", "r7", "r6", "r5", "r4", "r3", "其余2项"]
    assert bars["values"] == [9, 8, 7, 6, 5, 4, 3, 3]
    assert bars["notes"][0] == "20.0%" and bars["notes"][-1] == "6.7%"
    assert _shares(ctx, rows[:8], "reason")["labels"][-1] == "r2"  # type: ignore[arg-type]


def test_a_growth_from_a_tiny_base_is_no_seasonality_to_plan_with(tmp_path):
    """Shopify's explorer shop, July 2021: GMV $742.12, +1654 % on July 2020's $42.30; August
    2020 sold $330.60, so "last year × growth" proposed $5,800 (+681 %). Beyond doubling (or
    halving) the month's level is proposed: $742.12 rounded up to $743. A growth inside the
    band is applied: +40 % → $330.60 × 1.4 = $462.84 → $463."""
    from shopreport.metrics import month_period

    config = read_config(write_shop(tmp_path, {}, {"orders": {"path": "orders.csv"}}))
    august = [{"month": "2020-08", "gmv": 330.60, "orders": 9, "buyers": 9, "visitors": None}]
    for growth, expected in ((16.54, (743, "level")), (0.40, (463, "seasonal"))):
        metrics = {
            "gmv": SimpleNamespace(value=742.12, yoy=growth),
            "buyers": SimpleNamespace(value=20.0, yoy=None),
            "aov": SimpleNamespace(value=742.12 / 20, yoy=None),
        }
        report = SimpleNamespace(
            period=month_period(2021, 7), metrics=metrics, rows=lambda view: august, **WHOLE
        )
        targets = {t.metric: t for t in next_targets(report, config)}  # type: ignore[arg-type]
        assert (targets["gmv"].target, targets["gmv"].basis) == expected


def test_a_month_covered_in_part_holds_no_amount_and_no_refunds_no_ceiling(tmp_path):
    """Medluck's April: Tk 83,950 from 30 buyers over 8 days (the export stops on the 8th), no
    year before, no refunds. "保持本月水平" made May's GMV Tk 84,000 and its refund ceiling
    "≤0.0%": a month covered in part proposes no GMV or buyers (amounts grow with the days), so
    nothing follows from them (AOV is proposed beside a GMV only), and no refund ceiling at 0 %.
    The same month covered whole proposes its GMV (Tk 84,000, rounded up) and buyers (30)."""
    from datetime import date as day

    from shopreport.metrics import month_period
    from shopreport.notes import Note

    config = read_config(write_shop(tmp_path, {}, {"orders": {"path": "orders.csv"}}))
    metrics = {
        "gmv": SimpleNamespace(value=83_950.0, yoy=None),
        "buyers": SimpleNamespace(value=30.0, yoy=None),
        "aov": SimpleNamespace(value=83_950 / 30, yoy=None),
        "refund_rate": SimpleNamespace(value=0.0, yoy=None),
    }
    starts = Note("data_starts", {"date": "2026-04-02", "period": "2026-04"})
    for covered, notes in ((day(2026, 4, 8), []), (None, [starts])):
        report = SimpleNamespace(
            period=month_period(2026, 4),
            metrics=metrics,
            rows=lambda view: [],
            covered_until=covered,
            notes=notes,
        )
        targets = {t.metric: t for t in next_targets(report, config)}  # type: ignore[arg-type]
        assert targets == {}
    report.notes = [Note("short_history", {"date": "2026-01-24", "days": 67})]
    targets = {t.metric: t for t in next_targets(report, config)}  # type: ignore[arg-type]
    assert targets["gmv"].target == 84_000 and targets["buyers"].target == 30
    assert "refund_rate" not in targets


def test_the_plan_table_shows_a_ceiling_as_a_limit_and_asks_only_for_rises(tmp_path):
    """November: GMV ¥1,000, 4 buyers, conversion 5 % and a refund-rate ceiling of 50 % are the
    team's. October: ¥650 from 3 buyers (AOV ¥216.67, September ¥100), 100 visitors, refunds
    33.8 %. Visitors follow as 4 ÷ 5 % = 80 (−20 %: they suffice, nothing to ask); AOV as
    ¥1,000 ÷ 4 = ¥250, +15.4 % on October: the note asks that. The refund limit reads "≤50.0%"
    with no change (it read "+16.2个百分点", a planned rise)."""
    config = write_shop(
        tmp_path,
        {f"{name}.csv": text for name, text in TABLES.items()},
        {name: {"path": f"{name}.csv"} for name in TABLES},
        targets={"2026-11": {"gmv": 1000, "buyers": 4, "conversion": 0.05, "refund_rate": 0.5}},
    )
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=TODAY)
    texts = next(t for t in slides_text(built.path) if "2026年11月目标" in t)
    visitors, refunds = texts.index("访客数"), texts.index("退款率")
    assert texts[visitors + 2 : visitors + 4] == ["80", "-20.0%"]
    assert texts[refunds + 2 : refunds + 4] == ["≤50.0%", "—"]
    assert any("客单价需较本月+15.4%（本月环比+116.7%），GMV目标才能达成。" in t for t in texts)


def test_without_stock_counts_no_product_is_counted_stock_limited(tmp_path):
    """The LIFE shop's October with its inventory: X is 缺货受限 (1), and the note says what
    that means; without an inventory table nothing can be stock-limited: "缺货受限0个" claimed
    a check the data cannot make (Online Retail), so neither is said."""
    files = {"orders.csv": LIFE_ORDERS, "items.csv": LIFE_ITEMS, "products.csv": LIFE_PRODUCTS}
    data = {
        "orders": {"path": "orders.csv"},
        "order_items": {"path": "items.csv"},
        "products": {"path": "products.csv"},
    }
    notes = {}
    for stocked in (True, False):
        folder = tmp_path / str(stocked)
        config = write_shop(
            folder,
            {**files, "inventory.csv": LIFE_INVENTORY} if stocked else files,
            {**data, "inventory": {"path": "inventory.csv"}} if stocked else data,
        )
        built = api.build_deck(config, "monthly", "2026-10", out=folder / "d.pptx", today=TODAY)
        texts = next(t for t in slides_text(built.path) if "TOP商品与生命周期" in t)
        notes[stocked] = next(t for t in texts if t.startswith("在售商品中"))
    assert notes[True].startswith("在售商品中新品0个、成长0个、成熟1个、衰退1个、缺货受限1个")
    assert "销量下滑且期内缺货的为缺货受限" in notes[True]
    # X and Y sold 2 × ¥10 each of ¥140: 28.6 %
    assert notes[False].startswith("在售商品中新品0个、成长0个、成熟1个、衰退2个，衰退商品28.6%。")
    assert "缺货" not in notes[False]


def test_a_quarter_stages_products_against_the_same_quarter_last_year(tmp_path):
    """Units at ¥10 (X's of Q1 2026 at ¥20), Q4 2024 / Q1 / Q3 / Q4 (Double 11) 2025 / Q1 2026:
    X 40 / 10 / 10 / 30 / 11, Y 20 / 20 / 20 / 20 / 10, N (launched June 2025) — / — / — / 10 / 7.
    Against Q4 X and Y fell ≥20 %; against Q1 2025 X grew 10 % (mature) and Y fell 50 %
    (declining). N, unsold a year ago, compares with Q4 grown as the shop grew from Q4 2024 to
    Q1 2025 (30 of 60 units: × 0.5): 7 against 5, +40 %, growing (against Q4's 10 unadjusted,
    −30 %, declining); its growth is not shown in a YoY column. A quarter whose last year the
    history does not reach (Q4 2025: Q4 2024 began before the data) compares with the quarter
    before: X 30 against 10, +200 %, growing; Y 20 against 20, mature."""
    sales = {"X": (40, 10, 10, 30, 11), "Y": (20, 20, 20, 20, 10), "N": (0, 0, 0, 10, 7)}
    days = ("2024-11-11", "2025-01-01", "2025-08-10", "2025-11-11", "2026-02-10")
    rows = [
        (f"{sku}{i}", f"c{sku}{i}", day, qty)
        for sku, units in sales.items()
        for i, (day, qty) in enumerate(zip(days, units, strict=True))
        if qty
    ]
    price = {"X4": 20}  # X's units grew 10 %, its GMV 120 %: the column is units, as the stage
    orders = "order_id,customer_id,order_time,pay_time,paid_amount\n" + "\n".join(
        f"{o},{c},{d} 10:00:00,{d} 10:00:00,{q * price.get(o, 10)}" for o, c, d, q in rows
    )
    items = "order_id,sku,quantity,unit_price,amount\n" + "\n".join(
        f"{o},{o[0]},{q},{price.get(o, 10)},{q * price.get(o, 10)}" for o, c, d, q in rows
    )
    products = """
        sku,category,name,price,unit_cost,launch_date
        X,家电,净水器,10,5,2024-01-01
        Y,家电,吹风机,10,5,2024-01-01
        N,家电,电水壶,10,5,2025-06-01
    """
    config = write_shop(
        tmp_path,
        {"orders.csv": orders, "items.csv": items, "products.csv": products},
        {
            "orders": {"path": "orders.csv"},
            "order_items": {"path": "items.csv"},
            "products": {"path": "products.csv"},
        },
    )
    report = api.compute_kpis(read_config(config), parse_months("2026-Q1"), today=TODAY)
    got = {r["sku"]: (r["stage"], r["basis"], r["growth"]) for r in report.rows(S.PRODUCTS)}
    assert got["X"] == ("mature", "last_year", pytest.approx(0.1))
    assert got["Y"] == ("declining", "last_year", pytest.approx(-0.5))
    assert got["N"] == ("growing", "previous", None)
    q4 = api.compute_kpis(read_config(config), parse_months("2025-Q4"), today=TODAY)
    got = {r["sku"]: (r["stage"], r["basis"], r["growth"]) for r in q4.rows(S.PRODUCTS)}
    assert got["X"] == ("growing", "previous", pytest.approx(2.0))
    assert got["Y"] == ("mature", "previous", pytest.approx(0.0))
    built = api.build_deck(config, "review", "2026-Q1", out=tmp_path / "q1.pptx", today=TODAY)
    texts = next(t for t in slides_text(built.path) if "TOP商品与生命周期" in t)
    assert "同比" in texts and "较上期" not in texts
    assert any(
        "阶段按本期销量与去年同期比较（±20%；去年未售的比季节调整后的上期）" in t for t in texts
    )


# --- 4. the why: every driver a computed contribution on a shop where it is known --------------

ITEMS_HEADER = "order_id,sku,quantity,unit_price,amount"
PRODUCTS_AB = """
    sku,category,name,price,unit_cost
    A,服装,衬衫,100,40
    B,家居,抱枕,100,40
"""


def _orders(rows: list[tuple[str, str, str, float, str]]) -> str:
    head = "order_id,customer_id,order_time,pay_time,paid_amount,channel"
    return head + "\n" + "\n".join(f"{o},{c},{t},{t},{a},{ch}" for o, c, t, a, ch in rows)


def test_a_shop_of_one_category_names_the_region_behind_a_change(tmp_path):
    """One product (A, 服装). September: 广东 ¥100, 浙江 ¥100; October: 广东 ¥400, 浙江 ¥50:
    GMV +¥250, 广东 +¥300 and 浙江 −¥50. With one category the category says nothing (Online
    Retail named a night light's +£22.3K, 6.3 %, beside the UK's +£386K): the region leads, a
    share above 100 % unsaid. With two categories no region is named."""
    rows = [
        ("s1", "u1", "2026-09-01 10:00:00", 100, "广东"),
        ("s2", "u2", "2026-09-06 10:00:00", 100, "浙江"),
        ("o1", "u3", "2026-10-05 10:00:00", 400, "广东"),
        ("o2", "u4", "2026-10-06 10:00:00", 50, "浙江"),
    ]
    orders = "order_id,customer_id,order_time,pay_time,paid_amount,province\n" + "\n".join(
        f"{o},{c},{t},{t},{a},{p}" for o, c, t, a, p in rows
    )
    data = {
        "orders": {"path": "orders.csv"},
        "order_items": {"path": "items.csv"},
        "products": {"path": "products.csv"},
    }
    for skus, region in (("AAAA", ("广东", 300)), ("ABAB", None)):
        items = ITEMS_HEADER + "".join(
            f"\n{o},{sku},1,{a},{a}" for (o, _, _, a, _), sku in zip(rows, skus, strict=True)
        )
        config = write_shop(
            tmp_path / skus,
            {"orders.csv": orders, "items.csv": items, "products.csv": PRODUCTS_AB},
            data,
        )
        drivers = dr.gmv_drivers(kpis(config))
        lead = dr.top(drivers, "region")
        if region is None:
            assert lead is None, skus
            continue
        assert lead is not None and (lead.subject, lead.effect, lead.share) == (*region, None)
        assert next(d for d in drivers if d.kind in dr.PARTS) is lead


@pytest.fixture(scope="module")
def conversion_shop(tmp_path_factory):
    """September: 50 visitors on 搜索 and 50 on 直播, one ¥100 buyer each (2% and 2%).
    October: the same visitors; 搜索 one buyer, 直播 three (6%). GMV 200 → 400, all from 直播's
    conversion and from category 家居 (product 抱枕)."""
    orders = _orders(
        [
            ("s1", "u1", "2026-09-01 10:00:00", 100, "搜索"),
            ("s2", "u2", "2026-09-06 10:00:00", 100, "直播"),
            ("o1", "u3", "2026-10-05 10:00:00", 100, "搜索"),
            ("o2", "u4", "2026-10-06 10:00:00", 100, "直播"),
            ("o3", "u5", "2026-10-07 10:00:00", 100, "直播"),
            ("o4", "u6", "2026-10-08 10:00:00", 100, "直播"),
        ]
    )
    items = ITEMS_HEADER + "\ns1,A,1,100,100\ns2,B,1,100,100\no1,A,1,100,100\n"
    items += "\n".join(f"o{i},B,1,100,100" for i in (2, 3, 4))
    traffic = "date,source,visitors\n" + "\n".join(
        f"2026-{m}-01,{s},50" for m in ("09", "10") for s in ("搜索", "直播")
    )
    folder = tmp_path_factory.mktemp("conversion_shop")
    config = write_shop(
        folder,
        {
            "orders.csv": orders,
            "items.csv": items,
            "products.csv": PRODUCTS_AB,
            "traffic.csv": traffic,
        },
        {
            "orders": {"path": "orders.csv"},
            "order_items": {"path": "items.csv"},
            "products": {"path": "products.csv"},
            "traffic": {"path": "traffic.csv"},
        },
    )
    return kpis(config)


def test_gmv_drivers_name_the_factor_category_source_and_product(conversion_shop):
    drivers = dr.gmv_drivers(conversion_shop)
    factor = dr.top(drivers, "factor")
    assert (factor.subject, factor.effect) == ("conversion", pytest.approx(200))
    assert factor.share == pytest.approx(1.0)
    for kind, name in (("category", "家居"), ("source", "直播"), ("product", "抱枕")):
        part = dr.top(drivers, kind)
        assert (part.subject, part.effect, part.share) == (
            name,
            pytest.approx(200),
            pytest.approx(1.0),
        ), kind


def test_a_larger_fall_is_named_beside_the_part_that_grew_most():
    """GMV +11: 美妆 grew most (+20), yet 家电 fell more (-29) and 母婴 -12 (at least half of
    20); 食品 -5 is too small to name. Saying only "美妆 changed most" would be false."""
    parts = [
        dr.Driver("category", "美妆", 20.0, None),
        dr.Driver("category", "男装", 15.0, None),
        dr.Driver("category", "食品", -5.0, None),
        dr.Driver("category", "母婴", -12.0, None),
        dr.Driver("category", "家电", -29.0, None),
        dr.Driver("source", "直播", -40.0, None),
    ]
    assert [d.subject for d in dr.against(parts, "category", 11.0)] == ["家电", "母婴"]
    assert dr.against(parts, "category", -11.0) == []  # 美妆 moved against a fall: no lead


def test_the_deck_names_the_category_that_fell_more(deck):
    """The test demo's October, worked out from its Parquet files with polars (lines' share of
    their order's amount by line value): GMV ¥121.23万 → ¥130.98万 (+¥9.75万); 女装 grew most,
    +¥46,297.75 (47.5% of the change), while 家用电器 fell ¥36,392.40 — more than half as much,
    so it is named. The headline names the effects that pulled GMV down, the larger first."""
    from tests.deckcheck import slides_text

    texts = [" ".join(t) for t in slides_text(deck)]
    bridge = next(t for t in texts if t.startswith("GMV变化拆解"))
    assert "类目「女装」增长最多：+¥4.63万，占GMV变化的47.5%；「家用电器」-¥3.64万。" in bridge
    assert "变化最大" not in " ".join(texts)
    summary = next(t for t in texts if t.startswith("核心指标完成情况"))
    assert "客单价效应（-¥11.8万）与转化效应（-¥4.13万）抵消了一部分" in summary


def test_late_deliveries_split_by_whether_orders_shipped_on_time(tmp_path):
    """September: 3 orders shipped within 48 h and delivered by the promise, 1 shipped after
    60 h and delivered late (late rate 25%); October: 2 and 2 (50%). Orders shipped late were
    late both months, the others never: the +25 pp is all mix, (0.5 − 0.25) × 100% — more
    orders shipped late, not a slower carrier."""
    head = "order_id,customer_id,order_time,pay_time,paid_amount,ship_time,delivered_time,"
    head += "promised_time\n"
    rows = []
    for month, late_ones in (("09", 1), ("10", 2)):
        for i in range(4):
            paid = f"2026-{month}-0{i + 1} 10:00:00"
            ship = (
                f"2026-{month}-0{i + 1} 20:00:00"
                if i >= late_ones
                else f"2026-{month}-0{i + 3} 22:00:00"
            )
            delivered = (
                f"2026-{month}-1{i} 10:00:00"
                if i < late_ones
                else f"2026-{month}-0{i + 4} 10:00:00"
            )
            promised = f"2026-{month}-0{i + 6} 10:00:00"
            rows.append(f"{month}{i},c{month}{i},{paid},{paid},10,{ship},{delivered},{promised}")
    config = write_shop(
        tmp_path, {"orders.csv": head + "\n".join(rows)}, {"orders": {"path": "orders.csv"}}
    )
    report = kpis(config)
    assert report.metrics["late_delivery_rate"].value == 0.5
    assert report.metrics["late_delivery_rate"].previous == 0.25
    parts = {(d.kind, d.subject): d.effect for d in dr.late_drivers(report)}
    assert parts == {
        ("shipping_mix", "late"): pytest.approx(0.25),  # (0.5 − 0.25) × 1 + (0.5 − 0.75) × 0
        ("shipping_rate", "late"): pytest.approx(0.0),
        ("shipping_rate", "on_time"): pytest.approx(0.0),
    }
    assert dr.late_drivers(report)[0].kind == "shipping_mix"
    assert dr.late_drivers(report)[0].evidence["delivered"] == 4  # October's 4 delivered orders


def test_a_promised_date_covers_its_whole_day(tmp_path):
    """Olist promises a date ("2017-12-05 00:00:00"): a parcel delivered at 18:00 on that day is
    on time, one the next morning late. A promise with a time of day (12:00) is kept to the
    time: delivered at 13:00, late. Four October orders: on the promised date at 18:00 (on
    time), the next day at 09:00 (late), the day before at 23:00 (on time), an hour after a
    12:00 promise (late): 2 of 4 late, 50 % (reading the date as its midnight, 3 of 4)."""
    head = "order_id,customer_id,order_time,paid_amount,ship_time,delivered_time,promised_time\n"
    rows = [
        ("a", "2026-10-10 18:00:00", "2026-10-10 00:00:00"),
        ("b", "2026-10-11 09:00:00", "2026-10-10 00:00:00"),
        ("c", "2026-10-09 23:00:00", "2026-10-10 00:00:00"),
        ("d", "2026-10-10 13:00:00", "2026-10-10 12:00:00"),
    ]
    text = head + "\n".join(
        f"{o},c{o},2026-10-05 10:00:00,10,2026-10-06 10:00:00,{d},{p}" for o, d, p in rows
    )
    config = write_shop(tmp_path, {"orders.csv": text}, {"orders": {"path": "orders.csv"}})
    assert kpis(config).metrics["late_delivery_rate"].value == 0.5


def test_moving_work_to_the_faster_handler_shortens_the_mean():
    """The reviewer's case: the bot answers 30% → 60% of responses and slows 2 s → 20 s, people
    stay at 30 s. Mean 21.6 s → 24.0 s (+2.4 s): the bot's own slowing, 0.3 × 18 = +5.4 s; the
    shares' move, 0.3 × 20 − 0.3 × 30 = −3.0 s (the bot is still the faster) — not "+6.0 s
    because the bot's share rose"."""
    rows = [
        {"handled_by": "bot", "responses": 60, "mean_s": 20.0, "previous_responses": 30,
         "previous_mean_s": 2.0},
        {"handled_by": "human", "responses": 40, "mean_s": 30.0, "previous_responses": 70,
         "previous_mean_s": 30.0},
    ]  # fmt: skip
    report = SimpleNamespace(rows=lambda _: rows)
    parts = {(d.kind, d.subject): d.effect for d in dr.response_drivers(report)}  # type: ignore[arg-type]
    assert parts == {
        ("handler_speed", "bot"): pytest.approx(5.4),
        ("handler_speed", "human"): pytest.approx(0.0),
        ("handler_mix", "bot"): pytest.approx(-3.0),
    }


def test_conversion_drivers_split_rate_and_mix_by_source(conversion_shop):
    # 直播's own rate 2% → 6% at its September visitor share ½: +2 pp, the whole change
    drivers = dr.conversion_drivers(conversion_shop)
    first = drivers[0]
    assert (first.kind, first.subject) == ("source_rate", "直播")
    assert first.effect == pytest.approx(0.02)
    assert sum(d.effect for d in drivers) == pytest.approx(0.04 - 0.02)


@pytest.fixture(scope="module")
def basket_shop(tmp_path_factory):
    """September: two ¥100 orders of one unit. October: the same two buyers' orders, one of
    them with three units (¥300), and ¥60 of it refunded for 尺码不合适 (category 服装)."""
    orders = _orders(
        [
            ("s1", "u1", "2026-09-01 10:00:00", 100, "搜索"),
            ("s2", "u2", "2026-09-06 10:00:00", 100, "直播"),
            ("o1", "u3", "2026-10-05 10:00:00", 300, "搜索"),
            ("o2", "u4", "2026-10-06 10:00:00", 100, "直播"),
        ]
    )
    items = ITEMS_HEADER + "\ns1,A,1,100,100\ns2,B,1,100,100\no1,A,3,100,300\no2,B,1,100,100"
    refunds = "order_id,refund_time,amount,reason,sku\no1,2026-10-06 12:00:00,60,尺码不合适,A"
    folder = tmp_path_factory.mktemp("basket_shop")
    config = write_shop(
        folder,
        {
            "orders.csv": orders,
            "items.csv": items,
            "products.csv": PRODUCTS_AB,
            "refunds.csv": refunds,
        },
        {
            "orders": {"path": "orders.csv"},
            "order_items": {"path": "items.csv"},
            "products": {"path": "products.csv"},
            "refunds": {"path": "refunds.csv"},
        },
    )
    return kpis(config)


def test_aov_drivers_find_more_units_per_order(basket_shop):
    # AOV 100 → 200: units per order 1 → 2 (LMDI weight (200−100)/ln 2 × ln 2 = 100);
    # orders per buyer and price per unit did not move; no category mix (prices equal)
    drivers = {d.kind: d for d in dr.aov_drivers(basket_shop)}
    assert drivers["units_per_order"].effect == pytest.approx(100)
    assert drivers["units_per_order"].share == pytest.approx(1.0)
    assert drivers["orders_per_buyer"].effect == pytest.approx(0)
    assert drivers["price_per_unit"].effect == pytest.approx(0)
    assert drivers["category_mix"].effect == pytest.approx(0)


def test_the_category_mix_names_the_category_that_moved_the_price_per_unit():
    """Units 100 → 100: A (¥100 a unit) 60 → 45, B (¥110) 30 → 40, C (¥500) 10 → 15. The mix
    effect: −0.15 × 100 + 0.10 × 110 + 0.05 × 500 = ¥21 a unit. Against the average ¥164
    (¥16,400 ÷ 100): A −0.15 × −64 = 9.6, B 0.10 × −54 = −5.4, C 0.05 × 336 = 16.8 (sum 21):
    C moved it most, though B gained the most share (+10 pp, priced near the average)."""
    rows = [
        {"category": "A", "units": 45, "previous_units": 60, "gmv": 4500.0},
        {"category": "B", "units": 40, "previous_units": 30, "gmv": 4400.0},
        {"category": "C", "units": 15, "previous_units": 10, "gmv": 7500.0},
    ]
    report = SimpleNamespace(rows=lambda view: rows if view is S.BY_CATEGORY else [])
    mix = dr.category_mix(report)  # type: ignore[arg-type]
    assert mix is not None and mix.effect == pytest.approx(21)
    assert mix.subject == "C" and mix.evidence["share_change"] == pytest.approx(0.05)


def test_refund_drivers_name_the_category_and_its_reason(basket_shop):
    # refund rate 0 → 60 / 400 = 15%, all of it 服装's, all for 尺码不合适
    first = dr.refund_drivers(basket_shop)[0]
    assert (first.subject, first.effect) == ("服装", pytest.approx(0.15))
    assert first.evidence["reason"] == "尺码不合适"
    assert first.evidence["reason_share"] == pytest.approx(1.0)


@pytest.fixture(scope="module")
def loyal_shop(tmp_path_factory):
    """u1 bought in August. September: u1 (returning) and u2 (new), one order each.
    October: u1 twice and u2 once (both returning), u3 once (new). u9's order a year before
    gives both months a year of data before them (a returning share against less is no
    like-for-like change)."""
    orders = _orders(
        [
            ("z1", "u9", "2025-08-01 10:00:00", 10, "搜索"),
            ("a1", "u1", "2026-08-10 10:00:00", 50, "搜索"),
            ("s1", "u1", "2026-09-05 10:00:00", 100, "搜索"),
            ("s2", "u2", "2026-09-06 10:00:00", 100, "搜索"),
            ("o1", "u1", "2026-10-05 10:00:00", 100, "搜索"),
            ("o2", "u1", "2026-10-20 10:00:00", 100, "搜索"),
            ("o3", "u2", "2026-10-06 10:00:00", 100, "搜索"),
            ("o4", "u3", "2026-10-07 10:00:00", 100, "搜索"),
        ]
    )
    folder = tmp_path_factory.mktemp("loyal_shop")
    config = write_shop(folder, {"orders.csv": orders}, {"orders": {"path": "orders.csv"}})
    return kpis(config), kpis(config, month="2026-09")


def test_returning_share_driver_is_the_returning_buyers_count(loyal_shop):
    # returning share ½ → ⅔ (+1/6): new buyers stayed at 1, returning went 1 → 2, so the
    # whole change is the returning count's
    october, _ = loyal_shop
    parts = {d.kind: d.effect for d in dr.returning_drivers(october)}
    assert parts["returning"] == pytest.approx(1 / 6)
    assert parts["new"] == pytest.approx(0)


def test_repurchase_drivers_split_segment_rates_and_mix(loyal_shop):
    # repurchase 0 → ⅓. Returning buyers' own rate 0 → ½ at September's weight ½: +¼; the
    # returning share of buyers ½ → ⅔ at October's rates: (⅔ − ½) × ½ = +1/12
    october, september = loyal_shop
    drivers = dr.repurchase_drivers(october, september)
    assert (drivers[0].kind, drivers[0].subject) == ("segment_rate", "returning")
    assert drivers[0].effect == pytest.approx(0.25)
    mix = next(d for d in drivers if d.kind == "segment_mix")
    assert mix.effect == pytest.approx(1 / 12)
    assert sum(d.effect for d in drivers) == pytest.approx(1 / 3)


def test_stock_risk_joins_next_months_target_with_cover_and_lead_time():
    # GMV planned ×1.5. SKU a: 30 on hand, 2 a day → 3 a day at plan: gone in 10 days, the
    # delivery takes 14: 4 days short × ¥200 a day × 1.5 = ¥1,200. SKU b: 300 on hand, fine.
    rows = [
        {
            "sku": "a",
            "name": "净水器",
            "category": "家电",
            "on_hand": 30.0,
            "velocity": 2.0,
            "daily_gmv": 200.0,
            "days_of_cover": 15.0,
            "lead_time": 14.0,
        },
        {
            "sku": "b",
            "name": "吹风机",
            "category": "家电",
            "on_hand": 300.0,
            "velocity": 2.0,
            "daily_gmv": 200.0,
            "days_of_cover": 150.0,
            "lead_time": 14.0,
        },
    ]
    report = SimpleNamespace(
        rows=lambda view: rows if view is S.SKU_COVER else [],
        metrics={"days_of_cover": SimpleNamespace(value=82.5, yoy=-0.35)},
    )
    (finding,) = stock_risk(report, 1.5)  # type: ignore[arg-type]
    assert (finding.subject, finding.impact) == ("净水器", pytest.approx(1200))
    assert finding.evidence["skus"] == 1 and finding.evidence["growth"] == pytest.approx(0.5)
    assert stock_risk(report, 0.9) == []  # a plan to sell less needs no extra stock
    # GMV ×1.5 of which buyers ×1.2 (AOV ×1.25): a sells 2.4 a day, gone in 12.5 days: 1.5
    # days short × ¥200 × 1.5 = ¥450 (units do not grow with the AOV's part)
    (finding,) = stock_risk(report, 1.5, 1.2)  # type: ignore[arg-type]
    assert finding.impact == pytest.approx(450)
    assert finding.evidence["units_growth"] == pytest.approx(0.2)


# --- 7. layout and formats --------------------------------------------------------------------


def test_member_tiers_are_shown_from_the_lowest_tier_up():
    assert tier_order(["银卡会员", "金卡会员", "普通会员", "钻石会员"]) == [2, 0, 1, 3]
    assert tier_order(["铂金", "黑金", "金卡"]) == [2, 0, 1]  # 铂金 is platinum, not gold
    assert tier_order(["Gold", "VIP1", "员工"]) == [0, 1, 2]  # an unknown name: as given


def test_titles_break_into_even_lines_at_a_space_never_inside_a_word():
    font = Font(bold=True)
    fitted = fit_text(["2025年双11 活动复盘总结报告"], 400, 120, 32, 20, font, balance=True)
    assert [line.strip() for line in fitted.paragraphs[0]] == ["2025年双11", "活动复盘总结报告"]
    date_title = fit_text(
        ["复盘周期 2025-10-20 ~ 2025-11-13"], 250, 120, 28, 20, font, balance=True
    )
    assert all(
        "-" not in (line.strip()[-1:] + line.strip()[:1]) for line in date_title.paragraphs[0]
    )


# --- 6. what seed 000 has: members, promotions, launches, fulfilment ---------------------------

EXTRA_ORDERS = """
    order_id,customer_id,order_time,pay_time,paid_amount,promotion,discount_amount,ship_time,delivered_time
    o0,c4,2026-03-05 10:00,2026-03-05 10:00,300,,,2026-03-05 12:00,2026-03-07 10:00
    o1,c1,2026-10-02 10:00,2026-10-02 10:00,100,满减,20,2026-10-03 09:00,2026-10-05 10:00
    o2,c1,2026-10-10 10:00,2026-10-10 10:00,300,满减,30,2026-10-13 10:00,2026-10-17 10:00
    o3,c2,2026-10-12 10:00,2026-10-12 10:00,200,,,2026-10-12 20:00,2026-10-14 10:00
    o4,c3,2026-10-20 10:00,2026-10-20 10:00,400,限时折扣,40,2026-10-21 10:00,
"""
EXTRA_ITEMS = """
    order_id,sku,quantity,unit_price,amount
    o0,P0,3,100,300
    o1,N1,1,100,100
    o2,A,3,100,300
    o3,N1,2,100,200
    o4,A,4,100,400
"""
EXTRA_PRODUCTS = """
    sku,category,name,price,unit_cost,launch_date
    A,家电,电水壶,100,50,2024-01-01
    P0,家电,三月新品,100,50,2026-03-01
    N1,家电,九月新品,100,50,2026-09-20
"""
EXTRA_CUSTOMERS = """
    customer_id,member_tier
    c1,金卡会员
    c2,普通会员
    c3,金卡会员
    c4,普通会员
    c5,普通会员
"""
EXTRA_REVIEWS = """
    review_time,rating,order_id,sku,text
    2026-10-06 10:00:00,5,o1,N1,很好
    2026-10-18 10:00:00,1,o2,A,太慢了
    2026-10-15 10:00:00,2,o3,N1,一般
"""


@pytest.fixture(scope="module")
def extras(tmp_path_factory):
    """October: c1 (金卡) pays 100 with 满减 and 300 with 满减; c2 (普通) 200 without a
    promotion; c3 (金卡) 400 with 限时折扣; c4 and c5 (普通) buy nothing in October. o2 ships
    after 72 h and is delivered in 7 days (late, rated 1★); o1 and o3 arrive in 3 and 2 days;
    o4 is not delivered yet. 九月新品 was launched 09-20 and sold ¥300 in its first 30 days;
    三月新品 sold ¥300 in its first 30."""
    folder = tmp_path_factory.mktemp("extras")
    files = {
        "orders.csv": EXTRA_ORDERS,
        "items.csv": EXTRA_ITEMS,
        "products.csv": EXTRA_PRODUCTS,
        "customers.csv": EXTRA_CUSTOMERS,
        "reviews.csv": EXTRA_REVIEWS,
    }
    tables = {
        "orders": "orders.csv",
        "order_items": "items.csv",
        "products": "products.csv",
        "customers": "customers.csv",
        "reviews": "reviews.csv",
    }
    config = write_shop(folder, files, {t: {"path": f} for t, f in tables.items()})
    return kpis(config)


def test_member_tiers_gmv_aov_and_repurchase(extras):
    tiers = {r["tier"]: r for r in extras.rows(S.BY_MEMBER_TIER)}
    gold, normal = tiers["金卡会员"], tiers["普通会员"]
    assert (gold["buyers"], gold["orders"], gold["gmv"]) == (2, 3, 800)
    assert (gold["share"], gold["aov"], gold["repurchase_rate"]) == (0.8, 400, 0.5)
    assert (normal["buyers"], normal["gmv"], normal["aov"], normal["repurchase_rate"]) == (
        1,
        200,
        200,
        0,
    )


def test_promotions_by_type_with_order_value_against_no_promotion(extras):
    rows = {r["promotion"]: r for r in extras.rows(S.BY_PROMOTION)}
    assert (rows["满减"]["orders"], rows["满减"]["gmv"], rows["满减"]["discount"]) == (2, 400, 50)
    assert rows["满减"]["order_value"] == 200 and rows["满减"]["uplift"] == pytest.approx(0)
    assert rows["限时折扣"]["uplift"] == pytest.approx(1.0)  # ¥400 against ¥200 without
    assert rows[None]["order_value"] == 200


def test_new_products_first_30_days_against_earlier_launches(extras):
    (launch,) = extras.rows(S.NEW_PRODUCTS)
    assert (launch["name"], launch["gmv"], launch["days_on_sale"]) == ("九月新品", 300, 30)
    assert launch["gmv_per_day"] == pytest.approx(10)
    assert launch["benchmark_per_day"] == pytest.approx(10)  # 三月新品: ¥300 / 30 days


def test_fulfilment_and_the_bad_reviews_of_late_deliveries(extras):
    m = extras.metrics
    assert m["shipped_orders"].value == 4
    assert m["ship_on_time_rate"].value == pytest.approx(3 / 4)  # o2 took 72 h
    assert m["delivery_days"].value == pytest.approx((3 + 7 + 2) / 3)
    assert m["late_delivery_rate"].value == pytest.approx(1 / 3)  # o2: 7 days > 5
    reviews = {r["delivery"]: r for r in extras.rows(S.DELIVERY_REVIEWS)}
    assert (reviews["late"]["reviews"], reviews["late"]["bad_rate"]) == (1, 1.0)
    assert (reviews["on_time"]["reviews"], reviews["on_time"]["bad_rate"]) == (2, 0.5)


# --- 2 and 5. the annual review takes its campaigns from the campaign engine ------------------


def test_the_annual_reviews_campaign_figures_are_the_campaign_retrospectives(small_shop):
    from shopreport import api
    from shopreport.metrics.annual import compute_annual
    from shopreport.metrics.campaign import compute_campaign
    from shopreport.metrics.period import year_to_date

    ds = api.load(small_shop)
    annual = compute_annual(ds, year_to_date(2025, TODAY), TODAY)
    assert {c.key for c in annual.campaigns} == {"618-2025", "double11-2025"}
    for c in annual.campaigns:
        retro = compute_campaign(ds, c.key, TODAY)
        assert c.gmv == pytest.approx(retro.report.metrics["gmv"].value), c.key
        if retro.compared is None:
            assert c.compared_gmv is None and c.growth is None, c.key
        else:
            assert c.compared_gmv == pytest.approx(retro.compared.metrics["gmv"].value), c.key


def test_a_year_partly_covered_last_year_is_compared_on_the_months_both_have(tmp_path):
    # the data starts 2024-09-02 (the demo, seed 7, 60 orders a month): September 2024 is
    # partial, so 2025 is compared with 2024 on October–December, whole months both years have
    import polars as pl

    from shopreport import api
    from shopreport.metrics.annual import compute_annual
    from shopreport.metrics.period import year_to_date

    config = api.make_demo(tmp_path, end="2025-12", months=16, orders_per_month=60)
    annual = compute_annual(api.load(config), year_to_date(2025, TODAY), TODAY)
    orders = pl.read_parquet(tmp_path / "data" / "orders")
    assert orders["pay_time"].min().date() == date(2024, 9, 2)
    assert annual.comparable is not None
    assert (annual.comparable.period.start, annual.comparable.period.end) == (
        date(2025, 10, 1),
        date(2026, 1, 1),
    )
    paid = orders.filter(pl.col("pay_time").is_not_null())  # closed orders were never paid

    def gmv(start: str, end: str) -> float:
        window = paid.filter(
            (pl.col("pay_time") >= pl.lit(start).str.to_datetime())
            & (pl.col("pay_time") < pl.lit(end).str.to_datetime())
        )
        return float(window["paid_amount"].sum())

    gmv_now = annual.comparable.metrics["gmv"]
    assert gmv_now.value == pytest.approx(gmv("2025-10-01", "2026-01-01"))
    assert gmv_now.last_year == pytest.approx(gmv("2024-10-01", "2025-01-01"))


def test_a_campaigns_new_buyers_are_one_number(small_shop):
    # the KPI card's new buyers and the follow-up's "活动新客" are the same people
    from shopreport import api
    from shopreport.metrics.campaign import compute_campaign

    retro = compute_campaign(api.load(small_shop), "double11-2025", TODAY)
    assert retro.facts["followup"]["new_buyers"] == retro.report.metrics["new_buyers"].value


def test_next_years_targets_follow_the_years_growth_and_the_teams_own_win(tmp_path):
    # one ¥100 order a month in 2024 and ¥120 a month in 2025: growth +20%, so each month of
    # 2026 is proposed at 120 × 1.2 = 144; the team set January 2026 at 200 itself
    from shopreport import api
    from shopreport.insights.plan import year_targets
    from shopreport.metrics.annual import compute_annual
    from shopreport.metrics.period import year_to_date

    rows = [
        (f"y{year}m{m}", f"c{m}", f"{year}-{m:02d}-15 10:00:00", amount, "搜索")
        for year, amount in ((2024, 100), (2025, 120))
        for m in range(1, 13)
    ]
    config = write_shop(
        tmp_path,
        {"orders.csv": _orders(rows)},
        {"orders": {"path": "orders.csv"}},
        targets={"2026-01": {"gmv": 200}},
    )
    annual = compute_annual(api.load(read_config(config)), year_to_date(2025, TODAY), TODAY)
    targets = {t.month: t for t in year_targets(annual, read_config(config))}
    assert (targets["2026-01"].target, targets["2026-01"].source) == (200, "config")
    for month in ("2026-02", "2026-07", "2026-12"):
        t = targets[month]
        assert (t.actual, t.target, t.source, t.basis) == (120, 144, "proposed", "growth")
        assert t.growth == pytest.approx(0.2)


def test_a_change_in_points_is_between_the_rates_as_printed():
    """19.66% against 12.21% is printed 19.7% and 12.2%: its change is 7.5 points, not 7.4
    (the exact difference, 7.44, made a deck contradict itself)."""
    from shopreport.fmt import fmt_pct, fmt_pp
    from shopreport.metrics.report import MetricValue

    late = MetricValue("late_delivery_rate", 0.1966, 0.1221, 0.2049, None, None)
    assert (fmt_pct(late.value), fmt_pct(late.previous)) == ("19.7%", "12.2%")
    assert fmt_pp(late.mom_pp) == "+7.5个百分点"
    assert fmt_pp(late.yoy_pp) == "-0.8个百分点"  # 19.7% against 20.5%
    assert MetricValue("gmv", 1.0, 2.0, None, None, None).mom_pp is None  # not a rate


def test_problems_too_small_for_the_meeting_are_left_out(monkeypatch):
    """GMV ¥5,000,000, min_problem_gmv_share 0.1%: a ¥1,600 refund problem (0.03%) is left out,
    a ¥5,000 one (exactly 0.1%) stays, and slow movers (money tied up, GMV at risk 0) stay."""
    from shopreport.config import Thresholds
    from shopreport.insights import diagnosis as dg

    rules = {
        "refund_rate": lambda r, t: [
            dg.Finding("refund_rate", "食品饮料", 1_600.0),
            dg.Finding("refund_rate", "女装", 5_000.0),
        ],
        "slow_movers": lambda r, t: [
            dg.Finding("slow_movers", "x", 0.0, context={"tied_up": 6_390.0})
        ],
    }
    monkeypatch.setattr(dg, "RULES", rules)
    report = SimpleNamespace(metrics={"gmv": SimpleNamespace(value=5_000_000.0)})
    found = dg.find_problems(report, Thresholds())  # type: ignore[arg-type]
    assert [(f.rule, f.subject) for f in found] == [("refund_rate", "女装"), ("slow_movers", "x")]


def test_spend_without_attributed_gmv_says_roi_cannot_be_computed(tmp_path):
    """Marketing with date, channel and spend only (attributed GMV is optional): the paid-media
    slide states the spend, ¥100 + ¥80, and that ROI cannot be computed (the sentence formatted
    an empty ROI and the build stopped)."""
    from shopreport import api
    from tests.deckcheck import slides_text

    marketing = "date,channel,spend\n2026-10-01,直通车,100\n2026-10-02,引力魔方,80"
    tables = {"orders": TABLES["orders"], "marketing": marketing}
    config = write_shop(
        tmp_path,
        {f"{n}.csv": t for n, t in tables.items()},
        {n: {"path": f"{n}.csv"} for n in tables},
    )
    out = api.build_deck(
        config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=date(2026, 11, 20)
    )
    texts = " ".join(" ".join(t) for t in slides_text(out.path))
    assert "本月推广花费¥180；推广数据没有成交金额，ROI无法计算。" in texts


def test_a_part_against_the_change_or_too_small_to_show_is_no_cause():
    """Conversion fell 0.4 points: a source's part of +0.0004 (shown '+0.0个百分点') or of
    +0.1 points is not why it fell; a part of -0.3 points is."""
    from shopreport.deck.monthly import explains

    def part(effect: float) -> dr.Driver:
        return dr.Driver("source_rate", "搜索", effect, None, {})

    assert not explains(part(-0.0004), -0.004)
    assert not explains(part(0.001), -0.004)
    assert explains(part(-0.003), -0.004)
    assert not explains(part(-0.003), 0.0)


def test_one_alert_line_per_metric_in_a_deck():
    """The diagnosis deck called both 5 % (the bad-review problem's 警戒线) and 10 % (the
    scorecard's) the bad-review rate's 警戒线: the scorecard's line is the problem's."""
    from pathlib import Path

    import yaml

    templates = Path(__file__).resolve().parents[1] / "templates"
    thresholds = yaml.safe_load((templates / "thresholds.yaml").read_text(encoding="utf-8"))
    card = yaml.safe_load((templates / "scorecard.yaml").read_text(encoding="utf-8"))
    lines = [
        m
        for part in card["parts"].values()
        for m in part["metrics"]
        if m["metric"] == "bad_review_rate"
    ]
    assert [m["poor"] for m in lines] == [thresholds["bad_review_rate_max"]] == [0.05]


def test_a_minority_part_is_the_largest_not_the_main_cause():
    """Conversion rose 0.4 points, of which 「直播」's share moving gave 0.1: not "主要因为"."""
    from shopreport.deck.monthly import largest_part

    text = "主要因为访客向「直播」集中，拉高全店支付转化率0.1个百分点。"
    small = dr.Driver("source_mix", "直播", 0.001, 0.25, {})
    assert largest_part(text, small) == (
        "部分因为访客向「直播」集中，拉高全店支付转化率0.1个百分点。"  # (it said "其中，")
    )
    large = dr.Driver("source_mix", "直播", 0.003, 0.75, {})
    assert largest_part(text, large) == text
    assert largest_part("Mostly because orders shipped late.", small) == (
        "Partly because orders shipped late."
    )
    assert largest_part("mostly the price per unit, ¥278 → ¥260.", small) == (
        "partly the price per unit, ¥278 → ¥260."
    )


def test_bad_reviews_from_late_deliveries_are_not_counted_twice():
    """GMV ¥10,000,000, bad-review rate 12.4 % (limit 5 %), 19.9 % of deliveries late (limit
    10 %), late orders reviewed badly 31.6 % of the time, on-time ones 7.6 %. Late deliveries
    add 19.9 % × (31.6 − 7.6) % = 4.776 points of bad reviews: ¥477,600 of GMV at risk, the
    late-delivery problem's. The bad-review problem keeps the rest of its excess, 12.4 − 5 −
    4.776 = 2.624 points: ¥262,400 (it counted all 7.4 points, ¥740,000, so the two together
    counted ¥477,600 twice)."""
    from shopreport.config import Thresholds
    from shopreport.deck.narrative import Narrator
    from shopreport.insights import diagnosis as dg

    metrics = {
        "gmv": 10_000_000.0,
        "bad_review_rate": 0.124,
        "late_delivery_rate": 0.199,
        "ship_on_time_rate": None,
        "delivery_days": None,
        "shipped_orders": None,
    }
    delivery = [
        {"delivery": "late", "reviews": 250, "bad_rate": 0.316},
        {"delivery": "on_time", "reviews": 1000, "bad_rate": 0.076},
    ]
    report = SimpleNamespace(
        metrics={k: SimpleNamespace(value=v, previous=None) for k, v in metrics.items()},
        rows=lambda view: delivery if view is S.DELIVERY_REVIEWS else [],
    )
    (late,) = dg.late_delivery(report, Thresholds())  # type: ignore[arg-type]
    (bad,) = dg.bad_reviews(report, Thresholds())  # type: ignore[arg-type]
    assert late.impact == pytest.approx(477_600)
    assert late.evidence["slow_dispatch"] is False  # shipped on time not known
    # shipped on time 92.9 % → 61.7 % (31 points, ≥ 5) as late deliveries rose from 12 %: the
    # delays start in the warehouse
    report.metrics["ship_on_time_rate"] = SimpleNamespace(value=0.617, previous=0.929)
    report.metrics["late_delivery_rate"].previous = 0.12
    (dispatch,) = dg.late_delivery(report, Thresholds())  # type: ignore[arg-type]
    assert dispatch.evidence["slow_dispatch"] is True
    said = Narrator("zh-CN", "¥").say("action_late_delivery_short", **dispatch.evidence)
    assert said == "增派仓库人手，清理发货积压"
    assert bad.impact == pytest.approx(262_400)
    assert bad.evidence["late_part"] == pytest.approx(0.04776)
    said = Narrator("zh-CN", "¥").say("finding_bad_reviews", **bad.evidence, impact=bad.impact)
    assert said.endswith(
        "；其中延迟送达带来4.8个百分点（计入物流延迟问题），其余超出部分估计影响GMV ¥26.2万。"
    )
    # a bad-review rate of 9 %: 4 points over the limit, all of them late deliveries' 4.776: the
    # late-delivery problem is the one (it showed as "差评率偏高（—）")
    report.metrics["bad_review_rate"].value = 0.09
    assert dg.bad_reviews(report, Thresholds()) == []  # type: ignore[arg-type]
    # orders without amounts: no GMV to put at risk, the problem stays (not estimated)
    report.metrics["gmv"].value = None
    report.metrics["bad_review_rate"].value = 0.20
    (unknown,) = dg.bad_reviews(report, Thresholds())  # type: ignore[arg-type]
    assert (unknown.rule, unknown.impact) == ("bad_reviews", 0.0)


def _late_report(
    rows: dict[Any, list[dict[str, Any]]],
    ship: tuple[float, float],
    late: tuple[float, float] = (0.142, 0.058),
    shipped: tuple[float | None, None] = (None, None),
) -> Any:
    """A month of GMV ¥1,000,000 with `late` = (now, before) of deliveries late (limit 10 %) and
    shipped on time `ship`, whose breakdowns are `rows`."""
    metrics = {"gmv": (1_000_000.0, None), "late_delivery_rate": late}
    metrics |= {"ship_on_time_rate": ship, "delivery_days": (3.0, None), "shipped_orders": shipped}
    return SimpleNamespace(
        metrics={k: SimpleNamespace(value=v, previous=p) for k, (v, p) in metrics.items()},
        rows=lambda view: rows.get(view, []),
    )


def test_late_deliveries_name_the_provinces_they_gather_in():
    """Delivered (late): 广东 1,000 (100), 新疆 200 (60), 四川 100 (12), 西藏 50 (20): 192 of 1,350,
    14.22 %. Late orders beyond the shop's rate: 新疆 60 − 200 × 14.22 % = 31.6 (16 % of the late
    orders, rate 30 % ≥ 1.3 × 14.22 %), 西藏 20 − 7.1 = 12.9 (6.7 %, 40 %); 广东 and 四川 are below
    the shop's rate. Together 80 of the 192 late orders, 41.7 %. Two reviews of late orders are
    too few to compare with on-time ones (they read "100 % bad"): no bad-review rates and no
    GMV at risk is said, rather than "估计影响GMV ¥0"."""
    from shopreport.config import Thresholds
    from shopreport.deck.narrative import Narrator
    from shopreport.insights import diagnosis as dg

    provinces = [
        {"province": "广东", "delivered": 1000, "late": 100},
        {"province": "新疆", "delivered": 200, "late": 60},
        {"province": "四川", "delivered": 100, "late": 12},
        {"province": "西藏", "delivered": 50, "late": 20},
    ]
    reviews = [
        {"delivery": "late", "reviews": 2, "bad": 2, "bad_rate": 1.0},
        {"delivery": "on_time", "reviews": 52, "bad": 7, "bad_rate": 7 / 52},
    ]
    rows = {S.LATE_BY_PROVINCE: provinces, S.DELIVERY_REVIEWS: reviews}
    (late,) = dg.late_delivery(_late_report(rows, (0.9, 0.9)), Thresholds())
    assert [r["province"] for r in late.evidence["routes"]] == ["新疆", "西藏"]
    assert late.impact == 0 and late.evidence["bad_late"] is None
    say = Narrator("zh-CN", "¥").say
    assert say("finding_late_delivery", **late.evidence, impact=late.impact) == (
        "延迟送达率14.2%（上月5.8%），高于10.0%的警戒线，延迟集中在新疆、西藏"
        "（延迟率30.0%、40.0%，合计占延迟订单的41.7%）。"
    )
    assert say("action_late_delivery_short", **late.evidence) == "核查发往新疆、西藏的线路"
    english = Narrator("en", "¥").say("finding_late_delivery", **late.evidence, impact=0.0)
    assert "gathered in 新疆, 西藏 (30.0%, 40.0% late, 41.7% of late orders)." in english
    # spread evenly (every province at the shop's rate): no province is named
    even = [{"province": p, "delivered": 100, "late": 14} for p in ("广东", "新疆", "西藏")]
    (spread,) = dg.late_delivery(_late_report({S.LATE_BY_PROVINCE: even}, (0.9, 0.9)), Thresholds())
    assert spread.evidence["routes"] == []


def test_late_deliveries_start_in_the_warehouse_only_when_the_fulfilment_slide_says_so():
    """Olist, November 2017: shipped within 48 h 52.1 % → 37.4 % (a fall of 14.7 points), but
    of the late rate's rise 5.8 % → 14.5 % (8.7 points), orders shipped late arriving late more
    often (9.0 % → 18.4 % at last month's 48.0 % weight: 4.5 points) and those shipped on time
    (2.8 % → 8.1 % at 52.0 %: 2.7 points) outweigh more orders shipping late (1.5 points): the
    fulfilment slide says "mostly because orders shipped late arrived late more often", so the
    card says both slowed, not "mostly in dispatch". When more orders shipping late is at least
    half of the change (half the orders ship late instead of a tenth, each kind arriving late as
    often as before: all of it), the warehouse is the cause."""
    from shopreport.config import Thresholds
    from shopreport.insights import diagnosis as dg

    def shipping(late: tuple[int, ...], on_time: tuple[int, ...]) -> list[dict[str, Any]]:
        keys = ("delivered", "late", "previous_delivered", "previous_late")
        return [{"shipping": "late", **dict(zip(keys, late, strict=True))},
                {"shipping": "on_time", **dict(zip(keys, on_time, strict=True))}]  # fmt: skip

    olist = {S.LATE_BY_SHIPPING: shipping((1031, 190, 455, 41), (619, 50, 493, 14))}
    (carriers,) = dg.late_delivery(_late_report(olist, (0.374, 0.521)), Thresholds())
    assert carriers.evidence["slow_dispatch"] is False
    assert carriers.evidence["dispatch_part"] is True  # shipping slowed too, 14.7 points
    said = Narrator("zh-CN", "¥").say("action_late_delivery_short", **carriers.evidence)
    assert said == "加快发货，核查延迟线路"
    backlog = {S.LATE_BY_SHIPPING: shipping((500, 250, 100, 50), (500, 25, 900, 45))}
    (warehouse,) = dg.late_delivery(_late_report(backlog, (0.5, 0.9)), Thresholds())
    assert warehouse.evidence["slow_dispatch"] is True
    assert warehouse.evidence["dispatch_part"] is False
    # late deliveries that fell, 25 % → 10.5 % (shipped late 40 % → 20 %, on time 23.3 % →
    # 6.4 %): no cause of a rise is named, the warehouse's or the carriers'
    falling = {S.LATE_BY_SHIPPING: shipping((300, 60, 100, 40), (700, 45, 900, 210))}
    (fell,) = dg.late_delivery(_late_report(falling, (0.7, 0.9), (0.105, 0.25)), Thresholds())
    assert (fell.evidence["slow_dispatch"], fell.evidence["dispatch_part"]) == (False, False)
    # orders shipped on time arrive late no more often (5.0 % → 4.9 %): the rise is the orders
    # shipped late arriving later still, the warehouse's (the card said "按时发出的订单也更常延迟")
    later = {S.LATE_BY_SHIPPING: shipping((300, 150, 200, 40), (700, 34, 800, 40))}
    (ware,) = dg.late_delivery(_late_report(later, (0.7, 0.8), (0.184, 0.08)), Thresholds())
    assert (ware.evidence["slow_dispatch"], ware.evidence["dispatch_part"]) == (True, False)
    # a week reported on Monday: 1,000 of its 4,000 shipped orders delivered (25 %), the fastest
    # ones; its late rate is not judged yet (W44 read 16.3 % against 40.0 %)
    early = _late_report(later, (0.7, 0.8), (0.184, 0.08), shipped=(4_000, None))
    assert dg.late_delivery(early, Thresholds()) == []
    done = _late_report(later, (0.7, 0.8), (0.184, 0.08), shipped=(1_200, None))
    assert len(dg.late_delivery(done, Thresholds())) == 1  # 1,000 of 1,200: 83 %


def test_a_slides_written_cards_all_have_a_heading_or_none_does():
    """A campaign's actions "大促前30天锁定TOP20商品库存，建立断货预警" and
    "高峰时段客服排班提前一周确认": the second has no comma to split at, and stood as a bare
    heading over an empty body beside a card with both. A slide's cards are split only when
    every one of them can be."""
    from shopreport.deck.blocks import person_cards
    from shopreport.deck.model import Card

    both = ["直播间改版：新直播间上线", "完成会员体系升级，上线积分商城"]
    assert person_cards(both) == [
        Card("直播间改版", "新直播间上线"),
        Card("完成会员体系升级", "上线积分商城"),
    ]
    mixed = ["大促前30天锁定TOP20商品库存，建立断货预警", "高峰时段客服排班提前一周确认"]
    assert person_cards(mixed) == [
        Card("", "大促前30天锁定TOP20商品库存，建立断货预警"),
        Card("", "高峰时段客服排班提前一周确认"),
    ]


def test_slow_movers_are_a_problem_when_their_stock_matters():
    """¥3,682 of slow stock in a ¥4,274,638 stock (0.09 %) was the annual review's 7th problem:
    a problem needs ≥ ¥1,000 and ≥ 1 % of the stock's value; ¥6,390 of ¥500,000 (1.28 %) is."""
    from shopreport.config import Thresholds
    from shopreport.insights import diagnosis as dg

    def report(slow: float, stock: float) -> SimpleNamespace:
        values = {"slow_stock_value": slow, "stock_value": stock, "slow_movers": 4}
        return SimpleNamespace(
            metrics={k: SimpleNamespace(value=v) for k, v in values.items()}, rows=lambda _: []
        )

    assert dg.slow_movers(report(3_682, 4_274_638), Thresholds()) == []  # type: ignore[arg-type]
    (found,) = dg.slow_movers(report(6_390, 500_000), Thresholds())  # type: ignore[arg-type]
    assert found.context == {"tied_up": 6_390}


def _campaign_summary(
    tmp_path, orders: str, phase: tuple[str, str], kind: str, label: str, today=date(2026, 8, 3)
):
    """The KPI summary of a shop whose only campaign (大促) runs over `phase` (first, last day)."""
    campaign = {"name": "大促", "phases": [{"name": "爆发", "start": phase[0], "end": phase[1]}]}
    config = write_shop(
        tmp_path,
        {"orders.csv": orders},
        {"orders": {"path": "orders.csv"}},
        campaigns={"c": campaign},
    )
    built = api.build_deck(config, kind, label, out=tmp_path / "d.pptx", today=today)
    return " ".join(slides_text(built.path)[3])


def test_a_fall_after_a_campaign_month_names_the_campaign(tmp_path):
    """June: ¥100 on the 1st and a campaign (18–20 June) of ¥300 + ¥200; July: ¥100 + ¥50. July
    fell ¥450 against a June that had the campaign (¥500, 500 / 600 = 83.3 % of June) and has
    none itself: the summary says so, whatever the bridge (no traffic here) can tell."""
    orders = """
        order_id,customer_id,order_time,paid_amount
        o1,a,2026-06-01 10:00:00,100
        o2,b,2026-06-18 10:00:00,300
        o3,c,2026-06-19 10:00:00,200
        o4,d,2026-07-01 10:00:00,100
        o5,e,2026-07-31 10:00:00,50
    """
    summary = _campaign_summary(
        tmp_path, orders, ("2026-06-18", "2026-06-20"), "monthly", "2026-07"
    )
    # the campaign (¥500) is more than half the fall (¥450): it leads the cause
    assert (
        "。\n下降主要来自大促（上月活动期较本月同期多¥500）："
        "上月含「大促」（活动期GMV ¥500，占上月的83.3%），本月无该活动。" in summary
    )


def test_a_campaign_day_the_month_before_lacks_adds_nothing_against_the_same_days(tmp_path):
    """September: ¥100 on the 1st, ¥50 on the 30th (¥150); October: ¥100 on the 1st and a
    campaign (29–31 October) of ¥600 on the 30th and ¥400 on the 31st (¥1,100): +¥950. Against
    the same days of September the campaign added ¥600 − ¥50 = ¥550 on the 30th (the 29th: ¥0
    both); the 31st has no September day to compare with, so it adds nothing to the gain (it
    read ¥950: ¥400 against ¥0). ¥550 ≥ half of ¥950: the campaign still leads the cause."""
    orders = """
        order_id,customer_id,order_time,paid_amount
        o1,a,2026-09-01 10:00:00,100
        o2,b,2026-09-30 10:00:00,50
        o3,c,2026-10-01 10:00:00,100
        o4,d,2026-10-30 10:00:00,600
        o5,e,2026-10-31 10:00:00,400
    """
    summary = _campaign_summary(
        tmp_path, orders, ("2026-10-29", "2026-10-31"), "monthly", "2026-10", date(2026, 11, 3)
    )
    # the gain names its days: "活动期GMV ¥1,000" counts the 31st, "多¥550" does not, and
    # the 31st is said on its own
    said = "增长主要来自大促（本月活动期10月29–30日较上月同日多¥550，10月31日上月无同日，¥400）"
    assert said in summary, summary
    # 1 October selling ¥40 (not ¥100): +¥890 = ¥550 + ¥400 − ¥60, and the ¥60 the other days
    # lost is said with them (October's summary gave +¥10.3万 and ¥24.2万 of a +¥11.0万 month)
    summary = _campaign_summary(
        tmp_path / "less", orders.replace("10:00:00,100\n        o4", "10:00:00,40\n        o4"),
        ("2026-10-29", "2026-10-31"), "monthly", "2026-10", date(2026, 11, 3),
    )  # fmt: skip
    assert said[:-1] + "；10月1–28日较上月同日少¥60）" in summary, summary


def test_a_quarter_after_a_campaign_quarter_names_the_campaign(tmp_path):
    """Q4 2025: ¥100 on 1 October and ¥500 on 11 November, a campaign of 10–12 November; Q1
    2026: ¥100 + ¥50 + ¥10 = ¥160. Q4 has 92 days, Q1 90: the campaign's days (41–43 of Q4)
    are within Q1's 90 daily rows, so the fall says "上期含「大促」（活动期GMV ¥500，占上期的
    500 / 600 = 83.3%），本期无大促" (it was left out: the rows were fewer than Q4's days)."""
    orders = """
        order_id,customer_id,order_time,paid_amount
        o0,z,2025-03-01 10:00:00,100
        o1,a,2025-11-11 10:00:00,500
        o2,b,2025-10-01 10:00:00,100
        o3,c,2026-01-05 10:00:00,100
        o4,d,2026-02-05 10:00:00,50
        o5,e,2026-03-31 10:00:00,10
    """
    summary = _campaign_summary(tmp_path, orders, ("2025-11-10", "2025-11-12"), "review", "2026-Q1")
    assert "本期GMV ¥160，环比下降73.3%" in summary
    assert "上期含「大促」（活动期GMV ¥500，占上期的83.3%），本期无该活动。" in summary


def test_a_week_against_last_years_peak_day_names_the_phase(tmp_path):
    """The exports end on Saturday 31 October 2026, inside the week's warm-up (¥50 a day, six
    days: ¥300); last year's same six days, 27 October – 1 November 2025, held the warm-up
    (¥100) and the peak's first day (¥400): ¥500, −40 % YoY. Both weeks had a warm-up; only last
    year's had the peak: "去年同周含「大促2025」「爆发」阶段（GMV ¥400，占去年同周的80.0%）"
    (the W44 deck said −18.5 % and nothing of it). This week's peak starts on Sunday 1
    November, after the exports end: not "本周无该阶段" but "本周该阶段自11月1日起，不在已有
    数据内"."""
    orders = "order_id,customer_id,order_time,paid_amount\n" + "\n".join(
        [
            "a,a,2025-10-27 10:00:00,100",
            "b,b,2025-11-01 10:00:00,400",
            "c,c,2026-10-19 10:00:00,100",
            *(f"d{d},d,2026-10-{d} 10:00:00,50" for d in range(26, 32)),
        ]
    )

    def campaign(year: int, warm_up: str) -> dict[str, Any]:
        phases = [
            ("预热", f"{year}-10-{warm_up}", f"{year}-10-31"),
            ("爆发", f"{year}-11-01", f"{year}-11-11"),
        ]
        return {
            "name": f"大促{year}",
            "phases": [{"name": n, "start": a, "end": b} for n, a, b in phases],
        }

    config = write_shop(
        tmp_path,
        {"orders.csv": orders},
        {"orders": {"path": "orders.csv"}},
        campaigns={"c25": campaign(2025, "27"), "c26": campaign(2026, "26")},
    )
    built = api.build_deck(config, "weekly", "2026-W44", out=tmp_path / "w.pptx", today=TODAY)
    # the cover names the days the data covers (it said 10月26日–11月1日)
    assert "周度运营复盘 · 10月26日–10月31日" in slides_text(built.path)[0]
    summary = " ".join(slides_text(built.path)[1])
    assert "统计周期：2026-10-26 至 2026-10-31" in summary and "同比下降40.0%" in summary
    assert (
        "。去年同周含「大促2025」「爆发」阶段（GMV ¥400，占去年同周的80.0%），"
        "本周该阶段自11月1日起，不在已有数据内。" in summary
    )


def _campaign_month(tmp_path, orders: list[str], phases: list[tuple[str, str, str]]) -> str:
    """The October 2026 KPI summary of a shop with `orders` ("day,amount") and one campaign."""
    text = "order_id,customer_id,order_time,paid_amount\n" + "\n".join(
        f"o{i},c{i},{o.split(',')[0]} 10:00:00,{o.split(',')[1]}" for i, o in enumerate(orders)
    )
    campaign = {"name": "大促", "phases": [{"name": n, "start": a, "end": b} for n, a, b in phases]}
    config = write_shop(tmp_path, {"orders.csv": text}, {"orders": {"path": "orders.csv"}},
                        campaigns={"c": campaign})  # fmt: skip
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=TODAY)
    return " ".join(slides_text(built.path)[3])


def test_a_campaign_the_month_holds_is_said_once(tmp_path):
    """October holds a campaign (20–31 October) that September and October 2025 lack: one note
    names both ("上月与去年同月均无大促"), not two notes run together ("。；"). With a warm-up
    in September (15–24, within the 24 days compared) and the peak in October, and no campaign
    last year, the month-on-month note (the peak) is the one said. Exports that stop on 24
    October still name the campaign's days up to then: ¥150 a day, 5 of 24 days, ¥750 of
    ¥3,600 (20.8 %); it was left out."""
    oct_days = [f"2026-10-{d:02d},150" for d in range(1, 25)]
    sep_days = [f"2026-09-{d:02d},100" for d in range(1, 31)]
    history = ["2025-10-01,100", "2025-10-31,100", *sep_days, *oct_days]
    both = _campaign_month(tmp_path / "both", history, [("爆发", "2026-10-20", "2026-10-31")])
    # its days added 5 × ¥50 = ¥250 of the +¥1,200 (every day rose 50 %): it does not lead
    assert "。\n本月含「大促」（活动期GMV ¥750，占本月的20.8%），上月与去年同月均无该活动。" in both
    assert "主要来自大促" not in both
    assert "。；" not in both
    phases = [("预热", "2026-09-15", "2026-09-24"), ("爆发", "2026-10-20", "2026-10-31")]
    peak = _campaign_month(tmp_path / "peak", history, phases)
    # last year lacks the peak too (it has no campaign): one note for both
    assert (
        "\n本月含「大促」「爆发」阶段（GMV ¥750，占本月的20.8%），上月与去年同月均无该阶段。"
        in peak
    )
    assert peak.count("含「大促」") == 1


def test_a_product_with_mostly_bad_reviews_is_a_problem_of_its_own():
    """破壁机: 33 of 41 reviews bad (80.5 %), ¥100,000 of GMV, 5 % of the shop's bad reviews (no
    concentration). Its problem: ¥100,000 × (80.5 − 5) % = ¥75,500. The shop's bad-review rate
    12.4 % over a ¥5,000,000 month: 7.4 points over the limit, ¥370,000, less the product's
    ¥75,500 counted there: ¥294,500."""
    from shopreport.config import Thresholds
    from shopreport.insights import diagnosis as dg

    top = {"sku": "P", "name": "破壁机", "reviews": 41, "bad": 33, "bad_rate": 0.805}
    rows = {
        S.REVIEWS_BY_SKU: [{**top, "category": "家电", "bad_share": 0.05}],
        S.PRODUCTS: [{"sku": "P", "gmv": 100_000.0}],
    }
    values = {"gmv": 5_000_000.0, "bad_review_rate": 0.124, "late_delivery_rate": None}
    report = SimpleNamespace(
        metrics={k: SimpleNamespace(value=v) for k, v in values.items()},
        rows=lambda view: rows.get(view, []),
    )
    shop, product = dg.bad_reviews(report, Thresholds())  # type: ignore[arg-type]
    assert (product.rule, product.subject) == ("faulty_product", "破壁机")
    assert product.impact == pytest.approx(75_500)
    assert (shop.rule, shop.subject) == ("bad_reviews", "")
    assert shop.impact == pytest.approx(294_500)
    # a best seller with more bad reviews (150, 7.5 %) listed first does not hide it
    best = {"sku": "B", "name": "吹风机", "reviews": 2000, "bad": 150, "bad_rate": 0.075}
    rows[S.REVIEWS_BY_SKU].insert(0, {**best, "category": "家电", "bad_share": 0.2})
    rows[S.REVIEWS_BY_SKU][0]["bad_share"] = 0.15  # no concentration either
    assert [f.subject for f in dg.bad_reviews(report, Thresholds())] == ["", "破壁机"]  # type: ignore[arg-type]
    said = Narrator("zh-CN", "¥").say("finding_faulty_product", **product.evidence, impact=75_500)
    assert said == (
        "该商品差评率80.5%（33条差评），全店12.4%；"
        "该商品GMV ¥10.0万，差评超出5.0%警戒线的部分约¥7.55万。"
    )


def test_a_growth_rate_is_named_for_a_large_region_not_a_small_base():
    """Olist's November 2017 named DF "fastest growing large region, +247 %": 2.2 % of November
    from 0.9 % of October (R$1.7K → R$5.9K). Previous 1,000 = A 900 + B 9 + C 91; now 1,500 =
    A 1,200 + B 31 + C 269. B is 2.07 % now (over the 2 % line) but 0.9 % before: left out."""
    from shopreport.deck.monthly import large

    rows = [
        {"province": "A", "gmv": 1200, "previous_gmv": 900, "share": 0.8, "mom": 1 / 3},
        {"province": "B", "gmv": 31, "previous_gmv": 9, "share": 31 / 1500, "mom": 22 / 9},
        {"province": "C", "gmv": 269, "previous_gmv": 91, "share": 269 / 1500, "mom": 178 / 91},
    ]
    assert [r["province"] for r in large(rows, 0.02)] == ["A", "C"]  # type: ignore[arg-type]


def _source(visitors: tuple[float, float], buyers: tuple[int, int], gmv: tuple[float, float]):
    """A report whose one source 推荐 had (now, before) visitors, buyers and GMV."""
    row = {"source": "推荐", "visitors": visitors[0], "previous_visitors": visitors[1],
           "buyers": buyers[0], "previous_buyers": buyers[1], "gmv": gmv[0],
           "previous_gmv": gmv[1]}  # fmt: skip
    return SimpleNamespace(rows=lambda view: [row] if view is S.BY_SOURCE else [])


def test_a_conversion_drop_from_new_weaker_traffic_counts_what_the_source_lost():
    """推荐: 10,000 visitors and 160 buyers (1.6 %) → 14,600 and 175 (1.2 %), GMV ¥80,000 →
    ¥75,000. At the old rate the new visitors "lost" (1.6 − 1.199) % × 14,600 × ¥428.57 AOV =
    ¥25,114 of sales, though the source sold only ¥5,000 less and gained buyers: visitors
    +46 % with no fewer buyers is new traffic converting worse, its GMV at risk ¥5,000. The same
    drop on flat traffic (10,000 → 10,000, 160 → 120 buyers) keeps the old estimate:
    0.4 % × 10,000 × ¥625 = ¥25,000."""
    from shopreport.config import Thresholds
    from shopreport.insights import diagnosis as dg

    report = _source((14_600, 10_000), (175, 160), (75_000, 80_000))
    (found,) = dg.conversion_drop(report, Thresholds())  # type: ignore[arg-type]
    assert found.evidence["diluted"] is True and found.impact == pytest.approx(5_000)
    said = Narrator("zh-CN", "¥").say("finding_conversion_drop", **found.evidence, impact=5_000)
    assert said == (
        "转化率由1.6%降至1.2%（-0.4个百分点）：访客+46.0%，买家+9.4%，新增流量转化偏低，"
        "该渠道GMV环比减少¥5,000。"
    )
    # more visitors, more buyers and more sales: the lower rate is no problem
    grew = _source((20_000, 10_000), (240, 160), (100_000, 80_000))
    assert dg.conversion_drop(grew, Thresholds()) == []  # type: ignore[arg-type]
    flat = _source((10_000, 10_000), (120, 160), (75_000, 80_000))
    (drop,) = dg.conversion_drop(flat, Thresholds())  # type: ignore[arg-type]
    assert drop.evidence["diluted"] is False and drop.impact == pytest.approx(25_000)


def test_a_categorys_share_of_the_change_is_of_the_shops_change(tmp_path):
    """September (1st, 2nd): A ¥100, B ¥100. October (1st–3rd, where the exports end): A ¥150,
    B ¥100 and an order of ¥50 without lines.
    The shop's GMV rose ¥100; A's +¥50 is 50.0 % of it (the table said 100 %, of the categories'
    change, beside a bullet's 50 %), and the note does not say the shares add up to 100 %."""
    orders = """
        order_id,customer_id,order_time,paid_amount
        s1,a,2026-09-01 10:00:00,100
        s2,b,2026-09-02 10:00:00,100
        o1,c,2026-10-01 10:00:00,150
        o2,d,2026-10-02 10:00:00,100
        o3,e,2026-10-03 10:00:00,50
    """
    items = """
        order_id,sku,quantity,amount
        s1,A1,1,100
        s2,B1,1,100
        o1,A1,1,150
        o2,B1,1,100
    """
    products = """
        sku,category
        A1,A
        B1,B
    """
    files = {"orders.csv": orders, "items.csv": items, "products.csv": products}
    tables = {"orders": "orders.csv", "order_items": "items.csv", "products": "products.csv"}
    config = write_shop(tmp_path, files, {n: {"path": p} for n, p in tables.items()})
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=TODAY)
    texts = next(t for t in slides_text(built.path) if "类目销售结构" in t)
    a = texts.index("A")
    assert texts[a + 5 : a + 7] == ["+¥50.00", "50.0%"]
    # and A's share is of the shop's ¥300 (o3's ¥50 has no lines): 150 ÷ 300 = 50.0 %, not
    # 150 ÷ 250 = 60.0 % of the categories' total
    assert texts[a + 2] == "50.0%"
    assert any("两列合计都不为100%" in t for t in texts)
    # the products' shares alike: A1 ¥150 and B1 ¥100 of ¥300 are 50.0 % and 33.3 %
    top = next(t for t in slides_text(built.path) if t[0] == "TOP商品与生命周期")
    assert top[top.index("A1") + 3] == "50.0%" and top[top.index("B1") + 3] == "33.3%"
    # September A ¥100, B ¥100, C ¥10; October A ¥150, B ¥110 and C nothing (not shown): A
    # +50, B +10, C −10 are the shop's +50, and the note says they add up to 100 %
    sold = ["s1,a,2026-09-01 10:00:00,100", "s2,b,2026-09-02 10:00:00,110"]
    sold += ["o1,c,2026-10-01 10:00:00,150", "o2,d,2026-10-02 10:00:00,110"]
    orders = "order_id,customer_id,order_time,paid_amount\n" + "\n".join(sold)
    items = "order_id,sku,quantity,amount\n" + "\n".join(
        ["s1,A1,1,100", "s2,B1,1,100", "s2,C1,1,10", "o1,A1,1,150", "o2,B1,1,110"]
    )
    files = {"orders.csv": orders, "items.csv": items, "products.csv": products + "C1,C\n"}
    config = write_shop(tmp_path / "c", files, {n: {"path": p} for n, p in tables.items()})
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "c.pptx", today=TODAY)
    texts = next(t for t in slides_text(built.path) if "类目销售结构" in t)
    assert "C" not in texts and any("各类目合计为100%" in t for t in texts), texts
    # September: A ¥100 with lines and s2's ¥50 without; October: A ¥150 and B ¥100, every
    # order with lines. October's shares of GMV add up (150 + 100 of 250), the changes do not
    # (+50 and +100 of the shop's +100): the note says so of the change only (it said neither
    # column adds up)
    sold = [
        s.replace(",110", ",50") if s.startswith("s2") else s.replace(",110", ",100") for s in sold
    ]
    orders = "order_id,customer_id,order_time,paid_amount\n" + "\n".join(sold)
    items = "order_id,sku,quantity,amount\n" + "\n".join(
        ["s1,A1,1,100", "o1,A1,1,150", "o2,B1,1,100"]
    )
    files = {"orders.csv": orders, "items.csv": items, "products.csv": products}
    config = write_shop(tmp_path / "d", files, {n: {"path": p} for n, p in tables.items()})
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=TODAY)
    texts = next(t for t in slides_text(built.path) if "类目销售结构" in t)
    assert texts[texts.index("A") + 2] == "60.0%"  # 150 of 250
    note = next(t for t in texts if t.startswith("增量贡献 ="))
    assert "上期有订单没有商品明细，不计入任何类目，增量贡献合计不为100%" in note
    assert "两列" not in note


def test_one_category_is_no_part_of_a_change():
    """Online Retail has one category ("All products"): "category All products +£351.1K, 99.0 %
    of the change" and "All products moved the refund rate most" named the whole as a part.
    With two categories the larger mover is named."""
    metrics = {"gmv": SimpleNamespace(value=1_500.0, previous=1_000.0)}

    def report(categories: list[tuple[str, float]]) -> Any:
        rows = [{"category": c, "delta_mom": d} for c, d in categories]
        refunds = [{"category": c, "amount": 10.0} for c, _ in categories[:1]]
        views = {S.BY_CATEGORY: rows, S.REFUNDS_BY_CATEGORY: refunds}
        return SimpleNamespace(
            metrics=metrics, decomposition={}, rows=lambda view: views.get(view, [])
        )

    one = report([("All products", 500.0)])
    assert dr.gmv_drivers(one) == [] and dr.refund_drivers(one) == []
    two = report([("A", 400.0), ("B", 100.0)])
    assert [d.subject for d in dr.gmv_drivers(two)] == ["A", "B"]
    # (a shop of two categories whose refunds are all one's names that one)
    assert [d.subject for d in dr.refund_drivers(two)] == ["A"]


def test_among_products_out_of_stock_the_best_seller_is_reordered_first(tmp_path):
    """P sold 1 unit in October and Q 11 (¥10 each); both are out of stock at the month's end, so
    both have no cover. The list put P first (by SKU) as the demo's September put 简约取暖器,
    selling 0.0 a day, above its best sellers; Q, the ¥110 seller, goes first."""
    orders = "order_id,customer_id,order_time,paid_amount\n" + "\n".join(
        f"{s}{d},c{s}{d},2026-10-{d:02d} 10:00:00,10"
        for s, days in (("P", [5]), ("Q", range(1, 32, 3)))
        for d in days
    )
    items = "order_id,sku,quantity,amount\n" + "\n".join(
        f"{s}{d},{s},1,10" for s, days in (("P", [5]), ("Q", range(1, 32, 3))) for d in days
    )
    products = "sku,category,name,price\nP,家电,取暖器,10\nQ,家电,电水壶,10\n"
    inventory = "date,sku,on_hand\n2026-10-31,P,0\n2026-10-31,Q,0\n"
    files = {"orders.csv": orders, "items.csv": items, "products.csv": products,
             "inventory.csv": inventory}  # fmt: skip
    tables = {"orders": "orders.csv", "order_items": "items.csv", "products": "products.csv",
              "inventory": "inventory.csv"}  # fmt: skip
    config = write_shop(tmp_path, files, {n: {"path": p} for n, p in tables.items()})
    assert [r["sku"] for r in kpis(config).rows(S.REORDER)] == ["Q", "P"]


def test_bad_reviews_about_slow_parcels_call_for_faster_delivery():
    """The demo's bad reviews kept saying 太慢、发货、快递 and the action was "回复差评，整改
    高频问题" (the product pages): two of the top three words about the parcel's speed make the
    action the delivery's. 质量、尺码、发货 stays the product's."""
    from shopreport.config import Thresholds
    from shopreport.insights import diagnosis as dg

    metrics = {"gmv": 1_000_000.0, "bad_review_rate": 0.12, "late_delivery_rate": None}
    metrics |= {"ship_on_time_rate": None, "delivery_days": None}

    def action(words: list[str]) -> str:
        rows = [{"word": w} for w in words]
        report = SimpleNamespace(
            metrics={k: SimpleNamespace(value=v, previous=None) for k, v in metrics.items()},
            rows=lambda view: rows if view is S.BAD_REVIEW_WORDS else [],
        )
        (found,) = dg.bad_reviews(report, Thresholds())  # type: ignore[arg-type]
        return Narrator("zh-CN", "¥").say("action_bad_reviews_short", **found.evidence)

    assert action(["太慢", "发货", "快递"]) == "提速发货与配送，回复差评"
    assert action(["质量", "尺码", "发货"]) == "回复差评，整改高频问题"


def test_a_divider_names_each_topic_once():
    """The targets slide with the team's plan beside it ("目标 · 工作计划"), the problems, and
    the plan's overflow cards ("工作计划"): PART 06 read "目标 · 工作计划 · 问题与改进动作 ·
    工作计划"."""
    from shopreport.deck import model as m
    from shopreport.deck.sections import Section, _subtitle

    slides = [m.Slide("table", topic="targets_work"), m.Slide("cards", topic="problems")]
    slides.append(m.Slide("cards", topic="work"))
    section = Section("plan", lambda ctx: [])
    said = _subtitle(Narrator("zh-CN", "¥"), section, slides)  # type: ignore[arg-type]
    assert said == "目标 · 工作计划 · 问题与改进动作"


def test_a_change_from_a_small_base_is_said_as_a_difference_or_a_multiple():
    """September's slow movers went from 1 to 16 and their stock value from ¥1,000 to
    ¥40,078: the cards read "▲1500.0%" and "▲3907.8%". A count under 20 before changes by its
    difference ("16 − 1 = ▲15"), a change of ten times or more as a multiple: "▲39.1倍" (增长
    39.1倍, as Chinese counts growth), "×40.1" in English (as many times)."""
    slow = change("环比", "slow_movers", 15.0, "zh-CN", absolute=15.0)
    assert (slow.text, slow.direction, slow.tone) == ("15", "up", "bad")
    value = change("环比", "slow_stock_value", 39.078, "zh-CN")
    assert (value.text, value.direction) == ("39.1倍", "up")  # 增长39.1倍, as Chinese says it
    assert change("MoM", "gmv", 12.0, "en").text == "×13"
    assert change("环比", "gmv", 9.5, "zh-CN").text == "950.0%"
    assert change("环比", "stockout_skus", 0.0, "zh-CN", absolute=0.0).text == "持平"


def test_a_shop_of_one_region_and_one_category_shows_neither_as_a_breakdown(tmp_path):
    """Every order to 广东, every product 家电 (Medluck's "BD are the top three regions: 100.0%",
    Online Retail's "All products" on every row): no regions slide, no category column; the
    daily chart has last month's line and no last year's, and its heading says so."""
    orders = "order_id,customer_id,order_time,paid_amount,province\n" + "\n".join(
        f"o{m}{d},c{d},2026-{m}-{d:02d} 10:00:00,{10 * d},广东"
        for m in ("09", "10")
        for d in range(1, 31)
    )
    items = "order_id,sku,quantity,amount\n" + "\n".join(
        f"o{m}{d},{'AB'[d % 2]},1,{10 * d}" for m in ("09", "10") for d in range(1, 31)
    )
    products = "sku,category,name\nA,家电,电水壶\nB,家电,吹风机\n"
    files = {"orders.csv": orders, "items.csv": items, "products.csv": products}
    tables = {"orders": "orders.csv", "order_items": "items.csv", "products": "products.csv"}
    config = write_shop(tmp_path, files, {n: {"path": p} for n, p in tables.items()})
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=TODAY)
    texts = slides_text(built.path)
    assert not any("区域销售分布" in t for t in texts)
    top = next(t for t in texts if "TOP商品与生命周期" in t)
    assert "类目" not in top and "家电" not in top
    assert any("日销走势与上月对比" in t for t in texts)


def test_after_a_campaign_sources_conversion_is_not_compared_with_it(monkeypatch):
    """Q1 2026 flagged "「直播」渠道转化下滑 6.0%→5.5%" against Double 11's quarter, though 直播
    converted as Q4 did outside the campaign: after a period that held a campaign into one that
    holds none, the conversion-drop rule is left out; a period holding one (June after a May
    warm-up) or one after a plain period keeps it."""
    from shopreport.config import Campaign, Phase, Thresholds
    from shopreport.insights import diagnosis as dg
    from shopreport.metrics import month_period

    drop = dg.Finding("conversion_drop", "直播", 187_000.0)
    monkeypatch.setattr(dg, "RULES", {"conversion_drop": lambda report, t: [drop]})
    d11 = Campaign(phases=[Phase(name="爆发", start=date(2025, 11, 1), end=date(2025, 11, 11))])
    s618 = Campaign(phases=[Phase(name="预热", start=date(2026, 5, 25), end=date(2026, 6, 18))])
    campaigns = {"double11-2025": d11, "618-2026": s618}

    def found(year: int, month: int) -> list[str]:
        period = month_period(year, month)
        report = SimpleNamespace(
            period=period,
            previous=period.shift_months(-1),
            metrics={"gmv": SimpleNamespace(value=None)},
        )
        return [f.rule for f in dg.find_problems(report, Thresholds(), campaigns=campaigns)]  # type: ignore[arg-type]

    assert found(2025, 12) == []  # December after Double 11's November
    assert found(2026, 6) == ["conversion_drop"]  # June holds 618 itself
    assert found(2026, 3) == ["conversion_drop"]  # March after a plain February


def test_bad_reviews_keep_late_deliveries_share_until_those_are_judged():
    """W44: 41.6 % of the week's parcels delivered, so late deliveries are not yet a problem;
    the bad reviews said "其中延迟送达带来3.2个百分点（计入物流延迟问题）" of a problem that was
    not there, and ¥3.6万 was counted nowhere. Until late deliveries are judged the bad reviews
    keep their whole excess: 12.4 % − 5 % = 7.4 points of ¥10,000,000, ¥740,000."""
    from shopreport.config import Thresholds
    from shopreport.insights import diagnosis as dg

    metrics = {"gmv": 10_000_000.0, "bad_review_rate": 0.124, "late_delivery_rate": 0.199}
    metrics |= {"ship_on_time_rate": None, "delivery_days": None, "shipped_orders": 2_400.0}
    rows = {
        S.DELIVERY_REVIEWS: [
            {"delivery": "late", "reviews": 250, "bad_rate": 0.316},
            {"delivery": "on_time", "reviews": 1000, "bad_rate": 0.076},
        ],
        S.LATE_BY_SHIPPING: [{"shipping": "on_time", "delivered": 1_000, "late": 199}],
    }
    report = SimpleNamespace(
        metrics={k: SimpleNamespace(value=v, previous=None) for k, v in metrics.items()},
        rows=lambda view: rows.get(view, []),
    )
    assert dg.late_delivery(report, Thresholds()) == []  # type: ignore[arg-type]
    (bad,) = dg.bad_reviews(report, Thresholds())  # type: ignore[arg-type]
    assert bad.evidence["late_part"] == 0 and bad.impact == pytest.approx(740_000)


def test_the_traffic_part_opens_with_visitors_and_conversion_by_month(tmp_path):
    """Visitors 100 (August), 200 (September), 300 (October); buyers 2, 5, 3: conversion 2.0 %,
    2.5 %, 1.0 %. October's visitors are the most of the three months (+50.0 % on September)
    and its conversion the lowest (the highest 2.5 %, September). The traffic part had no
    trend of its visitors (decks.md: "visitors trend")."""
    buyers = {"2026-08": 2, "2026-09": 5, "2026-10": 3}
    orders = "order_id,customer_id,order_time,paid_amount\n" + "".join(  # the 10th, 20th, 28th
        f"{month}-{i},{month}-c{i},{month}-{min(10 + 10 * i, 28)} 10:00:00,100\n"
        for month, n in buyers.items()
        for i in range(n)
    )
    traffic = (
        "date,source,visitors\n2026-08-01,搜索,100\n2026-09-01,搜索,200\n"
        "2026-10-01,搜索,150\n2026-10-01,推荐,150\n"
    )
    config = write_shop(
        tmp_path,
        {"orders.csv": orders, "traffic.csv": traffic},
        {"orders": {"path": "orders.csv"}, "traffic": {"path": "traffic.csv"}},
    )
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=TODAY)
    slide = next(" ".join(t) for t in slides_text(built.path) if t[0] == "访客与转化趋势")
    assert "本月访客数300，为近3个月最多，环比增长50.0%。" in slide
    assert "较上月下降" not in slide  # no source explains the fall: it is not said twice bare
    assert "本月支付转化率1.0%，为近3个月最低（最高2.5%，2026年9月）。" in slide


def test_a_category_that_moved_names_the_product_that_moved_it():
    """October: 家用电器 −¥295,400, its 简约净水器 −¥471,488.68 (out of stock from the 4th): at
    least half the category's fall, so it alone is said beside it. 数码配件 −¥107,400: its
    largest fall, 智能手表表带 −¥45,980.84, is under half: the next, 机械键盘 −¥41,428.51, is said
    too (each over a fifth, ¥21,480). A rise is explained by a product that rose."""
    from shopreport.deck.monthly import category_cause

    movers = [
        {"sku": "JD006", "name": "简约净水器", "category": "家用电器", "delta": -471_488.68},
        {"sku": "JD019", "name": "大容量吹风机", "category": "家用电器", "delta": 62_152.18},
        {"sku": "SM014", "name": "智能手表表带", "category": "数码配件", "delta": -45_980.84},
        {"sku": "SM006", "name": "机械键盘", "category": "数码配件", "delta": -41_428.51},
    ]
    stockouts = [{"sku": "JD006", "name": "简约净水器", "out_since": date(2026, 10, 4)}]
    ctx = SimpleNamespace(rows=lambda view: movers if view is S.PRODUCT_MOVERS else stockouts)
    assert category_cause(ctx, "家用电器", -295_400) == {  # type: ignore[arg-type]
        "name": "简约净水器",
        "delta": -471_488.68,
        "since": date(2026, 10, 4),
        "second": None,
    }
    assert category_cause(ctx, "数码配件", -107_400) == {  # type: ignore[arg-type]
        "name": "智能手表表带",
        "delta": -45_980.84,
        "since": None,
        "second": {"name": "机械键盘", "delta": -41_428.51, "since": None},
    }
    assert category_cause(ctx, "家用电器", 50_000) == {  # type: ignore[arg-type]
        "name": "大容量吹风机",
        "delta": 62_152.18,
        "since": None,
        "second": None,
    }
    assert category_cause(ctx, "数码配件", -500_000) is None  # type: ignore[arg-type]  # < a fifth


def test_a_month_the_data_starts_inside_says_its_first_day(tmp_path):
    """Orders of 15 and 20 October only: the footers said "统计周期：2026-10-01 至 2026-10-20"
    of data that starts on the 15th (the Taobao sample's two hours of 26 November read
    "2017-11-01 至 2017-11-26")."""
    orders = """
        order_id,customer_id,order_time,paid_amount
        o1,a,2026-10-15 10:00:00,100
        o2,b,2026-10-20 10:00:00,50
    """
    config = write_shop(tmp_path, {"orders.csv": orders}, {"orders": {"path": "orders.csv"}})
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=TODAY)
    kpis = " ".join(slides_text(built.path)[3])
    assert "统计周期：2026-10-15 至 2026-10-20" in kpis


def test_the_largest_effect_is_no_main_cause_below_half_the_change(tmp_path):
    """September: 100 visitors, 10 buyers of ¥100; October (to the 31st): 110 visitors, 12 buyers
    of ¥112.
    GMV ¥1,000 → ¥1,344 (+¥344). LMDI weight 344 / ln 1.344 = 1,163.5: traffic 1,163.5 × ln 1.1
    = +¥110.9, conversion (0.10 → 0.109) × ln 1.0909 = +¥101.2, AOV × ln 1.12 = +¥131.86. The
    largest, AOV, is 38 % of the change: "影响最大", not "增长主要来自". The shop has no
    categories or channels: the bridge's cause is said without them (it was left out)."""
    days = {"09": (10, 100.0, 100), "10": (12, 112.0, 110)}
    orders = (
        "order_id,customer_id,order_time,paid_amount\n"
        + "".join(
            f"o{m}{i},c{m}{i},2026-{m}-{int(m) + 21 - i:02d} 10:00:00,{price}\n"
            for m, (n, price, _) in days.items()
            for i in range(n)
        )
        + "o0,c0,2026-08-01 10:00:00,1\n"
    )  # the data starts before September
    traffic = "date,source,visitors\n" + "".join(
        f"2026-{m}-01,搜索,{v}\n" for m, (_, _, v) in days.items()
    )
    config = write_shop(
        tmp_path,
        {"orders.csv": orders, "traffic.csv": traffic},
        {"orders": {"path": "orders.csv"}, "traffic": {"path": "traffic.csv"}},
    )
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=TODAY)
    text = " ".join(" ".join(t) for t in slides_text(built.path))
    assert "环比增长34.4%" in text, text[:1500]
    assert "\n从拆解看，客单价效应影响最大（+¥131.86，客单价环比增长12.0%）。" in text
    assert "增长主要来自" not in text


def test_a_deck_of_datas_first_month_shows_no_returning_buyers(tmp_path):
    """Orders from 1 October only: every buyer is new by construction, so "老买家占比 0.0%"
    would say nothing (Tmall's teaching export showed it); `kpis` still gives 0."""
    orders = (
        "order_id,customer_id,order_time,paid_amount\n"
        "1,a,2026-10-01 10:00:00,10\n2,a,2026-10-15 10:00:00,20\n3,b,2026-10-31 10:00:00,30\n"
    )
    config = write_shop(tmp_path, {"orders.csv": orders}, {"orders": {"path": "orders.csv"}})
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=TODAY)
    text = " ".join(" ".join(t) for t in slides_text(built.path))
    assert "支付买家数" in text and "老买家占比" not in text and "新买家数" not in text
    assert kpis(config).metrics["returning_share"].value == 0


def test_the_years_achievements_name_a_campaign_for_what_it_achieved(tmp_path):
    """2025: 618 (17–19 June) brought ¥500 against a ¥600 target; Double 11 (10–12 November)
    ¥300 against 2024's ¥200, +50.0 %, no target. The achievements slide named 618, the larger,
    with "完成83.3%，未达成"; a missed target is no achievement, so it names Double 11's growth.
    Given a ¥400 target, Double 11 missed it too, and grew: no campaign is an achievement."""
    from shopreport import api

    rows = [
        (f"y{year}m{m}", f"c{m}", f"{year}-{m:02d}-15 10:00:00", 100, "搜索")
        for year in (2024, 2025)
        for m in range(1, 13)
    ]
    rows += [
        ("d24", "x", "2024-11-11 10:00:00", 200, "搜索"),
        ("s25", "y", "2025-06-18 10:00:00", 500, "搜索"),
        ("d25", "z", "2025-11-11 10:00:00", 300, "搜索"),
    ]

    def campaign(name, start, end, **more):
        return {"name": name, "phases": [{"name": "爆发", "start": start, "end": end}], **more}

    config = write_shop(
        tmp_path,
        {"orders.csv": _orders(rows)},
        {"orders": {"path": "orders.csv"}},
        campaigns={
            "d11-2024": campaign("2024年双11", "2024-11-10", "2024-11-12"),
            "618-2025": campaign("2025年618", "2025-06-17", "2025-06-19", targets={"gmv": 600}),
            "d11-2025": campaign("2025年双11", "2025-11-10", "2025-11-12", compare_with="d11-2024"),
        },
    )
    built = api.build_deck(config, "annual", "2025", out=tmp_path / "y.pptx", today=TODAY)
    cards = next(" ".join(t) for t in slides_text(built.path) if t[0] == "数据中的成就")
    assert "2025年双11成交¥300，较2024年双11增长50.0%。" in cards, cards
    assert "未达成" not in cards and "2025年618" not in cards
    path = tmp_path / "shopreport.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("d11-2025:\n", "d11-2025:\n    targets: {gmv: 400}\n"), "utf-8")
    assert path.read_text(encoding="utf-8") != text
    built = api.build_deck(config, "annual", "2025", out=tmp_path / "y.pptx", today=TODAY)
    cards = next(" ".join(t) for t in slides_text(built.path) if t[0] == "数据中的成就")
    assert "大促战绩" not in cards, cards


def test_the_returning_share_gives_the_part_that_pulled_the_other_way():
    """October: returning buyers 2,670 → 2,927 lifted the share 1.8 points and new buyers
    7,119 → 7,717 took 1.6 back: +0.2. "拉高占比1.8个百分点" alone read as the cause of +0.2."""
    from shopreport.deck.monthly import returning_parts

    parts = [
        dr.Driver(
            "returning", "returning", 0.018, None, {"now": 2927, "before": 2670, "change": 0.096}
        ),
        dr.Driver("new", "new", -0.016, None, {"now": 7717, "before": 7119, "change": 0.084}),
    ]
    zh = SimpleNamespace(say=Narrator("zh-CN", "¥"))
    assert returning_parts(zh, parts) == [  # type: ignore[arg-type]
        "老买家2,670→2,927（增长9.6%），拉高占比1.8个百分点。",
        "新买家7,119→7,717（增长8.4%），拉低老买家占比1.6个百分点。",
    ]
    en = SimpleNamespace(say=Narrator("en", "¥"))
    new = returning_parts(en, parts)[1]  # type: ignore[arg-type]
    assert new.startswith("New buyers went 7,119 → 7,717 (up 8.4%, -1.6 pp"), new
    both_up = [parts[0], dr.Driver("new", "new", 0.002, None, parts[1].evidence)]
    assert len(returning_parts(zh, both_up)) == 1  # type: ignore[arg-type]


def test_the_others_net_change_names_its_largest_part():
    """October's bridge: 直播 +¥34.7万 of a +¥11.0万 change, the other sources −¥23.7万 in all,
    of which 搜索 −¥11.7万 (under half of 直播's: not named against it). When the others' net
    change is said, its largest part is named whatever its size."""
    drivers = [
        dr.Driver("source", "直播", 347_000, None),
        dr.Driver("source", "推荐", 50_000, 0.45),
        dr.Driver("source", "搜索", -117_000, None),
        dr.Driver("source", "短视频", -60_000, None),
    ]
    assert dr.against(drivers, "source", 110_000) == []
    assert [d.subject for d in dr.against(drivers, "source", 110_000, 0.0)] == ["搜索", "短视频"]
