"""The narrative templates: both languages have the same keys, every key the deck code names
exists, data stays data, and undefined names fail loudly."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest
import yaml

from shopreport.deck.narrative import Narrator

ROOT = Path(__file__).resolve().parents[1]
NARRATIVE = ROOT / "templates" / "narrative"


def load(language: str) -> dict:
    return yaml.safe_load((NARRATIVE / f"{language}.yaml").read_text(encoding="utf-8"))


def test_languages_have_the_same_keys():
    zh, en = load("zh-CN"), load("en")
    assert set(zh) == set(en)
    assert set(zh["words"]) == set(en["words"])


def test_every_key_the_deck_code_names_exists():
    code = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "src" / "shopreport" / "deck").glob("*.py")
    )
    words = set(re.findall(r'say\.word\("([a-z0-9_]+)"\)', code))
    sentences = set(re.findall(r'say\.say\(\s*"([a-z0-9_]+)"', code))
    zh = load("zh-CN")
    assert words - set(zh["words"]) == set()
    assert sentences - set(zh) == set()


def test_values_are_values_not_template_code():
    say = Narrator("zh-CN", "¥")
    text = say.say("category_top", name="{{ 7*7 }}礼盒", share=0.5, gmv=1000)
    assert "{{ 7*7 }}礼盒" in text and "49" not in text


def test_undefined_names_fail_loudly():
    say = Narrator("en", "$")
    with pytest.raises(jinja2.UndefinedError):
        say.say("category_top", name="x", share=0.5)  # gmv missing


def test_numbers_in_the_register_of_the_source_decks():
    say = Narrator("zh-CN", "¥")
    assert say.say(
        "gmv_summary", gmv=12_345_678, mom=0.123, yoy=-0.05, att=None, target=None, progress=None
    ) == ("本月GMV ¥1,234.6万，环比增长12.3%，同比下降5.0%。")
    assert (
        say.say(
            "card_customers",
            returning=0.295,
            returning_delta=-0.011,
            repurchase=0.029,
            refund=None,
            refund_delta=None,
        )
        == "老买家占比29.5%，较上月下降1.1个百分点；复购率2.9%。"
    )


def test_sentences_name_what_they_speak_of():
    """No "该商品" (this product) without a product, and each amount beside a cause says what it
    moves (拉低客单价 ¥31.97, not "（-¥31.97）" beside two prices ¥17.60 apart)."""
    say = Narrator("zh-CN", "¥")
    assert say.say("action_bad_reviews", subject=None) == (
        "逐条回复差评，针对高频问题整改商品与详情页。"
    )
    assert say.say("action_bad_reviews", subject="大容量吹风机").endswith(
        "必要时暂停推广「大容量吹风机」。"
    )
    assert say.say("why_aov_price_per_unit", before=278.46, now=260.86, effect=-31.97) == (
        "主要因为件均价¥278.46→¥260.86，拉低客单价¥31.97。"
    )
    refund = say.say(
        "why_refund",
        rate=0.093,
        delta=0.016,
        name="女装",
        effect=0.014,
        reason=None,
        reason_share=None,
    )
    assert refund.endswith("影响最大的是「女装」，拉高全店退款率1.4个百分点。")


def test_the_fastest_of_falling_numbers_is_the_one_that_fell_least():
    """Every province fell: '增长最快…环比下降5.1%' was a contradiction."""
    say = Narrator("zh-CN", "¥")
    assert say.say("region_fastest", name="四川", mom=-0.051, floor="2") == (
        "本月与上月占比均不低于2%的省份环比均下降，「四川」降幅最小（下降5.1%）。"
    )
    # the provinces compared are named as what they are ("主要省份" beside a table where a
    # smaller one grew faster)
    assert say.say("region_fastest", name="四川", mom=0.051, floor="2") == (
        "本月与上月占比均不低于2%的省份中，「四川」增长最快（环比增长5.1%）。"
    )
    assert say.say("category_yoy", name="女装", yoy=-0.2) == (
        "各主要类目同比均下降，降幅最小的是「女装」（-20.0%）。"
    )
    en = Narrator("en", "$")
    assert en.say("fastest_month", month="2025-03", growth=-0.1).startswith(
        "Every month fell YoY; "
    )


def test_a_rates_change_is_in_points_as_on_its_card():
    """Conversion 2.38% → 2.5%: '同比增长5.0%' beside a card of '+0.1个百分点' read as two
    figures; a rate's change is given in points, a count's relatively."""
    say = Narrator("zh-CN", "¥")
    assert say.say("yoy_bridge_factor", name="支付转化率", now="2.5%", change=0.05, pp=0.0012) == (
        "支付转化率2.5%，同比+0.1个百分点。"
    )
    assert say.say("yoy_bridge_factor", name="访客数", now="1万", change=0.05, pp=None) == (
        "访客数1万，同比增长5.0%。"
    )
    bridge = {"name": "转化效应", "metric": "支付转化率", "effect": 185000, "change": 0.177}
    assert say.say("bridge_main", **bridge, pp=0.004, share=None) == (
        "转化效应影响最大（+¥18.5万），支付转化率环比+0.4个百分点。"
    )
    english = Narrator("en", "$")
    bridge = {"name": "Conversion effect", "metric": "Conversion rate", "effect": 1850}
    assert english.say("bridge_main", **bridge, change=0.177, pp=0.004, share=None) == (
        "Conversion effect moved it most (+$1,850); conversion rate moved +0.4 pp MoM."
    )


def test_a_scored_metric_says_its_weight():
    """客户服务 46 = (100 + 63 + 0 × 2 + 65) ÷ 5: the slide lists every scored metric with its
    weight, so the part's score can be worked out from it."""
    say = Narrator("zh-CN", "¥")
    text = say.say(
        "score_basis", name="差评率", measure="value", value="10.4%", score=0.0, weight=2.0
    )
    assert text == "差评率10.4%（0分×2）"
    assert say.say(
        "score_basis", name="满意度", measure="value", value="78.8%", score=63.2, weight=1.0
    ) == ("满意度78.8%（63分）")


