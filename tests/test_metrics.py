"""Every metric of metrics.md against values worked out by hand on a tiny shop.

The shop (October 2026 is the reported month, Asia/Shanghai):

    order  customer  paid at                amount  source  notes
    o1     a         2026-10-01 09:05       100     搜索
    o2     a         2026-10-15 10:01       200     搜索    a's second order: repurchase
    o3     b         2026-10-20 11:00:30    300     直播
    o4     c         2026-10-31 23:59:59     50     直播    last second of the month: counts
    o5     d         2026-11-01 00:00:10     80     搜索    ordered in Oct, paid in Nov: not Oct
    o6     e         (unpaid)                70     搜索
    o7     b         2026-09-10 08:00:10    120     搜索    September
    o8     f         2026-09-12 08:10        80     直播    September
    o9     c         2025-10-01 00:00:00     60     搜索    exactly 365 days before 10-01: returning
    o10    a         2025-09-30 23:59:59     40     搜索    a second outside the 365 days: a is new

October: GMV 650, 4 paid orders, buyers a, b, c. Returning: b (o7) and c (o9); a is new.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from shopreport import api
from shopreport.errors import DataError
from tests.conftest import kpis, write_shop

ORDERS = """
    order_id,customer_id,order_time,pay_time,paid_amount,channel,province,city,coupon_code
    o1,a,2026-10-01 09:00:00,2026-10-01 09:05:00,100,搜索,广东,广州,
    o2,a,2026-10-15 10:00:00,2026-10-15 10:01:00,200,搜索,广东,广州,满199减20
    o3,b,2026-10-20 11:00:00,2026-10-20 11:00:30,300,直播,浙江,杭州,
    o4,c,2026-10-31 23:59:00,2026-10-31 23:59:59,50,直播,浙江,宁波,
    o5,d,2026-10-31 23:59:30,2026-11-01 00:00:10,80,搜索,广东,深圳,
    o6,e,2026-10-05 12:00:00,,70,搜索,广东,广州,
    o7,b,2026-09-10 08:00:00,2026-09-10 08:00:10,120,搜索,浙江,杭州,
    o8,f,2026-09-12 08:00:00,2026-09-12 08:10:00,80,直播,广东,广州,
    o9,c,2025-10-01 00:00:00,2025-10-01 00:00:00,60,搜索,浙江,宁波,
    o10,a,2025-09-30 23:59:00,2025-09-30 23:59:59,40,搜索,广东,广州,
"""
ITEMS = """
    order_id,sku,quantity,unit_price,amount
    o1,A,1,100,100
    o2,A,1,80,80
    o2,B,2,60,120
    o3,B,3,100,
    o4,C,1,40,40
    o7,A,1,120,120
    o8,C,2,40,80
    o9,A,1,60,60
"""
PRODUCTS = """
    sku,category,name,price,unit_cost
    A,服装,衬衫,100,40
    B,家居,抱枕,60,30
    C,食品,坚果,40,
    D,服装,外套,50,20
"""
INVENTORY = """
    date,sku,on_hand
    2026-09-30,A,12
    2026-09-30,B,8
    2026-09-30,C,2
    2026-09-30,D,7
    2026-10-15,A,10
    2026-10-15,B,5
    2026-10-15,C,0
    2026-10-15,D,7
    2026-10-31,A,4
    2026-10-31,B,0
    2026-10-31,C,6
    2026-10-31,D,7
"""
TRAFFIC = """
    date,source,visitors,cart_visitors
    2026-10-01,搜索,40,4
    2026-10-01,直播,20,3
    2026-10-15,搜索,40,2
    2026-09-10,搜索,50,5
    2025-10-30,搜索,30,3
"""
REFUNDS = """
    order_id,refund_time,amount,reason,sku
    o7,2026-10-03 10:00:00,120,尺码不合适,A
    o3,2026-10-25 09:00:00,100,质量问题,B
    o2,2026-11-02 09:00:00,50,质量问题,B
"""
MARKETING = """
    date,channel,spend,impressions,clicks,attributed_gmv
    2026-10-01,直通车,100,10000,200,400
    2026-10-02,直通车,50,5000,100,200
    2026-10-02,直播投流,150,20000,100,300
"""
SERVICE = """
    start_time,first_response_seconds,customer_id,handled_by,resolved,satisfaction
    2026-10-01 08:00:00,2,a,bot,true,5
    2026-10-10 10:00:00,30,e,human,false,2
    2026-10-19 12:00:00,10,b,human,true,
    2026-10-30 00:00:00,60,c,human,是,4
    2026-09-01 23:00:00,100,a,human,true,1
"""
REVIEWS = """
    review_time,rating,order_id,sku,text
    2026-10-05 10:00:00,5,o1,A,很好
    2026-10-06 10:00:00,1,o2,B,质量太差
    2026-10-20 10:00:00,4,o2,A,不错
    2026-10-25 10:00:00,2,o3,B,一般
    2026-11-01 00:00:00,1,o3,B,十一月的差评
