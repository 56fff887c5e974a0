"""Numbers as the decks write them (metrics.md, Formatting)."""

from shopreport.fmt import fmt_count, fmt_metric, fmt_money, fmt_pct, fmt_pp


def test_chinese_money_in_wan_and_yi():
    assert fmt_money(12_345_678) == "¥1,234.6万"
    assert fmt_money(123_456_789) == "¥1.23亿"
    assert fmt_money(45_670) == "¥4.57万"
    assert fmt_money(9_999.5) == "¥1.00万"  # as printed it is 1.00万, never "¥10,000"
    assert fmt_money(9_949) == "¥9,949"  # no cents from 1,000 up
    assert fmt_money(999.995) == "¥1,000"
    assert fmt_money(99_999_999) == "¥1.00亿"
    assert fmt_money(-30_000) == "-¥3.00万"


def test_english_money_in_k_m_b():
    assert fmt_money(268_433.08, "R$", "en") == "R$268.4K"
    assert fmt_money(10_000, "$", "en") == "$10.0K"
    assert fmt_money(4_715_254, "$", "en") == "$4.72M"
    assert fmt_money(2_500_000_000, "$", "en") == "$2.50B"
    assert fmt_count(9_999, "en") == "9,999"
    assert fmt_count(10_000, "en") == "10.0K"


def test_rates_and_points():
    assert fmt_pct(0.1234) == "12.3%"
    assert fmt_pct(0.05, signed=True) == "+5.0%"
    assert fmt_pp(0.012) == "+1.2个百分点"
    assert fmt_pp(-0.004, "en") == "-0.4 pp"
    assert fmt_metric(25.5, "seconds") == "25.5秒"
    assert fmt_metric(None, "money") == "—"


def test_a_change_in_points_that_rounds_to_nothing_has_no_minus():
    # -0.0004 is -0.04 points: shown as +0.0, never "-0.0个百分点"
    assert fmt_pp(-0.0004) == "+0.0个百分点"
    assert fmt_pp(-0.0004, "en") == "+0.0 pp"
    assert fmt_pp(-0.012) == "-1.2个百分点"


def test_a_name_in_a_file_name_drops_separators():
    from shopreport.api import safe_name

    assert safe_name("星辰电商代运营 · 客户组合") == "星辰电商代运营_客户组合"  # not "_·_"
    assert safe_name("A/B: shop*") == "A_B_shop"


def test_a_column_of_changes_carries_its_signs():
    from shopreport.fmt import fmt_money_column

    # the largest is ¥29.54万: all in 万, each with the decimals a sentence gives it (¥29.5万,
    # as the bullet beside the table: it read "-¥29.54万" beside "-¥29.5万"); no change has no
    # sign
    assert fmt_money_column([204_200, -295_400, 9_820, 0, None], signed=True) == [
        "+¥20.4万",
        "-¥29.5万",
        "+¥0.98万",
        "¥0",  # nothing is ¥0, not ¥0.00万
        "—",
    ]
    # under a tenth of the unit as written alone: ¥450 not ¥0.05万; ¥90,000 not ¥0.09M
    assert fmt_money_column([125_000, 450, 1_000]) == ["¥12.5万", "¥450", "¥0.10万"]
    # W44's movers: "-¥648.27" stood under "-¥0.32万"; whole yuan beside amounts in 万
    assert fmt_money_column([-32_000, -3_174, -648.27], signed=True) == [
        "-¥3.20万",
        "-¥0.32万",
        "-¥648",
    ]
    # less than ¥0.50 is ¥0 whole, without a sign ("增加¥0")
    assert fmt_money_column([50_000, -0.4, 0.3], signed=True) == ["+¥5.00万", "¥0", "¥0"]
    assert fmt_money_column([1_500_000, -90_000], "¥", "en") == ["¥1.50M", "-¥90.0K"]
    assert fmt_money_column([950.0, -20.5], "$", "en", signed=True) == ["+$950.00", "-$20.50"]


def test_a_product_is_named_by_its_name_else_its_sku_an_opaque_one_cut_short():
    from shopreport.fmt import product_label

    assert product_label({"name": "简约净水器", "sku": "JD006"}) == "简约净水器"
    assert product_label({"name": None, "sku": "JD006"}) == "JD006"
    # Olist's products are 32-character hashes: "(of which 5769ef0a239114ac3a854af00df129e4
    # -R$13.7K)" in a sentence
    olist = "5769ef0a239114ac3a854af00df129e4"
    assert product_label({"name": None, "sku": olist}) == "5769ef0a…"
    assert product_label({"name": "", "sku": "ABC-123-LONG-CODE-XL"}) == "ABC-123-LONG-CODE-XL"


def test_a_pace_keeps_a_decimal():
    """A small shop's daily units: 0.26 a day read "0" as a count."""
    assert fmt_metric(0.26, "per_day") == "0.3"
    assert fmt_metric(623.4, "per_day") == "623"