def test_a_product_that_fell_because_it_ran_out_says_so():
    """The product that pulled the other way ran out on 4 October: its fall has its cause."""
    from datetime import date

    say = Narrator("zh-CN", "¥")
    against = [("简约净水器", -471000, date(2026, 10, 4))]
    part = {"kind": "商品", "name": "大容量吹风机", "delta": 62200, "share": 0.565}
    assert say.say("why_gmv_part", **part, since=None, against=against) == (
        "商品「大容量吹风机」+¥6.22万，占变化的56.5%（「简约净水器」-¥47.1万，10月4日起缺货）"
    )
    english = Narrator("en", "$")
    part = {"kind": "Product", "name": "Dryer", "delta": 6220, "share": 0.565}
    assert english.say("why_gmv_part", **part, since=None, against=against) == (
        "product Dryer +$6,220, 56.5% of the change (简约净水器 -$471.0K, sold out since Oct 4)"
    )


def test_late_shipping_share_names_its_base():
    """16.5 % of shipped orders left late (及时发货率 83.5 %) while 13.6 % of delivered ones did:
    the late-delivery cause says it counts delivered orders."""
    say = Narrator("zh-CN", "¥")
    args = {"group": "未及时发货", "share_before": 0.078, "share": 0.136, "effect": 0.031}
    text = say.say("why_late_shipping_mix", **args)
    assert text == "主要因为已签收订单中未及时发货的占比7.8%→13.6%，拉高延迟送达率3.1个百分点。"
    # with the number of delivered orders it is of (8,837 of 10,886 paid)
    text = say.say("why_late_shipping_mix", **args, delivered=8_837)
    assert text.startswith("主要因为已签收的8,837笔订单中未及时发货的占比7.8%→13.6%")


def test_a_threshold_is_said_to_pull_only_when_baskets_stop_just_above_it():
    """1.5 % of a coupon's 200 orders just above its ¥99 threshold: it hardly pulls; 45 %
    against 20 % before the campaign: it does; 20 % with no baseline: no conclusion."""
    say = Narrator("zh-CN", "¥")
    line = {"threshold": 99, "orders": 200}
    assert say.say("threshold_line", **line, share=0.015, before=None, pull="no") == (
        "满99用券订单200笔，其中1.5%刚过门槛（高出不到15%）：门槛几乎没有拉动凑单。"
    )
    assert say.say("threshold_line", **line, share=0.45, before=0.2, pull="yes").endswith(
        "其中45.0%刚过门槛（高出不到15%），活动前为20.0%：门槛在拉动凑单。"
    )
    assert say.say("threshold_line", **line, share=0.2, before=None, pull=None).endswith(
        "（高出不到15%）。"
    )


