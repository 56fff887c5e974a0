"""The shop diagnosis (店铺运营诊断报告): review periods, the scorecard's arithmetic, price bands,
best-seller dependence, trends, DSR and the improvement plan — on a hand-built shop whose every
number is worked out below — and the demo deck in Chinese and English."""

from __future__ import annotations

import os
import re
from datetime import date

import pytest

from shopreport import api
from shopreport.config import read_config
from shopreport.errors import ConfigError
from shopreport.insights.diagnosis import Finding
from shopreport.insights.scorecard import improvement_plan, item_score, load_scorecard, score
from shopreport.metrics.period import parse_months
from shopreport.metrics.review import compute_review
from shopreport.resources import read_yaml_resource
from tests.conftest import run_cli, write_shop
from tests.deckcheck import overflowing, slides_text

TODAY = date(2026, 11, 20)


def test_review_periods():
    q3 = parse_months("2026-Q3")
    assert (q3.start, q3.end, q3.label, q3.months) == (
        date(2026, 7, 1),
        date(2026, 10, 1),
        "2026-Q3",
        3,
    )
    assert (q3.previous().label, q3.last_year().label) == ("2026-Q2", "2025-Q3")
    h1 = parse_months("2026-h1")
    assert (h1.start, h1.end) == (date(2026, 1, 1), date(2026, 7, 1))
    assert (h1.previous().label, h1.previous().start) == ("2025-H2", date(2025, 7, 1))
    assert parse_months("2026-07..2026-09") == q3  # whole months that make a quarter
    span = parse_months("2025-11..2026-02")
    assert (span.label, span.months, span.previous().label) == (
        "2025-11..2026-02",
        4,
        "2025-07..2025-10",
    )
    assert parse_months("2026-Q1").previous().label == "2025-Q4"
    for text, message in [
        ("2026-Q5", "not a period"),
        ("2026-09..2026-07", "before the first"),
        ("2025-01..2026-06", "at most 12"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_months(text)


def test_item_scores_by_hand():
    assert item_score(0.03, good=0.04, poor=0.01) == pytest.approx(200 / 3)  # 2/3 of the way
    assert item_score(30, good=15, poor=60) == pytest.approx(200 / 3)  # lower is better
    assert item_score(0.05, good=0.04, poor=0.01) == 100  # past good: capped
    assert item_score(70, good=15, poor=60) == 0
    assert item_score(None, good=1, poor=0) is None


# 2025-Q3: 100; 2026-Q2: 60 + 60 (two buyers); 2026-Q3: 50 a month (three buyers)
ORDERS = """
order_id,customer_id,order_time,paid_amount
a1,old,2025-07-01 10:00:00,100
b1,b1,2026-04-10 10:00:00,60
b2,b2,2026-05-10 10:00:00,60
c1,c1,2026-07-10 10:00:00,50
c2,c2,2026-08-10 10:00:00,50
c3,c3,2026-09-10 10:00:00,50
"""
# lines: c1 one A at 50 (band 50–100); c2 two B at 25 (band <50); c3 one A at 50
ITEMS = """
order_id,sku,quantity,amount
a1,A,1,100
b1,A,1,60
b2,B,2,60
c1,A,1,50
c2,B,2,50
c3,A,1,50
"""
PRODUCTS = """
sku,category,name
A,家电,净水器
B,美妆,面霜
"""
# visitors: April 20 + May 20 = 40 in Q2; July 30, August 30, September 40 = 100 in Q3
TRAFFIC = """
date,source,visitors
2026-04-10,搜索,20
2026-05-10,搜索,20
2026-07-10,搜索,30
2026-08-10,搜索,30
2026-09-10,搜索,40
"""
DSR = """
date,description,service,logistics
2026-07-01,4.70,4.80,4.60
2026-07-02,4.70,4.80,4.60
2026-09-01,4.80,4.90,4.70
2026-09-02,4.90,4.90,4.70
"""
SCORECARD = """
bands: {green: 80, amber: 60}
parts:
  strategy:
    metrics:
      - {metric: gmv, measure: yoy, good: 1.0, poor: 0.0}
  marketing:
    metrics:
      - {metric: conversion, good: 0.05, poor: 0.01, weight: 2}
      - {metric: aov, good: 80, poor: 30}
"""


@pytest.fixture
def shop(tmp_path):
    config = write_shop(
        tmp_path,
        {
            "orders.csv": ORDERS,
            "items.csv": ITEMS,
            "products.csv": PRODUCTS,
            "traffic.csv": TRAFFIC,
            "dsr.csv": DSR,
            "scorecard.yaml": SCORECARD,
        },
        {
            "orders": {"path": "orders.csv"},
            "order_items": {"path": "items.csv"},
            "products": {"path": "products.csv"},
            "traffic": {"path": "traffic.csv"},
            "dsr": {"path": "dsr.csv"},
        },
        review={"scorecard": "scorecard.yaml", "price_bands": [50, 100]},
        targets={"2026-Q3": {"gmv": 300}},
    )
    return config


def test_review_numbers_on_a_hand_built_shop(shop):
    config = read_config(shop)
    review = compute_review(api.load(config), parse_months("2026-Q3"), TODAY)
    gmv = review.report.metrics["gmv"]
    assert (gmv.value, gmv.previous, gmv.last_year) == (150, 120, 100)
    assert gmv.attainment == pytest.approx(0.5)  # the quarter's target 300
    assert review.previous.metrics["gmv"].value == 120
    # price bands by unit price: B at 25 (<50), A at 50 (50–100), nothing ≥100
    bands = [(b.low, b.high, b.gmv, b.units, b.buyers) for b in review.bands]
    assert bands == [(0.0, 50, 50.0, 2, 1), (50, 100, 100.0, 2, 2), (100, None, 0.0, 0, 0)]
    c = review.concentration
    assert (c.skus, c.top_share, c.pareto_skus) == (2, 1.0, 2)  # A is 2/3: both make 80%
    # the last twelve months, as the monthly report computes them
    assert review.months[0] == "2025-10" and review.months[-1] == "2026-09"
    assert review.trends["aov"][-3:] == [50, 50, 50]
    assert review.trends["conversion"][-3:] == pytest.approx([1 / 30, 1 / 30, 1 / 40])
    assert review.dsr == [
        {"month": "2026-07", "description": 4.7, "service": 4.8, "logistics": 4.6},
        {"month": "2026-09", "description": pytest.approx(4.85), "service": 4.9, "logistics": 4.7},
    ]


def test_scorecard_on_a_hand_built_shop(shop):
    config = read_config(shop)
    review = compute_review(api.load(config), parse_months("2026-Q3"), TODAY)
    card = score(review.report, review.previous, load_scorecard(config))
    strategy, marketing = card.parts
    # GMV +50% YoY on a 0–100% band: 50; Q2 has no last year in the data: no score
    assert (strategy.score, strategy.previous) == (pytest.approx(50), None)
    # conversion 3/100 = 3% → 50 (×2), AOV 150/3 = 50 → 40: (100 + 40) / 3
    assert marketing.score == pytest.approx(140 / 3)
    # Q2: conversion 2/40 = 5% → 100 (×2), AOV 60 → 60: (200 + 60) / 3
    assert marketing.previous == pytest.approx(260 / 3)
    assert marketing.change == pytest.approx(-40)
    assert card.overall == pytest.approx((50 + 140 / 3) / 2)
    assert card.previous_overall == pytest.approx(260 / 3)
    assert [card.light(p.score) for p in card.parts] == ["red", "red"]
    assert (card.light(80), card.light(79.9), card.light(60), card.light(None)) == (
        "green",
        "amber",
        "amber",
        "none",
    )


def test_improvement_plan_kinds_and_owners(shop):
    rules = load_scorecard(read_config(shop))
    assert "problems" not in rules  # the shop's own file has none: every kind is "other"
    assert {p.kind for p in improvement_plan([Finding("stockout", "x", 1.0, {})], rules)} == {
        "other"
    }
    plan = improvement_plan(
        [
            Finding("stockout", "净水器", 900.0, {}),
            Finding("bad_reviews", "", 500.0, {}),
            Finding("conversion_drop", "搜索", 300.0, {}),
            Finding("low_roas", "直通车", 100.0, {}),
            Finding("refund_rate", "女装", 50.0, {}),
            Finding("service_load", "11-11", 0.0, {}),
            # bad reviews that say 太慢、发货、快递: the warehouse's to fix, not service's
            Finding("bad_reviews", "", 40.0, {"delivery": True}),
        ],
        read_yaml_resource("scorecard.yaml"),
    )
    assert [(p.kind, p.owner, p.watch) for p in plan] == [
        ("supply", "supply", "stockout_skus"),
        ("complaints", "service", "bad_review_rate"),
        ("conversion", "traffic", "conversion"),
        ("roi", "ads", "roas"),
        ("returns", "goods", "refund_rate"),
        ("other", "ops", ""),
        ("complaints", "supply", "bad_review_rate"),
    ]


def test_review_deck_on_a_hand_built_shop(shop, tmp_path):
    built = api.build_deck(shop, "review", "2026-Q3", out=tmp_path / "r.pptx", today=TODAY)
    texts = [" ".join(t) for t in slides_text(built.path)]
    assert "2026年第三季度 店铺运营诊断报告" in texts[0]
    for part in ("战略规划", "商品管理", "营销推广", "客户服务", "数据运营", "效果评估"):
        assert part in texts[1], part
    card = next(t for t in texts if "运营效果评分卡" in t)
    assert "战略规划 50 待改进" in card and "营销推广 47 待改进 -40分" in card
    assert "综合得分48分（上期87分）" in card
    dsr = next(t for t in texts if "店铺DSR评分" in t)
    assert "描述相符：4.85分（2026年7月 4.70分）" in dsr
    bands = next(t for t in texts if "价格带结构" in t)
    assert "「¥50–100」价格带贡献GMV最多，占66.7%" in bands
    assert overflowing(built.path) == []


def test_review_option_and_scorecard_errors(shop, tmp_path):
    bad = run_cli("build", "--config", shop, "--review", "2026-Q5")
    assert bad.code == 2 and "not a period" in bad.err and "Traceback" not in bad.err
    (tmp_path / "scorecard.yaml").write_text("parts: {growth: {metrics: []}}\n", encoding="utf-8")
    wrong = run_cli("build", "--config", shop, "--review", "2026-Q3", "--out", tmp_path / "x.pptx")
    assert wrong.code != 0 and "unknown part 'growth'" in wrong.err
    assert not (tmp_path / "x.pptx").exists()


def test_review_demo_deck(review_deck):
    texts = [" ".join(t) for t in slides_text(review_deck.path)]
    assert "2026年第三季度 店铺运营诊断报告" in texts[0]
    joined = " ".join(texts)
    for title in (
        "增长路径：同比拆解",
        "价格带结构",
        "品类角色",
        "商品结构诊断",
        "店铺DSR评分",
        "监控指标",
        "运营效果评分卡",
        "持续改进方案",
    ):
        assert title in joined, title
    assert "环比 2026-Q2，同比 2025-Q3" in texts[3]
    # the plan is ranked by GMV at risk and shows it; a category's refunds are their own kind
    plan = next(t for t in texts if t.startswith("持续改进方案"))
    assert "排名 问题 GMV影响 问题类别" in plan and "退款率偏高" in plan
    assert re.search(r"「[^」]+」退款率偏高 ¥[\d.]+万 退款售后偏多", plan), plan
    # a month's repurchase rate is not judged against the quarter's band (2.0 % "越过警戒线"
    # beside the quarter's 5.7 % above it); a rate under its alert line is "低于" it
    watch = next(t for t in texts if "监控指标：复购率" in t)
    assert re.search(r"9月复购率[\d.]+%，近12个月区间[\d.]+%–[\d.]+%。", watch), watch
    assert "越过警戒线" not in joined
    # a band's verdict is the quarter's, beside the last month's value
    assert re.search(r"；本期[\d.]+%（(店铺目标|良好线)[\d.]+%，警戒线[\d.]+%）", joined)
    # conversion fell after a quarter that held 618: the campaign is said as its context (no
    # source's own rate is blamed for the campaign's)
    assert "较上期下降0.1个百分点。上期含「2026年618」，本期无大促。" in joined
    # a buyer of two price bands counts in both: the bands' buyers add up to more than the shop's
    assert "买过几个价格带的买家在每个价格带各计一次" in joined
    # the quarter's repurchase rate is scored against the same quarter last year, not against a
    # line sized for a year (5.7 % scored 3 against 30 %)
    card = next(t for t in texts if t.startswith("运营效果评分卡"))
    assert re.search(r"复购率同比[+-][\d.]+个百分点（\d+分）", card), card
    # DSR against the period before's last month (June), not the 12 months' first (Oct 2025)
    assert re.search(r"描述相符：[\d.]+分（2026年6月 [\d.]+分）", joined)
    # Q2 had 618, Q3 no campaign: the fall says so
    assert re.search(
        r"上期含「2026年618」（活动期GMV ¥[\d.]+万，占上期的[\d.]+%），本期无该活动", joined
    )
    assert overflowing(review_deck.path) == []


def test_english_review_demo_deck(review_deck_en):
    texts = [" ".join(t) for t in slides_text(review_deck_en.path)]
    assert "Q3 2026 Shop Review" in texts[0]
    joined = " ".join(texts)
    assert "Scorecard" in joined and "Improvement plan" in joined and "PoP vs 2026-Q2" in joined
    assert overflowing(review_deck_en.path) == []


def test_a_shops_scorecard_is_read_once_per_version(tmp_path):
    """The review deck asks for the rules on three slides: the file is read and checked once,
    and read again when it changes."""
    card = tmp_path / "card.yaml"
    card.write_text(
        "bands: {green: 80, amber: 60}\n"
        "parts: {strategy: {metrics: [{metric: gmv, good: 100, poor: 0}]}}\n",
        encoding="utf-8",
    )
    config = read_config(
        write_shop(tmp_path, {}, {"orders": {"path": "o.csv"}}, review={"scorecard": "card.yaml"})
    )
    first = load_scorecard(config)
    assert load_scorecard(config) is first  # the same rules, not a second read
    assert first["bands"] == {"green": 80, "amber": 60}
    card.write_text(card.read_text(encoding="utf-8").replace("green: 80", "green: 90"))
    os.utime(card, ns=(card.stat().st_atime_ns, card.stat().st_mtime_ns + 1_000_000_000))
    assert load_scorecard(config)["bands"] == {"green": 90, "amber": 60}


def test_recurring_words_count_each_review_once():
    """A word counts once per review it is in; a text written by two buyers is two reviews;
    stopwords and single characters are left out."""
    import polars as pl

    from shopreport.metrics.words import recurring_words

    texts = pl.Series(["质量太差", "质量太差，退货", "质量太差", "物流太慢，质量太差，质量"])
    words = recurring_words(texts)
    got = {w: (n, s) for w, n, s in words.iter_rows()}
    # jieba cuts 质量|太|差, 质量|太|差|，|退货 and 物流|太慢|，|质量|太|差|，|质量
    assert got == {
        "质量": (4, 1.0),  # in all four reviews (twice in the last: once)
        "太慢": (1, 0.25),
        "物流": (1, 0.25),
        "退货": (1, 0.25),
    }
    assert words["word"].to_list() == ["质量", "太慢", "物流", "退货"]  # ties by the word


def test_the_plan_watches_the_problems_own_figure():
    """「女装」退款率偏高 is tracked by 女装's refund rate (22.2 %), not the shop's (8.1 %);
    a problem of the whole shop by the shop's."""
    from types import SimpleNamespace

    from shopreport.deck.review import _watch
    from shopreport.fmt import fmt_metric

    ctx = SimpleNamespace(
        lang="zh-CN",
        label=lambda m: {"refund_rate": "退款率", "bad_review_rate": "差评率"}[m],
        fmt=lambda m, v=None: fmt_metric(0.081 if v is None else v, "ratio"),
        available=lambda m: True,
    )
    own = Finding("refund_rate", "女装", 1.0, {"rate": 0.222})
    assert _watch(ctx, "refund_rate", own) == "「女装」退款率 22.2%"
    shop = Finding("bad_reviews", "", 1.0, {"rate": 0.104})
    assert _watch(ctx, "refund_rate", shop) == "退款率 8.1%"


def test_a_negation_stays_with_its_word():
    """137 bad reviews "质量问题明显,不推荐" listed 推荐 (recommend) and 问题 among bad reviews'
    words. jieba cuts 质量|问题|明显|,|不|推荐: 不 stays with 推荐; 问题 and 明显 are stopwords."""
    import polars as pl

    from shopreport.metrics.words import recurring_words

    texts = pl.Series(["质量问题明显,不推荐", "质量问题明显,不推荐", "不推荐"])
    got = {w: n for w, n, _ in recurring_words(texts).iter_rows()}
    assert got == {"不推荐": 3, "质量": 2}


def test_the_faulty_product_is_marked_beside_its_stage(review_deck):
    """简约破壁机 (mostly bad reviews: "暂停销售，抽检批次质量") stood in the top products as 成长:
    its name is marked 【差评集中】 where the problems call it faulty, and no other product's is;
    its stage stays one of the five the note counts (it read 差评集中, a stage not counted)."""
    texts = slides_text(review_deck.path)
    problems = " ".join(" ".join(t) for t in texts if "暂停销售" in " ".join(t))
    table = next(t for t in texts if "TOP商品与生命周期" in t)
    start = table.index("阶段") + 1
    rows = [table[i : i + 8] for i in range(start, len(table) - 7, 8) if table[i].isdigit()]
    flagged = [r[1].removeprefix("【差评集中】") for r in rows if r[1].startswith("【差评集中】")]
    assert flagged and all(f"「{name}」" in problems for name in flagged), rows
    assert {r[7] for r in rows} <= {"新品", "成长", "成熟", "衰退", "缺货受限", "—"}, rows


def test_the_shops_own_targets_are_its_good_lines(tmp_path):
    """Q3 2026 with a refund-rate ceiling of 8 % set for July, August and September, conversion
    3 % and 2 % for August and September only (the demo's targets start in August), an AOV
    "target" of ¥40 and an ROI line of 3.0 the shop set. The refund rate's good line becomes
    8 % (8.1 % scores (20 − 8.1) ÷ (20 − 8) = 99.2, not the 5 % line's (20 − 8.1) ÷ 15 = 79.3);
    ROI's 3.0 (2.96 scores (2.96 − 1.5) ÷ 1.5 = 97.3, not 58.4); conversion the mean of its
    two, 2.5 %; an AOV line below its alert line (¥50) is not used; a change (GMV YoY) is never
    replaced; satisfaction, without a target, keeps its line."""
    from shopreport.insights.scorecard import with_targets
    from shopreport.metrics import Period

    rules = {
        "parts": {
            "operations": {
                "metrics": [
                    {"metric": "refund_rate", "good": 0.05, "poor": 0.20},
                    {"metric": "roas", "good": 4.0, "poor": 1.5},
                    {"metric": "conversion", "good": 0.04, "poor": 0.01},
                    {"metric": "aov", "good": 100, "poor": 50},
                    {"metric": "gmv", "measure": "yoy", "good": 0.2, "poor": -0.1},
                    {"metric": "satisfaction_rate", "good": 0.9, "poor": 0.6},
                ]
            }
        }
    }
    targets = {
        "2026-07": {"refund_rate": 0.08, "aov": 40, "gmv": 1000},
        "2026-08": {"refund_rate": 0.08, "conversion": 0.03, "aov": 40, "gmv": 1000},
        "2026-09": {"refund_rate": 0.08, "conversion": 0.02, "aov": 40, "gmv": 1000},
    }
    config = read_config(
        write_shop(
            tmp_path,
            {},
            {"orders": {"path": "orders.csv"}},
            targets=targets,
            thresholds={"target_roas": 3.0},  # set by the shop: its line (else the file's)
        )
    )
    quarter = Period("months", date(2026, 7, 1), date(2026, 10, 1), "2026-Q3")
    items = {
        i["metric"]: i
        for i in with_targets(rules, config, quarter)["parts"]["operations"]["metrics"]
    }
    assert (items["refund_rate"]["good"], items["refund_rate"].get("own")) == (0.08, True)
    assert (items["roas"]["good"], items["roas"].get("own")) == (3.0, True)
    assert (items["conversion"]["good"], items["conversion"].get("own")) == (0.025, True)
    assert (items["satisfaction_rate"]["good"], items["satisfaction_rate"].get("own")) == (
        0.9,
        None,
    )
    assert (items["aov"]["good"], items["aov"].get("own")) == (100, None)
    assert (items["gmv"]["good"], items["gmv"].get("own")) == (0.2, None)
    assert item_score(0.081, 0.08, 0.20) == pytest.approx(99.17, abs=0.01)
    assert item_score(2.96, 3.0, 1.5) == pytest.approx(97.33, abs=0.01)
    assert rules["parts"]["operations"]["metrics"][0]["good"] == 0.05  # the rules are not changed
    # a shop that set no ROI line keeps the file's (templates/scorecard.yaml: 3.0, the default)
    unset = read_config(write_shop(tmp_path / "b", {}, {"orders": {"path": "orders.csv"}}))
    roas = with_targets(rules, unset, quarter)["parts"]["operations"]["metrics"][1]
    assert (roas["good"], roas.get("own")) == (4.0, None)
    assert read_yaml_resource("scorecard.yaml")["parts"]["marketing"]["metrics"][1] == {
        "metric": "roas", "good": 3.0, "poor": 1.5
    }  # fmt: skip


def test_the_overall_score_is_the_mean_of_the_printed_parts():
    """Parts 91.4, 83.2, 73.6, 33.4 and 57.0 print as 91, 83, 74, 33 and 57: the overall is
    their mean, 338 ÷ 5 = 67.6 (68), as a reader averages the column (Q3 printed "67分" of the
    unrounded parts beside a column averaging 67.6); a part without a score is left out, a
    weight counts: (80 × 2 + 61) ÷ 3."""
    from shopreport.deck.review import _printed_mean

    parts = [(91.4, 1.0), (83.2, 1.0), (73.6, 1.0), (33.4, 1.0), (57.0, 1.0), (None, 1.0)]
    assert _printed_mean(parts) == pytest.approx(67.6)
    assert _printed_mean([(80.4, 2.0), (60.6, 1.0)]) == pytest.approx((80 * 2 + 61) / 3)
    assert _printed_mean([(None, 1.0)]) is None


def test_a_sizeable_category_growing_slowly_is_stable_not_long_tail(tmp_path):
    """Q3: 女装 at 8.8 % of GMV and +18.6 % YoY was 长尾品类 beside 食品饮料's 2.5 % (成长): under
    the core share (10 %) and growth (20 %), a category from 3 % of GMV is stable, below it the
    long tail; 12 % is core, +25 % growth."""
    from types import SimpleNamespace

    from shopreport.deck.review import category_role

    ctx = SimpleNamespace(
        config=read_config(write_shop(tmp_path, {}, {"orders": {"path": "o.csv"}}))
    )

    def role(share: float, yoy: float) -> str:
        row = {"share": share, "yoy": yoy, "mom": None}
        return category_role(ctx, row)  # type: ignore[arg-type]

    assert role(0.088, 0.186) == "stable"
    assert role(0.025, 0.05) == "tail"
    assert role(0.12, -0.1) == "core"
    assert role(0.025, 0.25) == "growth"