"""

TABLES = {
    "orders": ORDERS,
    "order_items": ITEMS,
    "products": PRODUCTS,
    "inventory": INVENTORY,
    "traffic": TRAFFIC,
    "refunds": REFUNDS,
    "marketing": MARKETING,
    "service": SERVICE,
    "reviews": REVIEWS,
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """The tiny shop with every table, and a GMV target of 1,000 for October."""
    folder = tmp_path_factory.mktemp("shop")
    return write_shop(
        folder,
        {f"{name}.csv": text for name, text in TABLES.items()},
        {name: {"path": f"{name}.csv"} for name in TABLES},
        targets={"2026-10": {"gmv": 1000, "conversion": 0.025}},
    )


@pytest.fixture(scope="module")
def report(shop):
    """The October report of the tiny shop."""
    return kpis(shop)


def value(report, metric):
    return report.metrics[metric].value


def test_core_order_metrics(report):
    assert value(report, "gmv") == pytest.approx(650)  # o1 + o2 + o3 + o4
    assert value(report, "paid_orders") == 4
    assert value(report, "buyers") == 3  # a, b, c
    assert value(report, "aov") == pytest.approx(650 / 3)  # per buyer, not per order
    assert value(report, "order_value") == pytest.approx(162.5)
    assert value(report, "repurchase_rate") == pytest.approx(1 / 3)  # only a paid twice


def test_returning_buyers_respect_the_365_day_boundary(report):
    # b paid in September; c paid at 2025-10-01 00:00:00, exactly 365 days before the
    # period start (inside); a's earlier order is one second outside, so a is new.
    assert value(report, "returning_buyers") == 2
    assert value(report, "new_buyers") == 1
    assert value(report, "returning_share") == pytest.approx(2 / 3)


def test_previous_and_last_year(report):
    gmv = report.metrics["gmv"]
    assert gmv.previous == pytest.approx(200)  # o7 + o8
    assert gmv.last_year == pytest.approx(60)  # o9
    assert gmv.mom == pytest.approx(2.25)  # 650 / 200 − 1
    assert gmv.yoy == pytest.approx(590 / 60)
    assert report.metrics["buyers"].previous == 2


def test_target_attainment(report):
    assert report.metrics["gmv"].target == 1000
    assert report.metrics["gmv"].attainment == pytest.approx(0.65)
    assert report.metrics["conversion"].attainment == pytest.approx(0.03 / 0.025)
    assert report.metrics["buyers"].attainment is None  # no target set
    assert report.metrics["gmv"].pace is None  # the month is over


def test_time_progress_of_a_running_month(shop):
    running = kpis(shop, today=date(2026, 10, 11))  # 10 of 31 days are over
    assert running.time_progress == pytest.approx(10 / 31)
    assert running.metrics["gmv"].pace == pytest.approx(0.65 / (10 / 31))


def test_traffic_metrics_from_daily_traffic(report):
    assert value(report, "visitors") == 100  # 40 + 20 + 40
    assert value(report, "conversion") == pytest.approx(0.03)  # 3 buyers / 100
    assert value(report, "uv_value") == pytest.approx(6.5)
    assert value(report, "cart_rate") == pytest.approx(0.09)  # 9 / 100
    assert "sum of daily UV" in report.metrics["visitors"].note


def test_refunds_count_when_refunded_not_when_paid(report):
    # o7 was paid in September and refunded in October: it counts in October.
    assert value(report, "refund_amount") == pytest.approx(220)
    assert value(report, "net_sales") == pytest.approx(430)
    assert value(report, "refund_rate") == pytest.approx(220 / 650)
    assert value(report, "refunded_orders") == 2
    assert value(report, "refund_order_rate") == pytest.approx(0.5)


def test_lines_and_gross_margin(report):
    assert value(report, "units") == 8  # 1 + 1 + 2 + 3 + 1
    # revenue of costed lines: A 100 + 80, B 120 + 300 = 600; cost A 2×40 + B 5×30 = 230
    assert value(report, "gross_margin") == pytest.approx(370 / 600)


def test_inventory_metrics(report):
    # stock on 2026-10-31: A 4 × 40 + B 0 + C 6 × price 40 (no cost) + D 7 × 20
    assert value(report, "stock_value") == pytest.approx(540)
    assert value(report, "sell_through") == pytest.approx(8 / (8 + 17))
    assert value(report, "stockout_skus") == 1  # B: sold out and sold this month
    assert value(report, "slow_movers") == 1  # D: stock, never sold
    # average stock value of the October snapshots (690 and 540) ÷ (COGS 270 ÷ 31 days)
    assert value(report, "turnover_days") == pytest.approx(615 / (270 / 31))
    # last 28 days (from 10-04) sold 7 units: 17 on hand ÷ (7 / 28)
    assert value(report, "days_of_cover") == pytest.approx(68)
    assert value(report, "stock_units") == 17  # 4 + 0 + 6 + 7: its two parts
    assert value(report, "daily_units") == pytest.approx(7 / 28)


def test_a_product_launched_within_the_slow_window_is_new_not_slow(tmp_path):
    """D (7 外套 in stock, never sold) launched on 10 October: 22 days before the month's end,
    inside the 30 days a slow mover has gone without a sale (from 2 October), so it is new, not
    slow; launched on 1 October (31 days) it is slow."""
    for launched, slow in (("2026-10-10", 0), ("2026-10-01", 1)):
        products = PRODUCTS.replace("unit_cost\n", "unit_cost,launch_date\n").replace(
            "D,服装,外套,50,20", f"D,服装,外套,50,20,{launched}"
        )
        assert _slow_movers(tmp_path / launched, products=products) == slow, launched


def _slow_movers(folder, **tables: str) -> float | None:
    """October's slow movers of the test shop with some of its tables replaced."""
    tables = {**TABLES, **tables}
    config = write_shop(
        folder,
        {f"{name}.csv": text for name, text in tables.items()},
        {name: {"path": f"{name}.csv"} for name in tables},
    )
    return value(kpis(config), "slow_movers")