def test_a_list_that_would_hide_one_name_shows_it():
    """Three names and "等" would hide a fourth: four are shown; five show three and "等"."""
    from types import SimpleNamespace

    from shopreport.deck.blocks import listing

    ctx = SimpleNamespace(say=Narrator("zh-CN", "¥"))
    assert listing(ctx, ["甲", "乙", "丙", "丁"]) == "甲、乙、丙、丁"  # type: ignore[arg-type]
    assert listing(ctx, ["甲", "乙", "丙", "丁", "戊"]) == "甲、乙、丙等"  # type: ignore[arg-type]


def test_late_deliveries_that_fell_are_said_to_have_brought_bad_reviews_down():
    """A quarter whose late deliveries fell 24.3% → 11.9% said "延迟送达率11.9%（上期24.3%），拉高了
    整体差评率" beside a bad-review rate that fell 2.7 points."""
    say = Narrator("zh-CN", "¥")
    args = {"late": 0.316, "on_time": 0.076, "prev": "上期"}
    assert say.say("service_cause_late", **args, rate=0.119, before=0.243) == (
        "延迟送达订单差评率31.6%，准时订单7.6%；延迟送达率由上期的24.3%降至11.9%，带动差评率下降。"
    )
    assert say.say("service_cause_late", **args, rate=0.243, before=0.119) == (
        "延迟送达订单差评率31.6%，准时订单7.6%；延迟送达率24.3%（上期11.9%），拉高了整体差评率。"
    )
    english = Narrator("en", "¥").say(
        "service_cause_late", **{**args, "prev": "last quarter"}, rate=0.119, before=0.243
    )
    assert english.startswith("Fewer late deliveries brought bad reviews down")
    assert english.endswith("fell to 11.9% from 24.3% last quarter.")


def test_the_fastest_month_on_a_low_base_says_so():
    """February 2025 grew 55.8 % on a February 2024 of ¥163.0万, under 80 % of 2024's average
    month (¥349万): the sentence gives the base beside the average (it said "主要因为去年同月
    基数低", a cause it could not know: the base's own month is the cause)."""
    say = Narrator("zh-CN", "¥")
    args = {"month": "2025-02", "growth": 0.558, "base": 1_630_000, "average": 3_490_000}
    assert say.say("fastest_month", **args, low=True) == (
        "同比增长最快的是2025年2月（+55.8%），去年同月基数低（¥163.0万，去年月均¥349.0万）。"
    )
    assert say.say("fastest_month", **args, low=False) == "同比增长最快的是2025年2月（+55.8%）。"


def test_a_campaign_short_of_its_target_says_so():
    """2025年双11: ¥689.3万 against a target of ¥698.0万 is 98.8 %, not an achievement to list
    without it; over target it says 达成."""
    say = Narrator("zh-CN", "¥")
    args = {"name": "2025年双11", "compared": "2024年双11", "growth": 0.185}
    assert say.say("campaign_year_line", **args, gmv=6_893_000, target=6_980_000) == (
        "2025年双11成交¥689.3万，较2024年双11增长18.5%；目标¥698.0万，完成98.8%，未达成。"
    )
    assert say.say("campaign_year_line", **args, gmv=7_000_000, target=6_980_000).endswith(
        "；目标¥698.0万，达成100.3%。"
    )


def test_lifts_that_read_the_same_are_named_together():
    """Categories lifted 2.53× and 2.48× both read "拉动2.5倍"; the deck named one strongest."""
    from shopreport.deck.campaign import _tied_first

    rows = [
        {"c": "家用电器", "lift": 2.48},
        {"c": "美妆护肤", "lift": 2.53},
        {"c": "女装", "lift": 1.5},
    ]
    best = _tied_first(rows)
    assert [r["c"] for r in best] == ["美妆护肤", "家用电器"]
    assert [r["c"] for r in _tied_first(rows, lowest=True)] == ["女装"]
    say = Narrator("zh-CN", "¥")
    names = [r["c"] for r in best]
    assert say.say("category_lift", names=names, lift=2.53) == (
        "拉动最强的类目是「美妆护肤」、「家用电器」，均为活动前基线的2.5倍。"
    )
    assert (
        say.say("category_lift", names=["女装"], lift=1.5)
        == "拉动最强的类目是「女装」，为活动前基线的1.5倍。"
    )
    english = Narrator("en", "¥").say("channel_winner", names=["Live", "Search"], lift=2.5)
    assert english == "Live and Search lifted most (each 2.5×)."


