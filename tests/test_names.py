"""`names:` — the data's names as a deck shows them (an English deck of a shop whose exports
are in Chinese)."""

from __future__ import annotations

import re

import polars as pl
import pytest
from pptx import Presentation

from shopreport import api
from shopreport.config import in_language, read_config
from shopreport.errors import ConfigError
from shopreport.metrics import schema as S
from shopreport.metrics.report import renamed
from tests.conftest import DECK_DAY
from tests.deckcheck import slides_text

NAMES = {"家用电器": {"en": "Home appliances"}, "经典款羊毛大衣2026秋冬": "羊毛大衣"}


def test_a_name_is_given_per_language_or_for_all(demo_shop):
    cfg = read_config(demo_shop).model_copy(update={"names": NAMES})
    # {en: …}: the English deck only; the Chinese deck shows the data's name
    assert in_language(cfg, "en").names == {
        "家用电器": "Home appliances",
        "经典款羊毛大衣2026秋冬": "羊毛大衣",
    }
    assert in_language(cfg, "zh-CN").names == {
        "家用电器": "家用电器",
        "经典款羊毛大衣2026秋冬": "羊毛大衣",
    }


def test_only_whole_names_are_replaced_and_numbers_stay():
    frame = pl.DataFrame(
        {"category": ["家用电器", "家用电器配件", "女装"], "gmv": [10.0, 2.0, 3.0]}
    )
    tiers = pl.DataFrame({"tier": ["家用电器"]})  # a city tier's column holds codes
    out = renamed(
        {"rows": frame, "category": "家用电器", "segment": "家用电器", "by_city_tier": tiers},
        {"家用电器": "Home appliances"},
    )
    assert out["rows"]["category"].to_list() == ["Home appliances", "家用电器配件", "女装"]
    assert out["rows"]["gmv"].to_list() == [10.0, 2.0, 3.0]
    assert out["category"] == "Home appliances" and out["segment"] == "家用电器"
    assert out["by_city_tier"]["tier"].to_list() == ["家用电器"]


def test_the_english_deck_shows_the_names_given(demo_shop, tmp_path):
    """The demo's 家用电器 is its second category by GMV: every slide, table and chart of the
    English deck calls it "Home appliances"; `kpis` keeps the data's name. 一线 and 其他 are
    also city tiers' codes, which the deck looks up: a shop's own 其他 category renamed leaves
    them be (the English deck stopped at KeyError 'tier_Tier 1')."""
    codes = {"一线": {"en": "Tier 1"}, "其他": {"en": "Other"}}
    cfg = read_config(demo_shop).model_copy(update={"names": NAMES | codes})
    out = tmp_path / "en.pptx"
    api.build_deck(cfg, "monthly", "2026-10", out=out, language="en", today=DECK_DAY)
    text = "\n".join("\n".join(s) for s in slides_text(out))
    charts = [
        str(c)
        for slide in Presentation(str(out)).slides
        for shape in slide.shapes
        if getattr(shape, "has_chart", False) and shape.has_chart and shape.chart.plots
        for c in shape.chart.plots[0].categories
    ]
    assert "家用电器" not in text and "家用电器" not in charts
    assert "Home appliances" in text and "Home appliances" in charts
    report = api.compute_kpis(cfg, "2026-10", today=DECK_DAY)
    assert "家用电器" in [r["category"] for r in report.rows(S.BY_CATEGORY)]


def test_the_demos_english_deck_has_no_chinese(deck_en, deck):
    """The demo's config gives its data's names in English (categories, channels, regions,
    products, refund reasons, review words, the shop): its English deck is English throughout,
    its Chinese deck keeps the data's names."""
    cjk = re.compile(r"[\u4e00-\u9fff]+")

    def chinese(path):
        found = {w for s in slides_text(path) for t in s for w in cjk.findall(t)}
        for slide in Presentation(str(path)).slides:
            for shape in slide.shapes:
                if getattr(shape, "has_chart", False) and shape.has_chart and shape.chart.plots:
                    found |= {
                        w for c in shape.chart.plots[0].categories for w in cjk.findall(str(c))
                    }
        return found

    assert chinese(deck_en) == set()
    assert {"悦享生活旗舰店", "家用电器", "简约净水器"} <= chinese(deck)