def test_each_category_is_judged_by_its_own_lead_time(tmp_path):
    """Days of cover by category were held against the config's 14-day lead time for every
    category (the demo's 食品饮料 SKUs take 21–30 days): each category carries its SKUs'
    median lead time. 服装: A 10 and D 20 → 15; 家居: B without one → the config's 14;
    食品: C 30."""
    products = (
        PRODUCTS.replace("unit_cost\n", "unit_cost,lead_time_days\n")
        .replace("A,服装,衬衫,100,40", "A,服装,衬衫,100,40,10")
        .replace("B,家居,抱枕,60,30", "B,家居,抱枕,60,30,")
        .replace("C,食品,坚果,40,", "C,食品,坚果,40,,30")
        .replace("D,服装,外套,50,20", "D,服装,外套,50,20,20")
    )
    tables = {**TABLES, "products": products}
    config = write_shop(
        tmp_path,
        {f"{name}.csv": text for name, text in tables.items()},
        {name: {"path": f"{name}.csv"} for name in tables},
    )
    by_category = kpis(config).breakdowns["inventory_by_category"]
    leads = dict(zip(by_category["category"], by_category["lead_time"], strict=True))
    assert leads == {"服装": 15.0, "家居": 14.0, "食品": 30.0}


def test_a_product_out_of_stock_within_the_slow_window_is_not_slow(tmp_path):
    """D (外套, never sold) has 7 in stock at every count: slow. Counted at 0 on 15 October and
    7 again on the 31st (restocked after weeks out, as the demo's 大容量抱枕), it could not sell
    all of the 30 days from 2 October: it is not slow (it was slow and reordered at once)."""
    for mid_month, slow in (("7", 1), ("0", 0)):
        inventory = TABLES["inventory"].replace("2026-10-15,D,7", f"2026-10-15,D,{mid_month}")
        assert _slow_movers(tmp_path / mid_month, inventory=inventory) == slow, mid_month


def test_reorder_quantity(report):
    # B: velocity 5/28, daily σ over 28 days of [2, 3, 0 …] = sqrt((13 − 25/28) / 27),
    # lead 14 + review 7 days: 5/28 × 21 + 1.65 × σ × √14 − 0 = 7.88 → 8. A, C, D need none.
    sigma = math.sqrt((13 - 25 / 28) / 27)
    assert 5 / 28 * 21 + 1.65 * sigma * math.sqrt(14) == pytest.approx(7.884, abs=1e-3)
    assert value(report, "reorder_qty") == 8
    assert value(report, "reorder_skus") == 1
    reorder = report.breakdowns["reorder"]
    assert reorder["sku"].to_list() == ["B"]


def test_marketing_metrics(report):
    assert value(report, "spend") == pytest.approx(300)
    assert value(report, "roas") == pytest.approx(3.0)  # 900 / 300
    assert value(report, "ctr") == pytest.approx(400 / 35000)
    assert value(report, "cpc") == pytest.approx(0.75)
    assert value(report, "cac") == pytest.approx(300)  # one new buyer (a)


def test_service_metrics(report):
    assert value(report, "service_sessions") == 4
    assert value(report, "first_response_s") == pytest.approx(25.5)  # (2 + 30 + 10 + 60) / 4
    assert value(report, "first_response_p90_s") == pytest.approx(51)  # 30 + 0.7 × (60 − 30)
    assert value(report, "resolution_rate") == pytest.approx(0.75)  # "是" reads as yes
    assert value(report, "satisfaction_rate") == pytest.approx(2 / 3)  # 5 and 4 of 5, 2, 4
    assert value(report, "bot_share") == pytest.approx(0.25)
    # a paid 1h05 after asking, b 23h00m30s after; c 47 h later (too late), e never
    assert value(report, "inquiry_conversion") == pytest.approx(0.5)


def test_review_metrics(report):
    assert value(report, "reviews") == 4  # the November one is out
    assert value(report, "avg_rating") == pytest.approx(3.0)
    assert value(report, "bad_review_rate") == pytest.approx(0.5)


def test_lmdi_effects_add_up_to_the_change(report):
    mom = report.decomposition["mom"]
    effects = mom["effects"]
    assert mom["delta"] == pytest.approx(450)
    assert sum(effects.values()) == pytest.approx(450, rel=1e-12)
    # L = 450 / ln(650/200); visitors 50 → 100, conversion 4% → 3%, AOV 100 → 216.67
    weight = 450 / math.log(3.25)
    assert effects["visitors"] == pytest.approx(weight * math.log(2))
    assert effects["conversion"] == pytest.approx(weight * math.log(0.75))
    assert effects["aov"] == pytest.approx(weight * math.log(650 / 3 / 100))
    assert effects["visitors"] == pytest.approx(264.64, abs=0.01)


