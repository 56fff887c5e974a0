"""Many shops at once (--config with a glob, --jobs) and the portfolio deck (--portfolio)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pptx import Presentation

from shopreport import api, batch
from shopreport.config import read_config
from shopreport.errors import ConfigError, DataError
from tests.conftest import DECK_DAY, run_cli, write_shop
from tests.deckcheck import slides_text

ORDERS = """\
order_id,customer_id,order_time,pay_time,paid_amount
1,a,2026-10-02 10:00:00,2026-10-02 10:05:00,{first}
2,b,2026-10-09 11:00:00,2026-10-09 11:01:00,{second}
3,c,2026-10-12 09:00:00,,999
"""


def tiny_shop(folder: Path, shop: str, first: float, second: float, **config) -> Path:
    """A shop with two paid orders in October 2026 (and one unpaid)."""
    return write_shop(
        folder,
        {"orders.csv": ORDERS.format(first=first, second=second)},
        {"orders": {"path": "orders.csv"}},
        shop=shop,
        **config,
    )


def three_shops(root: Path) -> str:
    """Two shops (GMV 150 and 250) and a third whose orders file is missing; the glob."""
    tiny_shop(root / "a", "甲店", 100, 50, targets={"2026-10": {"gmv": 300}})
    tiny_shop(root / "b", "乙店", 200, 50)
    broken = tiny_shop(root / "c", "丙店", 1, 1)
    (broken.parent / "orders.csv").unlink()
    return str(root / "*" / "shopreport.yaml")


def test_kpis_of_many_shops_are_json_lines(tmp_path) -> None:
    run = run_cli("kpis", "--month", "2026-10", "--config", three_shops(tmp_path), "--jobs", "2")
    assert run.code == 1  # one shop failed
    lines = [json.loads(line) for line in run.out.splitlines()]
    assert [(x["shop"], x["status"]) for x in lines] == [
        ("甲店", "ok"),
        ("乙店", "ok"),
        ("丙店", "failed"),
    ]
    # by hand: 100 + 50 against a target of 300; 200 + 50; the unpaid order does not count
    assert lines[0]["report"]["metrics"]["gmv"]["value"] == 150
    assert lines[0]["report"]["metrics"]["gmv"]["attainment"] == 0.5
    assert lines[1]["report"]["metrics"]["gmv"]["value"] == 250
    assert lines[2]["report"] is None and "orders.csv" in lines[2]["error"]
    assert "\n" not in lines[2]["error"]


def test_a_glob_that_matches_nothing(tmp_path) -> None:
    run = run_cli("kpis", "--month", "2026-10", "--config", tmp_path / "*" / "shopreport.yaml")
    assert run.code == 2
    assert "no config file matches" in run.err


def test_two_shops_of_one_name_get_two_folders(tmp_path) -> None:
    tiny_shop(tmp_path / "x", "同名店", 1, 2)
    tiny_shop(tmp_path / "y", "同名店", 3, 4)
    configs = sorted(tmp_path.glob("*/shopreport.yaml"))
    folders = batch._folders(configs, batch.Task("build", out=str(tmp_path / "out")))
    assert sorted(Path(f).name for f in folders.values() if f) == ["同名店", "同名店_y"]


@pytest.mark.slow
def test_five_shops_in_parallel_one_broken(tmp_path) -> None:
    configs = api.make_portfolio_demo(tmp_path, 5, orders_per_month=60)
    broken = read_config(configs[2])  # 小鹿母婴专营店: its orders are gone
    shutil.rmtree(configs[2].parent / "data" / "orders")
    out = tmp_path / "decks"
    pattern = tmp_path / "shops" / "*" / "shopreport.yaml"
    run = run_cli("build", "--month", "2026-10", "--config", pattern, "--jobs", "2", "--out", out)
    assert run.code == 1
    summary = run.out.splitlines()
    assert summary[0].split() == ["shop", "deck", "seconds", "status", "error"]
    rows = {line.split()[0]: line for line in summary[1:6]}
    assert len(rows) == 5
    assert "failed" in rows[broken.shop] and "data.orders" in rows[broken.shop]
    assert all(" ok" in line for shop, line in rows.items() if shop != broken.shop)
    assert summary[-1] == "4 of 5 shop(s) done, 1 failed."
    decks = sorted(p.relative_to(out).parts[0] for p in out.rglob("*.pptx"))
    names = sorted(read_config(c).shop for c in configs if c != configs[2])
    assert decks == names  # each deck in its shop's folder; none for the broken shop


# --- the portfolio deck ---------------------------------------------------------------------------


def two_currencies(root: Path, fx: str | None = "USD: 7") -> tuple[list[Path], Path]:
    """甲店 in CNY (GMV 150, target 300) and 乙店 in USD (GMV 20, target 10); portfolio.yaml."""
    a = tiny_shop(root / "a", "甲店", 100, 50, targets={"2026-10": {"gmv": 300}})
    b = tiny_shop(root / "b", "乙店", 12, 8, currency="USD", targets={"2026-10": {"gmv": 10}})
    portfolio = root / "portfolio.yaml"
    portfolio.write_text(
        "name: 测试代运营\ncurrency: CNY\n" + (f"fx: {{{fx}}}\n" if fx else ""), encoding="utf-8"
    )
    return [a, b], portfolio


def test_portfolio_converts_and_ranks_by_hand(tmp_path) -> None:
    configs, portfolio = two_currencies(tmp_path)
    built = batch.build_portfolio(configs, "2026-10", portfolio, out=tmp_path, today=DECK_DAY)
    assert built.path == tmp_path / "测试代运营_2026-10_组合月报.pptx"
    slides = ["".join(texts) for texts in slides_text(built.path)]
    overview = next(s for s in slides if "组合核心指标" in s)
    # 150 CNY + 20 USD × 7 = 290 CNY; targets 300 + 10 × 7 = 370: 290 / 370 = 78.4%; 乙店 met
    assert "¥290" in overview and "78.4%" in overview and "1/2" in overview
    ranking = next(s for s in slides if "店铺GMV排名" in s)
    # 甲店 150 (51.7%) before 乙店 140 (48.3%); 乙店 reached 20 / 10 = 200.0%
    assert ranking.index("甲店") < ranking.index("乙店")
    assert "51.7%" in ranking and "48.3%" in ranking and "200.0%" in ranking
    # each shop's own slide speaks its own currency
    assert any(s.startswith("乙店") and "$20" in s for s in slides)
    assert "金额单位：CNY（汇率 USD = 7 CNY）" in overview
    assert "2家店铺均设定了GMV目标" in overview
    assert "环比、同比与达成率按各店铺自身币种计算" in ranking


def test_a_portfolio_in_one_currency_does_not_explain_currencies(tmp_path) -> None:
    """Shops all in CNY read "金额单位：CNY" on every slide and "按各店铺自身币种计算"; and one
    of two shops with a target is "2家店铺中1家"."""
    configs = [
        tiny_shop(tmp_path / "a", "甲店", 100, 50, targets={"2026-10": {"gmv": 300}}),
        tiny_shop(tmp_path / "b", "乙店", 200, 50),
    ]
    built = batch.build_portfolio(configs, "2026-10", out=tmp_path, today=DECK_DAY)
    joined = "".join("".join(texts) for texts in slides_text(built.path))
    assert "金额单位" not in joined and "币种" not in joined
    assert "2家店铺中1家设定了GMV目标" in joined


def test_the_portfolio_defines_its_metrics_and_each_shops_basis(tmp_path) -> None:
    """The appendix defines every metric a slide names, and says whose back office and which
    GMV basis the shops' numbers follow; each shop's slide shows all its own deck's cards."""
    a = tiny_shop(tmp_path / "a", "甲店", 100, 50, platform="tmall")
    b = tiny_shop(tmp_path / "b", "乙店", 12, 8, platform="shopify")
    with b.open("a", encoding="utf-8") as config:  # Shopify counts orders when placed
        config.write("metrics:\n  orders_basis: placed\n")
    portfolio = tmp_path / "portfolio.yaml"
    portfolio.write_text("name: 测试代运营\ncurrency: CNY\nfx: {USD: 7}\n", encoding="utf-8")
    built = batch.build_portfolio([a, b], "2026-10", portfolio, out=tmp_path, today=DECK_DAY)
    slides = ["".join(texts) for texts in slides_text(built.path)]
    appendix = slides[-1]
    assert appendix.startswith("附录：指标口径")
    for name in ("支付金额", "支付买家数", "支付订单数", "客单价"):
        assert name in appendix
    assert "口径参照各店铺平台的后台（Shopify、天猫）" in appendix
    assert "金额为支付口径，乙店为下单口径（未取消的订单）" in appendix
    # 甲店: GMV 150 from 2 buyers: its AOV card ¥75; its data starts in October, so its own
    # deck has no returning share card ("老买家占比0.0%" by construction), nor has its slide
    own = next(s for s in slides if s.startswith("甲店"))
    assert "客单价¥75" in own and "老买家占比" not in own