def test_two_names_shown_alike_are_refused(tmp_path):
    """物流 and 送货 both "delivery" would be two bars labelled "delivery" in the review words."""
    config = tmp_path / "shopreport.yaml"
    config.write_text(
        "shop: s\ndata: {orders: {path: o.csv}}\n"
        "names: {物流: {en: delivery}, 送货: {en: delivery}, 尺码: 尺寸}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ConfigError, match="'物流' and '送货' are both shown as 'delivery' in English"
    ):
        read_config(config)


def test_a_name_the_data_already_has_is_refused(small_shop, tmp_path):
    """家电 shown as 家用电器 beside the data's own 家用电器: two rows "家用电器" (the check
    compared only the config's names with each other). A name given to itself is no clash."""
    frame = pl.DataFrame({"category": ["家电", "家用电器", "女装"], "gmv": [1.0, 2.0, 3.0]})
    with pytest.raises(ConfigError, match="'家电' is shown as '家用电器', a category the data"):
        renamed(frame, {"家电": "家用电器"})
    same = renamed(frame, {"家电": "家用电器", "家用电器": "大家电"})  # both renamed: no clash
    assert same["category"].to_list() == ["家用电器", "大家电", "女装"]
    assert renamed(frame, {"女装": "女装"})["category"].to_list() == ["家电", "家用电器", "女装"]
    cfg = read_config(small_shop).model_copy(update={"names": {"数码配件": "家用电器"}})
    with pytest.raises(ConfigError, match="'数码配件' is shown as '家用电器'"):
        api.build_deck(cfg, "monthly", "2026-10", out=tmp_path / "d.pptx", today=DECK_DAY)
    assert not (tmp_path / "d.pptx").exists()


def _defined(path, language):
    """The metric ids the appendix defines."""
    from shopreport.vocab.metrics import METRICS, label

    ids = {label(mid, language): mid for mid in METRICS}
    return {
        ids.get(row.cells[0].text, row.cells[0].text)
        for slide in Presentation(str(path)).slides
        for shape in slide.shapes
        if shape.has_table and len(shape.table.columns) == 2
        for row in list(shape.table.rows)[1:]
        if shape.table.cell(0, 0).text in ("指标", "Metric")
    }


def test_the_english_appendix_defines_what_the_chinese_one_does(
    deck, deck_en, weekly_deck, weekly_deck_en
):
    """English sentences name metrics in lower case and without their brackets ("first
    response", "late deliveries"): the English appendix left out four definitions the Chinese
    one gave (First response, Bad-review rate, Shipped on time, Late deliveries)."""
    assert _defined(deck, "zh-CN") <= _defined(deck_en, "en")
    assert _defined(weekly_deck.path, "zh-CN") <= _defined(weekly_deck_en.path, "en")
    assert {"first_response_s", "late_delivery_rate", "ship_on_time_rate"} <= _defined(
        deck_en, "en"
    )


def test_the_portfolio_says_each_shops_names_in_its_language(demo_shop):
    """The portfolio deck's shop rows read each shop's config as given: "悦享生活旗舰店",
    "大容量扫地机器人" in the English portfolio although the shop's config names them in English."""
    cfg = read_config(demo_shop)
    shop = api.portfolio_shop(cfg, "2026-10", today=DECK_DAY, language="en")
    said = " ".join([shop.shop, shop.headline, *(p.title + p.action for p in shop.problems)])
    assert shop.shop == "Yuexiang Living Flagship Store"
    assert not re.search(r"[\u4e00-\u9fff]", said), said
    chinese = api.portfolio_shop(cfg, "2026-10", today=DECK_DAY, language="zh-CN")
    assert chinese.shop == "悦享生活旗舰店"