def test_the_rfm_segment_that_moved_is_said_with_what_it_means():
    """ "「一般挽留客户」变化最大：1.01万 → 1.85万人" said neither what the segment is nor why it
    mattered; the segment whose spend moved most is named with its meaning."""
    say = Narrator("zh-CN", "¥")
    said = say.say(
        "rfm_moved",
        name="重要挽留客户",
        meaning=say.word("rfm_meaning_important_winback"),
        before=4646,
        now=11850,
        spend_before=5_405_000,
        spend=11_950_639,
    )
    assert said == (
        "「重要挽留客户」（花得多，但近期没买、买得少）消费额变化最大：¥540.5万 → ¥1,195.1万，"
        "客户4,646 → 1.19万人。"
    )


def test_a_years_aov_fall_names_fewer_orders_per_buyer():
    """2025: AOV −16.9 % with orders per buyer 1.57 → 1.31 (−16.6 %, the same direction): the
    cause; were orders per buyer up, the fall would have another cause and none is named."""
    say = Narrator("zh-CN", "¥")
    args = {"aov": 672.78, "yoy": -0.169, "low": 473.75, "high": 571.39, "average": 531.39}
    said = say.say("aov_year", **args, per_buyer=1.31, per_buyer_before=1.57)
    assert said.startswith(
        "全年客单价¥672.78（同比下降16.9%），主要因为每个买家全年的订单数1.57→1.31。"
    )
    said = say.say("aov_year", **args, per_buyer=1.6, per_buyer_before=1.57)
    assert said.startswith("全年客单价¥672.78（同比下降16.9%）。全年客单价按去重买家计")


def test_one_launch_is_not_the_best_of_one():
    say = Narrator("zh-CN", "¥")
    args = {"with_previous": True, "name": "便携快充充电器", "per_day": 976.45, "benchmark": None}
    said = say.say("launch_note", **args, count=1, date="2026-09-20")
    assert said == "近两个月上新1款，「便携快充充电器」（9月20日上架）首30天日均GMV ¥976.45。"
    assert "表现最好的「便携快充充电器」" in say.say(
        "launch_note", **args, count=2, date="2026-09-20"
    )


def test_derived_targets_say_what_they_ask():
    """November: GMV ¥920万 (+82.1 %) and buyers 1.56万 (+46.6 %) are the team's; AOV ¥589.74
    follows, +24.2 % on October, which fell 6.0 %: said, not "推算的目标与其他目标一致"."""
    say = Narrator("zh-CN", "¥")
    args = {"names": ["访客数", "客单价"], "name": "客单价", "mom": -0.06, "visitors": True}
    assert say.say("targets_note_derived", **args, change=0.242) == (
        "访客数、客单价目标由其他目标推出（GMV = 访客数 × 转化率 × 客单价）："
        "客单价需较本月+24.2%（本月环比-6.0%），GMV目标才能达成。"
    )
    assert say.say("targets_note_derived", **args, change=0.05) == (
        "访客数、客单价目标由其他目标推出（GMV = 访客数 × 转化率 × 客单价）。"
    )
    # a shop without visitors (Olist) is not told of them: buyers follow from GMV and AOV
    alone = {"names": ["买家数"], "name": "买家数", "mom": 0.74, "visitors": False}
    assert say.say("targets_note_derived", **alone, change=0.05) == (
        "买家数目标由其他目标推出（GMV = 买家数 × 客单价）。"
    )


def test_a_service_summary_without_service_data_starts_with_what_it_has():
    """Olist has reviews but no service sessions: the summary read "，差评率18.2%…" and ", bad
    reviews 18.2% …", a sentence starting with a comma."""
    no_service = {"satisfaction": None, "satisfaction_delta": None, "response": None}
    args = {**no_service, "response_mom": None, "bad": 0.182, "bad_delta": 0.096}
    zh = Narrator("zh-CN", "R$").say("service_summary", **args)
    assert zh == "差评率18.2%（上升9.6个百分点）。"
    assert Narrator("en", "R$").say("service_summary", **args) == "Bad reviews 18.2% (up 9.6 pp)."


def test_a_summary_without_last_year_leaves_yoy_out():
    """Olist's first year: "GMV R$268.4K, up 45.2% MoM and n/a YoY" / "同比无可比数据" put a
    filler clause in the headline; without last year the sentence has none."""
    args = {"gmv": 268_433.0, "mom": 0.452, "yoy": None, "att": None, "target": None}
    zh = Narrator("zh-CN", "R$").say("gmv_summary", **args, progress=None)
    assert zh == "本月GMV R$26.8万，环比增长45.2%。"
    en = Narrator("en", "R$").say("gmv_summary", **args, progress=None)
    assert en == "GMV R$268.4K, up 45.2% MoM."