def test_category_contributions_add_up(report):
    table = report.breakdowns["by_category"]
    rows = {r["category"]: r for r in table.to_dicts()}
    assert rows["家居"]["gmv"] == pytest.approx(420)  # o2's B line 120 + o3 300
    assert rows["服装"]["gmv"] == pytest.approx(180)
    assert rows["食品"]["gmv"] == pytest.approx(
        50
    )  # o4 paid 50 for a 40 line: shipping goes with it
    assert rows["家居"]["contribution_mom"] == pytest.approx(420 / 450)
    assert rows["食品"]["contribution_mom"] == pytest.approx(-30 / 450)
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["contribution_mom"].sum() == pytest.approx(1.0)
    assert table["category"].to_list() == ["家居", "服装", "食品"]  # sorted by GMV


def test_source_breakdown_with_conversion(report):
    rows = {r["source"]: r for r in report.breakdowns["by_source"].to_dicts()}
    assert rows["直播"]["gmv"] == pytest.approx(350)
    assert rows["直播"]["visitors"] == 20
    assert rows["直播"]["conversion"] == pytest.approx(2 / 20)  # b and c
    assert rows["搜索"]["conversion"] == pytest.approx(1 / 80)  # a
    assert report.breakdowns["by_source"]["contribution_mom"].sum() == pytest.approx(1.0)


def test_funnel_from_traffic_and_orders(report):
    steps = {r["step"]: r["count"] for r in report.breakdowns["funnel"].to_dicts()}
    # ordering customers in October: a, b, c, d (o5 ordered on 10-31), e (unpaid)
    assert steps == {"view": 100, "cart": 9, "order": 5, "pay": 3}


def test_refunds_by_reason_and_ratings(report):
    reasons = {r["reason"]: r["amount"] for r in report.breakdowns["refunds_by_reason"].to_dicts()}
    assert reasons == {"尺码不合适": 120, "质量问题": 100}
    stars = [r["reviews"] for r in report.breakdowns["ratings"].to_dicts()]
    assert stars == [1, 1, 0, 1, 1]


def test_daily_trend_aligns_previous_and_last_year_by_day(report):
    daily = report.breakdowns["daily"]
    assert daily.height == 31
    first = daily.row(0, named=True)
    assert first["gmv"] == pytest.approx(100) and first["date"] == "2026-10-01"
    assert daily["gmv"].sum() == pytest.approx(650)
    assert daily.row(9, named=True)["previous_gmv"] == pytest.approx(120)  # 09-10 is day 10
    assert daily.row(30, named=True)["gmv"] == pytest.approx(50)


def test_stockouts_and_slow_movers_lists(report):
    assert report.breakdowns["stockouts"]["sku"].to_list() == ["B"]
    assert report.breakdowns["slow_movers"]["sku"].to_list() == ["D"]


def test_a_month_without_orders(shop):
    with pytest.raises(DataError, match="No paid orders in 2026-08.*2025-09-30 to 2026-11-01"):
        kpis(shop, "2026-08")
    empty = kpis(shop, "2026-08", allow_empty=True)
    assert value(empty, "gmv") == 0
    assert value(empty, "buyers") == 0
    assert value(empty, "aov") is None  # 0 ÷ 0 is not a number
    assert empty.decomposition["mom"] is None


def test_no_previous_period_in_the_data(tmp_path):
    config = write_shop(
        tmp_path,
        {
            "orders.csv": """
        order_id,customer_id,order_time,paid_amount
        x1,a,2026-10-02 10:00:00,10
        x2,b,2026-10-03 10:00:00,30
    """
        },
        {"orders": {"path": "orders.csv"}},
    )
    report = kpis(config)
    gmv = report.metrics["gmv"]
    assert gmv.value == 40  # no pay_time, no status: all paid
    assert gmv.previous is None and gmv.mom is None  # the data starts in October
    assert gmv.last_year is None and gmv.yoy is None
    assert report.metrics["visitors"].unavailable == "no traffic or events table"
    assert report.metrics["conversion"].unavailable == "no traffic or events table"
    assert report.metrics["conversion"].value is None


def test_zero_visitors(tmp_path):
    config = write_shop(
        tmp_path,
        {
            "orders.csv": """
            order_id,customer_id,order_time,paid_amount
            x1,a,2026-09-02 10:00:00,10
            x2,b,2026-10-03 10:00:00,30
        """,
            "traffic.csv": """
            date,source,visitors
            2026-09-02,搜索,0
            2026-10-03,搜索,0
        """,
        },
        {"orders": {"path": "orders.csv"}, "traffic": {"path": "traffic.csv"}},
    )
    report = kpis(config)
    assert value(report, "visitors") == 0
    assert value(report, "conversion") is None
    assert value(report, "uv_value") is None
    assert report.decomposition["mom"] is None  # no log of zero visitors


def test_city_tiers(report):
    # 广州 (o1, o2) 一线; 杭州 (o3) and 宁波 (o4) 新一线
    tiers = {r["tier"]: r["gmv"] for r in report.breakdowns["by_city_tier"].to_dicts()}
    assert tiers == {"一线": 300, "新一线": 350}


def test_a_batch_runs_counts_on_the_streaming_engine_beside_the_rest():
    from shopreport.metrics.engine import Batch

    frame = pl.LazyFrame({"k": ["a", "b", "a"], "v": [1.5, 2.0, 0.25]})
    batch = Batch()
    batch.add("sums", frame.group_by("k").agg(pl.col("v").sum()).sort("k"))
    batch.add("counts", frame.group_by("k").agg(n=pl.len()).sort("k"), streaming=True)
    batch.add("skipped", None, streaming=True)
    results = batch.collect()
    assert set(results) == {"sums", "counts"}
    assert results["sums"].rows() == [("a", 1.75), ("b", 2.0)]
    assert results["counts"].rows() == [("a", 2), ("b", 1)]