def test_portfolio_refuses_a_currency_without_a_rate(tmp_path) -> None:
    configs, portfolio = two_currencies(tmp_path, fx=None)
    with pytest.raises(ConfigError, match=r"USD has no rate\. Add `fx: \{USD: <CNY per USD>\}`"):
        batch.build_portfolio(configs, "2026-10", portfolio, out=tmp_path, today=DECK_DAY)
    assert not list(tmp_path.glob("*.pptx"))


def test_portfolio_needs_every_shop(tmp_path) -> None:
    pattern = three_shops(tmp_path)
    configs = batch.expand(pattern)
    with pytest.raises(DataError, match=r"1 failed: 丙店: .*orders\.csv"):
        batch.build_portfolio(configs, "2026-10", out=tmp_path, today=DECK_DAY)
    assert not list(tmp_path.glob("*.pptx"))


def test_demo_shops_sell_their_own_categories(tmp_path) -> None:
    """The demo's food shop sold 女装 and its kids' shop 家用电器 (every shop the same nine
    categories); the portfolio's appendix defines visitors as the demo shops count them."""
    import polars as pl

    configs = api.make_portfolio_demo(tmp_path, 5, orders_per_month=60, months=14)
    sold = {
        read_config(c).shop: set(
            pl.read_parquet(c.parent / "data" / "products.parquet")["category"].to_list()
        )
        for c in configs
    }
    assert sold["茶语食品旗舰店"] == {"食品饮料", "家居日用"}
    assert sold["森屿家居旗舰店"] == {"家居日用", "家用电器", "数码配件"}
    assert len(sold["悦享生活旗舰店"]) == 9
    built = batch.build_portfolio(configs, "2026-10", tmp_path / "portfolio.yaml", out=tmp_path)
    # the presenter is written in both languages; the deck's properties say the Chinese one
    assert Presentation(str(built.path)).core_properties.author == "周洁（客户总监）"
    appendix = "".join(slides_text(built.path)[-1])
    assert "访客数流量表中每日访客数之和（未跨日去重）" in appendix and "否则" not in appendix


def test_demo_writes_a_portfolio(tmp_path) -> None:
    run = run_cli("demo", tmp_path, "--shops", "2", "--orders-per-month", "20", "--months", "14")
    assert run.code == 0, run.err
    shops = sorted(read_config(p).shop for p in tmp_path.glob("shops/*/shopreport.yaml"))
    assert shops == ["悦享生活旗舰店", "森屿家居旗舰店"]
    assert (tmp_path / "portfolio.yaml").is_file()
    assert f"--portfolio {tmp_path / 'portfolio.yaml'} --month 2026-10" in run.out


def test_the_portfolio_deck_refuses_one_shop_options(tmp_path) -> None:
    """--png was ignored without a word for the portfolio deck."""
    result = run_cli(
        "build", "--portfolio", tmp_path / "p.yaml", "--month", "2026-10",
        "--config", tmp_path / "shops/*/shopreport.yaml", "--png", tmp_path / "png",
    )  # fmt: skip
    assert result.code == 2
    assert "--pdf, --png and --timeout are for one shop's deck" in result.err
    assert not (tmp_path / "png").exists()