def test_scores_and_words_read_as_an_operator_writes_them():
    """A scorecard item that did not move read "+0分"; the bad-review words "首位词出现在37.2%的
    差评里" named no word."""
    say = Narrator("zh-CN", "¥")
    assert [say.say("points", value=v) for v in (0.3, -0.4, 2.6)] == ["持平", "持平", "+3分"]
    said = say.say("words_top", words="太慢、发货、快递", first="太慢", share=0.372)
    assert said == "差评中最常出现「太慢、发货、快递」，其中「太慢」出现在37.2%的差评中。"


def test_a_months_launches_are_of_the_last_two_months_in_english_too():
    """ "1 launch this month and last month" read as two counts."""
    args = {"with_previous": True, "name": "Charger", "per_day": 976.45, "benchmark": None}
    said = Narrator("en", "¥").say("launch_note", **args, count=1, date="2026-09-20")
    assert said.startswith("1 launch in the last two months; Charger (on sale since Sep 20)")


def test_no_sales_before_is_said_not_n_a():
    """Medluck's March had no sales on the days compared: "n/a MoM" twice on the slides."""
    zh, en = Narrator("zh-CN", "Tk "), Narrator("en", "Tk ")
    args = {"gmv": 83_950.0, "mom": None, "yoy": None, "att": None, "target": None}
    assert zh.say("gmv_summary", **args, progress=None) == "本月GMV Tk 8.39万。"
    assert en.say("gmv_summary", **args, progress=None) == "GMV Tk 84.0K."
    assert en.say("gmv_summary", **{**args, "yoy": 0.2}, progress=None) == (
        "GMV Tk 84.0K, up 20.0% YoY."
    )
    assert zh.say("why_gmv", gmv=83_950.0, mom=None, parts="") == "GMV Tk 8.39万，上月无成交。"


def test_uplift_and_launches_read_as_an_operator_writes_them():
    """ "比无促销订单（¥480）增长3.2%" compared two levels as a change; "其中4款已有销售" of 4."""
    say = Narrator("zh-CN", "¥")
    said = say.say("promo_uplift", name="满减", value=470, plain=480, uplift=-0.01)
    assert said == "「满减」笔单价¥470，比无促销订单（¥480）低1.0%。"
    assert say.say("launches_line", count=4, sellers=4, gmv=10_000).startswith(
        "本期上新4款，均已动销"
    )
    stock = say.say("week_stock_note", stockouts=1, still=0, soon=0, days=28, until="2026-10-31")
    assert stock.startswith("截至10月31日缺货SKU 1个")


def test_a_first_year_says_no_yoy():
    """The demo's 2024 read "全年GMV ¥4,200.3万，同比无可比数据"."""
    args = {"gmv": 42_003_000.0, "yoy": None, "att": None, "target": None, "progress": None}
    assert Narrator("zh-CN", "¥").say("year_summary", **args, pace=None) == "全年GMV ¥4,200.3万。"


def test_a_month_longer_than_the_one_before_gives_its_change_a_day():
    """October ¥3,100 over 31 days (¥100 a day) against September's ¥3,030 over 30 (¥101 a day):
    +2.3 % on the month is −1.0 % a day (¥100 ÷ ¥101 − 1 = −0.99 %); the summary says both. A
    change a day of nothing (¥3,131 = ¥101 a day × 31 on ¥3,030: +3.3 %, 0.0 % a day) is said
    too; months of one length (August against July), or a month the data covers in part, say
    nothing more."""
    from types import SimpleNamespace

    from shopreport.deck.monthly import per_day_change
    from shopreport.metrics import month_period

    def report(gmv: float, previous: float, month: int, until=None) -> SimpleNamespace:
        value = SimpleNamespace(value=gmv, previous=previous, mom=gmv / previous - 1)
        period = month_period(2026, month)
        return SimpleNamespace(
            metrics={"gmv": value},
            period=period,
            previous=period.previous(),
            covered_until=until,
            time_progress=None,
            notes=[],
        )

    october = per_day_change(report(3_100, 3_030, 10))  # type: ignore[arg-type]
    assert october is not None and (october["days"], october["before"]) == (31, 30)
    assert october["change"] == pytest.approx(100 / 101 - 1)
    text = Narrator("zh-CN", "¥").say(
        "gmv_summary",
        gmv=3_100,
        mom=3_100 / 3_030 - 1,
        yoy=None,
        att=None,
        target=None,
        progress=None,
        per_day=october,
    )
    assert text == "本月GMV ¥3,100，环比增长2.3%（日均下降1.0%：本月31天、上月30天）。"
    assert per_day_change(report(3_131, 3_030, 10))["change"] == pytest.approx(0)  # type: ignore[arg-type,index]
    assert per_day_change(report(3_100, 3_000, 8)) is None  # type: ignore[arg-type]  # July: 31 too
    # data to 10 October: both months are compared over their first ten days already (it read
    # "日均下降80.6%：本月31天、上月10天")
    from datetime import date

    assert per_day_change(report(300, 500, 10, date(2026, 10, 10))) is None  # type: ignore[arg-type]