def test_where_the_data_starts_counts_buyers_first_paid_before_the_span(tmp_path):
    """c first paid in May 2023, years before the range an October 2026 report reads; a and b
    first paid in October. The data starts in 2023, so September and last October are covered
    (GMV 0, not unknown) and the history is long enough for returning buyers."""
    orders = """
        order_id,customer_id,order_time,paid_amount
        1,c,2023-05-01 10:00:00,5
        2,a,2026-10-02 10:00:00,20
        3,b,2026-10-03 10:00:00,30
    """
    config = write_shop(tmp_path, {"orders.csv": orders}, {"orders": {"path": "orders.csv"}})
    report = kpis(config)
    assert report.metrics["gmv"].value == 50
    # 2023-06 … 2026-09 without orders is a dormant shop, not a month's export left out
    assert report.metrics["gmv"].previous == 0 and report.metrics["gmv"].last_year == 0
    (orders,) = [t for t in api.validate(config) if t.name == "orders"]
    assert not [w for w in orders.warnings if "no paid order" in w]
    assert [n.code for n in report.notes if n.code in ("short_history", "data_starts")] == []
    (cohort,) = [r for r in report.breakdowns["cohorts"].to_dicts() if r["k"] == 0]
    assert (cohort["cohort"], cohort["size"]) == ("2026-10", 2)  # c is no cohort member


def test_the_monthly_history_ends_with_the_report_month(report):
    """o5, paid at 00:00:10 on 1 November, is not a one-day 'November' at the end of the
    October report's monthly history (a stub that would read as a collapse on a chart)."""
    monthly = report.breakdowns["monthly"]
    assert monthly["month"].to_list() == ["2025-09", "2025-10", "2026-09", "2026-10"]
    assert monthly["gmv"].to_list() == [40.0, 60.0, 200.0, 650.0]  # Oct: 100 + 200 + 300 + 50
    # the traffic table's daily sums: no traffic in 2025-09, 30 in 2025-10, 50, 40 + 20 + 40
    assert monthly["visitors"].to_list() == [None, 30.0, 50.0, 100.0]


def test_what_moved_the_first_response(report):
    """October: the bot answered a in 2 s, people answered e, b and c in 30, 10 and 60 s
    (mean 25.5 s); September: one person in 100 s. Shift-share over the responses: people got
    faster, 1 × (33.3 − 100) = −66.7 s; the shares moved, the bot's 0 → 25% (0.25 × 2 = +0.5 s)
    and people's 100% → 75% ((0.75 − 1) × 33.3 = −8.3 s): −7.8 s; −74.5 s in all."""
    from shopreport.insights import drivers as dr

    rows = report.breakdowns["response_by_handler"].to_dicts()
    assert [(r["handled_by"], r["responses"], r["previous_responses"]) for r in rows] == [
        ("bot", 1, 0),
        ("human", 3, 1),
    ]
    assert rows[1]["mean_s"] == pytest.approx(100 / 3) and rows[1]["previous_mean_s"] == 100
    assert value(report, "first_response_s") - report.metrics["first_response_s"].previous == (
        pytest.approx(-74.5)
    )
    parts = {(d.kind, d.subject): d.effect for d in dr.response_drivers(report)}
    assert parts == {  # the shares' move is one part, named after the bot, whose share rose
        ("handler_speed", "human"): pytest.approx(-200 / 3),
        ("handler_speed", "bot"): pytest.approx(0),
        ("handler_mix", "bot"): pytest.approx(0.5 - 25 / 3),
    }
    assert dr.response_drivers(report)[0].kind == "handler_speed"  # the largest, with the fall


def test_no_previous_period_in_the_data_no_comparison_in_the_breakdowns(tmp_path):
    """The orders start on 1 October: September is no period to compare with, so the
    breakdowns that compare hold no September figures (not zeros: 'bot 0 → 1 responses'
    would read as a change), and the movers against September are no movers, although the
    service export has a September row."""
    orders = "\n".join(ORDERS.strip().splitlines()[:5])  # o1-o4, October
    service = "\n".join(SERVICE.strip().splitlines()[:5])  # + the 30 September session
    refunds = "\n".join(REFUNDS.strip().splitlines()[::2])  # o3's, October
    tables = {**TABLES, "orders": orders, "service": service, "refunds": refunds}
    config = write_shop(
        tmp_path,
        {f"{name}.csv": text for name, text in tables.items()},
        {name: {"path": f"{name}.csv"} for name in tables},
    )
    report = kpis(config)
    assert report.metrics["first_response_s"].previous is None
    rows = report.breakdowns["response_by_handler"].to_dicts()
    assert [(r["handled_by"], r["responses"], r["previous_responses"]) for r in rows] == [
        ("bot", 1, None),
        ("human", 3, None),
    ]
    assert [r["previous_mean_s"] for r in rows] == [None, None]
    assert report.breakdowns["product_movers"].height == 0
    assert report.breakdowns["previous_refunds_by_category"].height == 0
    from shopreport.insights import drivers as dr

    assert dr.response_drivers(report) == []


