"""The example configs read real public datasets from ../shared/data (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopreport import api
from shopreport.config import read_config
from shopreport.fmt import fmt_metric
from shopreport.vocab.metrics import METRICS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_olist_kpis(shared_data):
    report = api.compute_kpis(EXAMPLES / "olist.yaml", "2017-11")
    # Figures checked against the raw files: approved orders in 2017-11 (Sao Paulo time),
    # payments summed per order, customer_unique_id as the buyer.
    gmv = report.metrics["gmv"]
    assert gmv.value == pytest.approx(268_433.08)
    assert report.metrics["paid_orders"].value == 1702
    assert report.metrics["buyers"].value == 1696
    assert gmv.last_year is None  # the subset starts in January 2017
    assert report.metrics["visitors"].unavailable == "no traffic or events table"
    categories = report.breakdowns["by_category"]
    # shares are of GMV: 19 of the 1,702 orders have no lines (checked in DuckDB on the raw
    # files: the orders with lines paid 266,541.75 of the 268,433.08)
    assert categories["share"].sum() == pytest.approx(266_541.75 / 268_433.08)
    assert categories.row(0, named=True)["category"] is not None


@pytest.mark.slow
def test_olist_deck(shared_data, tmp_path):
    from tests.deckcheck import overflowing, slides_text

    built = api.build_deck(
        EXAMPLES / "olist.yaml", "monthly", "2017-11", out=tmp_path / "olist.pptx"
    )
    texts = slides_text(built.path)
    assert "Monthly operations review: November 2017" in texts[0]
    # no traffic data in Olist: that section is left out and said so; the others are there
    assert set(built.left_out) == {"Traffic & channels"}
    for section in ("Overview", "Sales", "Products & inventory", "Service & reviews", "Next month"):
        assert section in texts[1]
    assert overflowing(built.path) == []
    assert "R$268.4K" in texts[3]  # the GMV card: 268,433.08 BRL
    # the subset's first order is of 5 January 2017: the returning share's card says why it is
    # 0.6 %, on its slide (it was said only in the appendix)
    assert (
        "Returning share: the data starts on 2017-01-05, under 365 days before the period, so "
        "it is understated" in texts[3][-2]
    )
    # products first sold within 90 days of 30 November, or not sold in August–October, took
    # 79.999 % of GMV (their lines' share of their orders' payments, checked in DuckDB on the
    # raw files); of the lines' total it read 80.6 %
    assert any("new products 80.0% of GMV" in " ".join(t) for t in texts)


EXAMPLE_DECKS = {
    # example: (month, sections left out)
    "online-retail": (
        "2011-11",
        {"Traffic & channels", "Service & reviews"},
    ),  # refunds: all cancellations
    "shopify-explorer": ("2021-07", {"Traffic & channels", "Service & reviews"}),
    # one product category and one region (BD): no sales section; an export that stops on
    # 8 April plans no May from eight days, and has no problem to list
    "shopify-medluck": (
        "2026-04",
        {"Traffic & channels", "Service & reviews", "Sales", "Next month"},
    ),
    "tmall-order-report": ("2020-02", {"商品运营情况", "流量渠道分析", "客户服务评估"}),
    "taobao-behavior": ("2017-11", {"销售业绩表现", "商品运营情况", "客户服务评估"}),
}


@pytest.mark.slow
@pytest.mark.parametrize("example", sorted(EXAMPLE_DECKS))
def test_every_real_dataset_gives_a_deck(example, shared_data, tmp_path):
    from tests.deckcheck import inconsistent, overflowing, slides_text

    month, left_out = EXAMPLE_DECKS[example]
    built = api.build_deck(
        EXAMPLES / f"{example}.yaml", "monthly", month, out=tmp_path / "deck.pptx"
    )
    assert set(built.left_out) == left_out
    texts = slides_text(built.path)
    assert len(texts) >= 10
    assert overflowing(built.path) == []
    # one number, one value: each figure the deck states is the report's, wherever it appears
    config = read_config(EXAMPLES / f"{example}.yaml")
    report = api.compute_kpis(config, month)
    expected = {
        mid: fmt_metric(m.value, METRICS[mid].unit, config.symbol, config.language)
        for mid, m in report.metrics.items()
        if m.value is not None
    }
    assert inconsistent(built.path, config.language, expected) == {}


@pytest.mark.slow
@pytest.mark.parametrize("deck", ["year", "campaign"])
def test_olist_annual_and_black_friday(deck, shared_data, tmp_path):
    from tests.deckcheck import overflowing, slides_text

    kind, subject = ("annual", "2017") if deck == "year" else ("campaign", "black-friday-2017")
    built = api.build_deck(EXAMPLES / "olist.yaml", kind, subject, out=tmp_path / "d.pptx")
    texts = slides_text(built.path)
    assert (
        "Annual review 2017" if deck == "year" else "Black Friday 2017 campaign review"
    ) in texts[0]
    assert len(texts) >= 15
    assert overflowing(built.path) == []
    if deck == "year":  # its slides give returning buyers: the appendix says they are understated
        joined = " ".join(" ".join(t) for t in texts)
        assert "returning buyers are understated" in joined


def test_validate_names_where_a_tmall_exports_derived_columns_come_from(shared_data):
    """The Tmall order report (real headers, SOURCE.md): orders created to 29 February and paid
    to 1 March 2020 (19:25:42); province and city are parts of 收货地址, GMV is 买家实际支付金额 +
    退款金额. `validate` said "rows … 2020-02-01 … 2020-02-29" and "省份 → province, 支付金额 →
    paid_amount" as if the file had those headers."""
    from tests.conftest import run_cli

    out = run_cli("validate", "--config", EXAMPLES / "tmall-order-report.yaml").out
    assert "rows: 28,010, 2020-02-01 … 2020-02-29 (paid to 2020-03-01)" in out
    assert "买家实际支付金额 + 退款金额 → paid_amount" in out
    assert "收货地址 (part 1) → province" in out and "收货地址 (part 2) → city" in out
    assert "省份 → province" not in out and "支付金额 → paid_amount" not in out


def test_a_deck_shows_no_customer_slide_the_data_cannot_fill(shared_data, tmp_path):
    """Taobao's behaviour sample starts on 2017-11-26, inside its month, and has no amounts:
    every buyer is new by construction and RFM has no spend. The slide was "新老客与客户分层"
    with one bar (新买家 2,071) and no segments; now there is no such slide, its divider does
    not list it, and the appendix does not define the repurchase rate that only it stated."""
    from tests.deckcheck import slides_text

    built = api.build_deck(
        EXAMPLES / "taobao-behavior.yaml", "monthly", "2017-11", out=tmp_path / "d.pptx"
    )
    texts = [" | ".join(t) for t in slides_text(built.path)]
    assert not any("新老客" in t or "客户分层" in t or "新买家" in t for t in texts), texts
    assert any(t.startswith("PART 02 | 流量渠道分析 | 转化漏斗 |") for t in texts), texts
    assert not any("复购率" in t for t in texts)