def test_a_bad_review_rate_says_of_how_many_reviews():
    """Olist's November: 10 bad reviews of 55, 18.2 %: the rate is said with its 55 reviews (a
    rate of a few dozen is read otherwise than one of thousands)."""
    say = Narrator("zh-CN", "¥")
    text = say.say(
        "finding_bad_reviews", rate=10 / 55, reviews=55, threshold=0.05, concentrated=False,
        top=None, words=[], late_part=None, impact=35_400,
    )  # fmt: skip
    assert text == "差评率18.2%（55条评价），高于5.0%的警戒线；按超出部分估计影响GMV ¥3.54万。"
    line = say.say("rating_line", avg=3.93, bad=10 / 55, delta=0.096, reviews=55, prev="上月")
    assert line.startswith("共55条评价，平均评分3.93，差评率18.2%，较上月")


def test_a_category_change_says_the_products_behind_it():
    """家用电器 −¥29.5万 behind 简约净水器 −¥47.1万 (out of stock from 4 October); 数码配件's
    −¥10.7万 behind two products, neither half of it. The shop's change is +¥5.1万, so the
    other categories together are 5.1 − 20.4 = −¥15.3万: said as such ("其他类目抵消了一部分"
    read as a small offset beside 家用电器's −¥29.5万, more than 美妆护肤 gained)."""
    from datetime import date

    say = Narrator("zh-CN", "¥")
    out = {"name": "简约净水器", "delta": -471_489, "since": date(2026, 10, 4), "second": None}
    two = {
        "name": "表带", "delta": -45_981, "since": None,
        "second": {"name": "键盘", "delta": -41_429, "since": None},
    }  # fmt: skip
    text = say.say(
        "category_contributor", name="美妆护肤", delta=204_200, share=None, cause=None,
        rest=51_000 - 204_200, against=[("家用电器", -295_400, out), ("数码配件", -107_400, two)],
    )  # fmt: skip
    assert text == (
        "「美妆护肤」环比+¥20.4万，增长最多；其他类目合计-¥15.3万，"
        "包括「家用电器」环比-¥29.5万（其中「简约净水器」-¥47.1万，10月4日起缺货）；"
        "「数码配件」环比-¥10.7万（其中「表带」-¥4.60万；「键盘」-¥4.14万）。"
    )


def test_days_of_cover_says_what_moved_it():
    """October: 24.3 days of cover, −40.5 % YoY, as units on hand fell 26.0 % and daily units
    rose 24.4 % (cover is units on hand ÷ daily units: 0.740 ÷ 1.244 = 0.595, −40.5 %): the
    sentence says both (it gave stock value −35.4 % and the month's units +19.9 %, which do
    not make −40.5 %)."""
    say = Narrator("zh-CN", "¥")
    text = say.say(
        "cover_total", days=24.3, value=2_435_000, yoy=-0.405, stock_yoy=-0.26, units_yoy=0.244
    )
    assert text == (
        "全店库存金额¥243.5万，可售24.3天（同比下降40.5%：库存件数同比下降26.0%，"
        "日均销量同比增长24.4%）。"
    )
    assert say.say("cover_total", days=24.3, value=2_435_000, yoy=None) == (
        "全店库存金额¥243.5万，可售24.3天。"
    )