def _daily_shop(tmp_path, extra_tables: dict[str, str]) -> Path:
    """One ¥100 order of one unit of SKU A (cost ¥10) each day from 1 September to 15 October
    2026 (46 orders), and one unit of SKU B on 17 September; the given tables beside them."""
    days = [date(2026, 9, 1) + timedelta(days=i) for i in range(45)]
    orders = ["order_id,customer_id,order_time,paid_amount"]
    orders += [f"a{i},c{i},{d} 10:00:00,100" for i, d in enumerate(days)]
    orders += ["b1,z,2026-09-17 10:00:00,100"]
    items = ["order_id,sku,quantity,amount"] + [f"a{i},A,1,100" for i in range(len(days))]
    items += ["b1,B,1,100"]
    files = {
        "orders.csv": "\n".join(orders),
        "order_items.csv": "\n".join(items),
        "products.csv": "sku,category,unit_cost\nA,服装,10\nB,服装,10",
        **extra_tables,
    }
    return write_shop(
        tmp_path,
        files,
        {name.removesuffix(".csv"): {"path": name} for name in files},
    )


def test_stock_figures_are_taken_where_the_data_ends(tmp_path):
    """The data stops on 15 October (an export taken then): stock on the 15th is A 30, B 5
    (¥350 at cost). Days of cover: 35 units ÷ the 28 days to the 15th (18 Sep–15 Oct, 28 of
    A's units, B's 17 September sale one day before) = 35.0 (the month's end would count 12
    units: 81.7). Turnover: ¥350 ÷ (15 units × ¥10 over 15 days) = 35.0 days (over 31 days:
    72.3). Slow movers: B's last sale, 17 September, is inside the 30 days to the 15th (since
    16 September), so none (1 counted to the month's end)."""
    inventory = "date,sku,on_hand\n2026-10-15,A,30\n2026-10-15,B,5"
    config = _daily_shop(tmp_path, {"inventory.csv": inventory})
    report = kpis(config, today=date(2026, 11, 22))
    assert report.covered_until == date(2026, 10, 15)
    assert value(report, "days_of_cover") == pytest.approx(35.0)
    assert value(report, "turnover_days") == pytest.approx(35.0)
    assert value(report, "slow_movers") == 0


def test_a_table_that_starts_after_a_compared_period_gives_no_comparison(tmp_path):
    """Orders from 1 September, but the refunds and traffic exports hold October only:
    September's refund rate and visitors are unknown (not 0 %, not 0), and the deck's notes say
    why; October's are measured. Refunds: ¥50 of October's ¥1,500 GMV (15 orders) = 3.33 %."""
    refunds = "order_id,refund_time,amount\na35,2026-10-06 10:00:00,50"
    traffic = "date,source,visitors\n2026-10-01,搜索,300"
    config = _daily_shop(tmp_path, {"refunds.csv": refunds, "traffic.csv": traffic})
    report = kpis(config, today=date(2026, 11, 22))
    refund_rate = report.metrics["refund_rate"]
    assert refund_rate.value == pytest.approx(50 / 1500)
    assert refund_rate.previous is None and refund_rate.mom is None
    assert report.metrics["visitors"].previous is None
    assert report.metrics["net_sales"].previous is None
    # the orders do reach September; the data stops on 15 October, so the same 15 days
    assert report.metrics["gmv"].previous == 1500
    starts = {n.params["table"]: n.params for n in report.notes if n.code == "table_starts"}
    assert starts == {
        "refunds": {"table": "refunds", "date": "2026-10-06", "period": "2026-09"},
        "traffic": {"table": "traffic", "date": "2026-10-01", "period": "2026-09"},
    }
    sources = report.breakdowns["by_source"].to_dicts()
    assert [(r["source"], r["visitors"], r["previous_visitors"]) for r in sources] == [
        ("搜索", 300, None)
    ]


def test_an_inquiry_on_the_last_evening_converts_after_midnight(tmp_path):
    """x asked at 22:00 on 31 October and paid at 08:00 on 1 November, within 24 hours; y asked
    on 30 October and never paid: October's inquiry conversion is 1 of 2 (the payment is
    November's GMV, not October's)."""
    orders = """
        order_id,customer_id,order_time,paid_amount
        o1,y,2026-10-02 10:00:00,10
        o2,x,2026-11-01 08:00:00,20
    """
    service = """
        start_time,first_response_seconds,customer_id
        2026-10-31 22:00:00,5,x
        2026-10-30 12:00:00,5,y
    """
    config = write_shop(
        tmp_path,
        {"orders.csv": orders, "service.csv": service},
        {"orders": {"path": "orders.csv"}, "service": {"path": "service.csv"}},
    )
    report = kpis(config, today=date(2026, 11, 22))
    assert value(report, "gmv") == 10
    assert value(report, "inquiry_conversion") == pytest.approx(0.5)