def test_the_visitors_change_names_the_source_it_came_from():
    """W44: visitors 8.60万, +4.7 % on the week before, of which 搜索 +1,427 (under half of the
    3,865 more): "其中"; October's +5.91万 of 推荐 is most of +6.47万: "主要来自"."""
    say = Narrator("zh-CN", "¥")
    base = {"conversion": 0.027, "delta": 0.001, "visitors_mom": 0.047, "prev": "上周"}
    text = say.say(
        "why_conversion", **base, visitors=86_000, lead=("搜索", "+1,427", None), main=False
    )
    assert text.startswith("访客数8.60万（环比增长4.7%，其中「搜索」+1,427），支付转化率2.7%")
    text = say.say(
        "why_conversion", **base, visitors=86_000, lead=("推荐", "+5.91万", None), main=True
    )
    assert "（环比增长4.7%，主要来自「推荐」+5.91万）" in text
    assert say.say("why_conversion", **base, visitors=None).startswith("支付转化率2.7%")


def test_an_indicator_is_judged_on_the_period_as_the_scorecard_is():
    """Q3: September's refund rate 7.7 %, the quarter's 8.1 % against an 8 % target: the verdict
    is the quarter's (it read "达到目标" of September beside the scorecard's 8.1 %)."""
    say = Narrator("zh-CN", "¥")
    text = say.say(
        "indicator_line", month="2026-09", name="退款率", value="7.7%", low_text="7.1%",
        high_text="9.4%", period="8.1%", good="8.0%", poor="20.0%", own=True, state="watch",
        below=False,
    )  # fmt: skip
    assert text == (
        "9月退款率7.7%，近12个月区间7.1%–9.4%；本期8.1%（店铺目标8.0%，警戒线20.0%），"
        "介于目标与警戒线之间。"
    )


def test_a_rate_in_the_cause_gives_its_relative_change_too():
    """Q3: conversion 2.640 % → 2.462 % prints as 2.6 % → 2.5 %, −0.1 points, while the bridge
    values the whole −6.8 % (−¥103.8万): the cause says both."""
    say = Narrator("zh-CN", "¥")
    text = say.say(
        "gmv_cause", kind="类目", led=True, delta=-2_139_000, factor="转化效应", effect=-1_038_000,
        metric="支付转化率", change=-0.068, pp=-0.001, lead=None, offsets=[], name="家用电器",
        part=-1_594_000,
    )  # fmt: skip
    assert "转化效应影响最大（-¥103.8万，支付转化率环比-0.1个百分点，相对下降6.8%）" in text


def test_a_year_to_date_is_said_as_the_days_it_covers():
    from datetime import date

    def span(language, kind, last):
        return Narrator(language, "¥", kind, last).defaults["span"]

    assert span("zh-CN", "ytd", date(2026, 10, 31)) == "1–10月"
    assert span("en", "ytd", date(2026, 10, 31)) == "Jan–Oct"
    assert span("zh-CN", "ytd", date(2026, 11, 23)) == "1月1日–11月23日"
    assert span("en", "ytd", date(2026, 11, 23)) == "1 Jan–23 Nov"
    assert span("zh-CN", "year", date(2025, 12, 31)) == "全年"
    assert span("en", "year", date(2025, 12, 31)) == "the year"
    # a past year whose exports stop in August is not "全年" either; January alone is no range
    assert span("zh-CN", "year", date(2025, 8, 31)) == "1–8月"
    assert Narrator("zh-CN", "¥", "year", date(2025, 8, 31)).word("year_funnel_title") == (
        "年初至今转化漏斗"
    )
    assert Narrator("zh-CN", "¥", "year", date(2025, 12, 31)).word("year_funnel_title") == (
        "全年转化漏斗"
    )
    assert span("zh-CN", "ytd", date(2026, 1, 31)) == "1月"
    assert span("en", "ytd", date(2026, 1, 31)) == "Jan"


def test_a_refund_rate_high_before_and_now_is_still_high():
    """618 2026: 女装 refunded 21.9 % against 21.8 % before the campaign (+0.1 points), far
    above the shop's 7.2 %: a standing problem ("仍偏高"), not one the campaign brought; the
    month's 31.3 % against 23.9 % rose, and a category without a rate before is just high."""
    zh, en = Narrator("zh-CN", "¥"), Narrator("en", "¥")
    assert zh.say("finding_refund_rate_title", subject="女装", rise=0.001) == "「女装」退款率仍偏高"
    assert zh.say("finding_refund_rate_title", subject="女装", rise=0.074) == "「女装」退款率偏高"
    assert zh.say("finding_refund_rate_title", subject="女装", rise=None) == "「女装」退款率偏高"
    assert en.say("finding_refund_rate_title", subject="Womenswear", rise=-0.02) == (
        "Womenswear refunds still too high"
    )