def test_last_years_returning_buyers_on_a_short_history_are_said_to_be_understated(tmp_path):
    """The data starts on 1 September 2025: October 2026's returning buyers look back a full
    year, but October 2025's have 30 days behind them, so its returning buyers are understated
    and the note says so (of last year's period)."""
    orders = """
        order_id,customer_id,order_time,paid_amount
        o1,a,2025-09-01 10:00:00,10
        o2,a,2025-10-05 10:00:00,10
        o3,a,2026-10-05 10:00:00,10
    """
    config = write_shop(tmp_path, {"orders.csv": orders}, {"orders": {"path": "orders.csv"}})
    report = kpis(config, today=date(2026, 11, 22))
    note = next(n for n in report.notes if n.code == "short_history_compared")
    # 1 September → 1 October 2025: 30 days of purchases before last year's month
    assert note.params == {"date": "2025-09-01", "days": 365, "period": "2025-10", "before": 30}
    assert report.metrics["returning_buyers"].note == note.text
    from shopreport.deck.narrative import Narrator

    said = Narrator("zh-CN", "¥").say("note_short_history_compared", **note.params)
    assert said.startswith("数据自2025-09-01开始，2025-10之前只有30天的购买记录（不足365天）：")
    # the annual review of 2025 on data from 1 January 2024: none before 2024 (it said
    # "2024之前不足365天")
    year = {"date": "2024-01-01", "days": 365, "period": "2024", "before": 0}
    said = Narrator("zh-CN", "¥").say("note_short_history_compared", **year)
    assert said.startswith("数据自2024-01-01开始，2024年之前没有购买记录：")


def test_a_sparse_table_that_starts_with_the_data_keeps_its_comparison(tmp_path):
    """The orders start on 1 September and the first refund is on the 3rd: the refunds export
    starts with the data (a first refund days later is no late export), so September's refund
    rate is known: ¥20 of the 15 days' ¥1,500 (the data stops on 15 October, so September is
    compared over its first 15 days)."""
    refunds = "order_id,refund_time,amount\na2,2026-09-03 10:00:00,20\na35,2026-10-06 10:00:00,50"
    config = _daily_shop(tmp_path, {"refunds.csv": refunds})
    report = kpis(config, today=date(2026, 11, 22))
    assert report.metrics["refund_rate"].previous == pytest.approx(20 / 1500)
    assert [n for n in report.notes if n.code == "table_starts"] == []


def test_stock_of_a_running_month_is_taken_where_the_data_ends(tmp_path):
    """Built on 25 October with data to the 15th: as the finished month's, stock figures are
    taken on the 15th (cover 35.0 days; over the 28 days to the 25th, 27 September – 24
    October, A sold 19 units: 35 ÷ (19 ÷ 28) = 51.6)."""
    inventory = "date,sku,on_hand\n2026-10-15,A,30\n2026-10-15,B,5"
    config = _daily_shop(tmp_path, {"inventory.csv": inventory})
    report = kpis(config, today=date(2026, 10, 25))
    assert report.time_progress is not None
    assert value(report, "days_of_cover") == pytest.approx(35.0)


def _stock_shop(tmp_path, counts: list[str], extra: dict | None = None):
    """A sells 2 units (¥100) a day from 1 to 10 October; B 1 unit (¥30) every day; C 1 unit
    (¥50) a day from 1 to 25 October; `counts`: inventory rows."""
    days = [date(2026, 10, 1) + timedelta(days=i) for i in range(31)]
    orders = ["order_id,customer_id,order_time,paid_amount"]
    items = ["order_id,sku,quantity,amount"]
    for i, d in enumerate(days):
        orders.append(f"b{i},y{i},{d} 12:00:00,30")
        items.append(f"b{i},B,1,30")
        if i < 10:
            orders.append(f"a{i},x{i},{d} 10:00:00,100")
            items.append(f"a{i},A,2,100")
        if i < 25:
            orders.append(f"c{i},z{i},{d} 11:00:00,50")
            items.append(f"c{i},C,1,50")
    files = {
        "orders.csv": "\n".join(orders),
        "order_items.csv": "\n".join(items),
        "products.csv": "sku,category,unit_cost\nA,家电,30\nB,家电,10\nC,家电,20",
        "inventory.csv": "\n".join(["date,sku,on_hand", *counts]),
    }
    tables = {name.removesuffix(".csv"): {"path": name} for name in files}
    return kpis(write_shop(tmp_path, files, tables, **(extra or {})), today=date(2026, 11, 22))


def test_a_best_seller_out_of_stock_is_reordered_at_the_pace_it_sold(tmp_path):
    """A sells 2 units (¥100) a day from 1 to 10 October and ran out on the 10th (counts 18,
    16 … 2, then 0 from the 10th on); B sells 1 unit (¥30) every day and always has 100 (C,
    never counted, holds no stock). A's selling days are 1–10 October (the 10th sold; from the
    11th it had none and sold nothing): 2 units a day, not 14 units over the 28 days from 4
    October (0.5). Reorder: 2 × (lead 14 + review 7) + 1.65 × σ 0 − 0 = 42. Out since the
    10th (last stock on the 9th); its GMV at risk: ¥100 a selling day × 14 days = ¥1,400."""
    from shopreport.config import Thresholds
    from shopreport.insights.diagnosis import stockouts

    counts = [f"2026-10-{d:02d},B,100" for d in range(1, 32)]
    counts += [f"2026-10-{d:02d},A,{max(0, 18 - 2 * (d - 1))}" for d in range(1, 32)]
    report = _stock_shop(tmp_path, counts)
    rows = {r["sku"]: r for r in report.breakdowns["stockouts"].to_dicts()}
    assert list(rows) == ["A"]
    assert rows["A"]["velocity"] == pytest.approx(2.0)
    assert rows["A"]["reorder_qty"] == 42
    assert rows["A"]["out_since"] == date(2026, 10, 10)
    assert rows["A"]["daily_gmv"] == pytest.approx(100)
    # B: 28 units over its last 28 days, 100 on hand: 100 days of cover
    cover = {r["sku"]: r["days_of_cover"] for r in report.breakdowns["sku_cover"].to_dicts()}
    assert cover["B"] == pytest.approx(100)
    (found,) = stockouts(report, Thresholds())
    assert found.impact == pytest.approx(1400)
    assert found.evidence["since"] == date(2026, 10, 10)


def test_a_campaigns_days_are_no_everyday_pace(tmp_path):
    """B sells 1 unit a day from 1 to 19 October and 5 a day in a campaign from 20 to 31
    October, 100 always on hand. Its last 28 days (4–31 October) sold 16 + 60 = 76, 2.71 a day:
    the next month's reorders at the campaign's pace. The campaign's days are left out: 19
    units over 1–19 October, 1 a day, 100 days of cover (without the campaign: 100 ÷ 76/28 =
    36.8)."""
    days = [date(2026, 10, 1) + timedelta(days=i) for i in range(31)]
    orders = ["order_id,customer_id,order_time,paid_amount"]
    items = ["order_id,sku,quantity,amount"]
    for i, d in enumerate(days):
        units = 5 if d.day >= 20 else 1
        orders.append(f"b{i},y{i},{d} 12:00:00,{30 * units}")
        items.append(f"b{i},B,{units},{30 * units}")
    files = {
        "orders.csv": "\n".join(orders),
        "order_items.csv": "\n".join(items),
        "products.csv": "sku,category,unit_cost\nB,家电,10",
        "inventory.csv": "\n".join(["date,sku,on_hand", *(f"{d},B,100" for d in days)]),
    }
    tables = {name.removesuffix(".csv"): {"path": name} for name in files}
    phases = [{"name": "大促", "start": "2026-10-20", "end": "2026-10-31"}]
    # a campaign from the 2nd leaves one everyday selling day, under half the 28-day window:
    # its days count (a product launched for a campaign is not read as selling nothing):
    # 4–31 October, 16 + 60 = 76 units again
    longer = [{"name": "大促", "start": "2026-10-02", "end": "2026-10-31"}]
    for name, campaigns, cover in (
        ("none", {}, 100 / (76 / 28)),
        ("campaign", {"c": {"phases": phases}}, 100.0),
        ("long", {"c": {"phases": longer}}, 100 / (76 / 28)),
    ):
        config = write_shop(tmp_path / name, files, tables, campaigns=campaigns)
        report = kpis(config, today=date(2026, 11, 22))
        (row,) = report.breakdowns["sku_cover"].to_dicts()
        assert row["days_of_cover"] == pytest.approx(cover), name


def test_weekly_stock_counts_are_carried_to_the_days_between(tmp_path):
    """Counts on Mondays only (5, 12, 19, 26 October): A has 10 on the 5th, none from the 12th.
    The 5th's count holds to the 11th, the 12th's none from then on: A's selling days are 1–11
    October (before the first count they count too), 20 units: 20/11 a day; σ of [2 × 10, 0]
    = √((40 − 400/11) / 10); reorder 20/11 × 21 + 1.65 × σ × √14 = 41.9 → 42. It ran out on
    its last sale after the 5th's count: 10 October (not the 6th)."""
    counts = []
    for day in (5, 12, 19, 26):
        counts += [f"2026-10-{day:02d},A,{10 if day == 5 else 0}", f"2026-10-{day:02d},B,100"]
        counts += [f"2026-10-{day:02d},C,100"]
    report = _stock_shop(tmp_path, counts)
    (row,) = report.breakdowns["stockouts"].to_dicts()
    sigma = math.sqrt((40 - 400 / 11) / 10)
    assert 20 / 11 * 21 + 1.65 * sigma * math.sqrt(14) == pytest.approx(41.905, abs=1e-3)
    assert row["velocity"] == pytest.approx(20 / 11)
    assert row["reorder_qty"] == 42
    assert row["out_since"] == date(2026, 10, 10)


def test_a_stockout_that_sold_little_this_month_still_ranks_by_its_pace(tmp_path):
    """A (¥100 a day until the 10th: ¥1,000 in October) and C (¥50 a day until the 25th:
    ¥1,250) are out at the month's end; with one row kept (top_n 1), A comes first: at its pace
    it would have sold ¥3,100 (C ¥1,550), though C sold more in October. Its pace rank is 1:
    no other product sold ¥3,100 (B ¥930, C ¥1,250)."""
    counts = [f"2026-10-{d:02d},B,100" for d in range(1, 32)]
    counts += [f"2026-10-{d:02d},A,{max(0, 18 - 2 * (d - 1))}" for d in range(1, 32)]
    counts += [f"2026-10-{d:02d},C,{max(0, 24 - (d - 1))}" for d in range(1, 32)]
    report = _stock_shop(tmp_path, counts, {"metrics": {"top_n": 1}})
    (row,) = report.breakdowns["stockouts"].to_dicts()
    assert row["sku"] == "A" and row["pace_rank"] == 1
    assert row["daily_gmv"] == pytest.approx(100)