def test_a_campaigns_category_refunds_name_their_basis():
    """618's problems gave 女装 21.9 % "（全店7.2%）" by refund date beside the KPI card's 8.9 %
    (the campaign's own orders): the shop's rate is said to be on the category's basis."""
    zh = Narrator("zh-CN", "¥")
    args = dict(
        rate=0.219, shop=0.072, before=0.218, reason="尺码不合适", reason_share=0.409,
        rise=0.001, excess=0.147, impact=60_800,
    )  # fmt: skip
    text = zh.say("finding_refund_rate", dated=True, **args)
    assert text.startswith("按退款时间计，退款率21.9%（同口径全店7.2%，"), text
    assert "同口径" not in zh.say("finding_refund_rate", **args)


def test_periods_and_days_are_said_in_words():
    """ "2026-W44尚未完整" and "06-18客服承压" were the tool's labels on a slide: a period and a
    day are said as a reader says them."""
    zh, en = Narrator("zh-CN", "¥"), Narrator("en", "¥")
    for say, period, said in [
        (
            zh,
            "2026-W44",
            "数据截至2026-10-31，2026年第44周在此之后的日子不在数据中：环比、同比均按相同天数比较。",
        ),
        (zh, "2026-10", "数据截至2026-10-31，2026年10月在此之后的日子不在数据中："),
        (zh, "2026", "数据截至2026-10-31，2026年在此之后的日子不在数据中："),
        (zh, "2026-Q4", "数据截至2026-10-31，2026年第4季度在此之后的日子不在数据中："),
        (zh, "2026-H2", "数据截至2026-10-31，2026年下半年在此之后的日子不在数据中："),
        (en, "2026-W44", "The data ends on 2026-10-31, before week 44 of 2026 ends:"),
        (en, "2026-10", "The data ends on 2026-10-31, before Oct 2026 ends:"),
    ]:
        assert say.say("note_data_ends", period=period, date="2026-10-31").startswith(said)
    assert zh.say("finding_service_load_title", subject="06-18") == "6月18日客服承压"
    assert en.say("finding_service_load_title", subject="06-18") == "Service overloaded on Jun 18"


def test_a_category_short_of_cover_says_what_it_needs():
    """Categories judged by their own lead times name their cover and their need; a cover that
    would round up to its need keeps its decimal, cut (21.66 days of 22 is "21.6天", not
    "22天，需22天"; 27.96 of 28 is "27.9天", not "28.0天"); a need of 21.5 days is 22."""
    from shopreport.deck.monthly import _short_of

    assert _short_of(21.66, 22) == (21.6, 1) and _short_of(27.96, 28) == (27.9, 1)
    assert _short_of(16.2, 28) == (16.0, 0)
    zh, en = Narrator("zh-CN", "¥"), Narrator("en", "¥")
    short = [("男装", 21.6, 1, 22), ("食品饮料", 16.0, 0, 28)]
    assert zh.say("cover_short_each", short=short, more=1, count=3, review=7) == (
        "3个类目的可售天数短于各自的补货周期＋盘点间隔7天，有断货风险："
        "男装（21.6天，需22天）、食品饮料（16天，需28天）等。"
    )
    assert en.say("cover_short_each", short=short[1:], more=0, count=1, review=7) == (
        "1 category has less cover than its own lead time + 7 review days, so may run out: "
        "食品饮料 (16 days, needs 28)."
    )


def test_a_campaign_after_the_datas_end_is_named_as_such():
    """Last year's same days held a campaign (or its phase) that this period has too, on days
    after its data ends: not "本周无该阶段". A whole campaign is its 活动期; English names
    the phase it means ("this week's starts on Nov 1" had no noun)."""
    from datetime import date

    zh, en = Narrator("zh-CN", "¥", "week"), Narrator("en", "¥", "week")
    common = {"gmv": 400, "share": 0.8, "other_phases": True, "later": date(2026, 11, 1)}
    whole = {"holder": "去年同周", "name": "大促", "phase": [], "lacks": ["本周"]}
    assert zh.say("campaign_in_period", **whole, **common) == (
        "；去年同周含「大促」（活动期GMV ¥400，占去年同周的80.0%），"
        "本周活动期自11月1日起，不在已有数据内"
    )
    peak = {"holder": "The same week last year", "name": "Double 11", "phase": ["Peak"]}
    assert en.say("campaign_in_period", **peak, lacks=["this week"], **common) == (
        "; The same week last year had Double 11's Peak phase (¥400, 80.0% of GMV); this "
        "week's phase starts on Nov 1, after the data ends"
    )
